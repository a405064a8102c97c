"""Reading what Rasa's SQL tracker store wrote, straight from its SQLite file (independent of
Rasa's HTTP API and its token)."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path


def events(database: Path, sender: str) -> list[dict]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id",
                                  (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def user_events(database: Path, sender: str) -> list[dict]:
    return [e for e in events(database, sender) if e.get("event") == "user"]


def senders(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {s for (s,) in connection.execute("SELECT DISTINCT sender_id FROM events")}


def size_on_disk(database: Path) -> int:
    """The database with its write-ahead log (Rasa's commits go to the WAL first)."""
    return sum(p.stat().st_size for p in (database, Path(f"{database}-wal")) if p.exists())


def user_texts_once_stored(database: Path, sender: str, count: int,
                           timeout: float = 30) -> list[str]:
    """The texts of the conversation's user events once there are ``count`` of them (the widget
    gets its answers before Rasa saves the turn); what there is after ``timeout`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        said = [e.get("text") for e in user_events(database, sender)]
        if len(said) >= count or time.monotonic() > deadline:
            return said
        time.sleep(0.2)


def metadata(event: dict) -> dict:
    """A user event's metadata without the keys Rasa adds itself (model_id, assistant_id)."""
    return {k: v for k, v in (event.get("metadata") or {}).items()
            if k not in ("model_id", "assistant_id")}
