"""Rasa 3.6's SQL tracker store as bot/serving/rasa_launch.py patches it (issue 12, critical #1): an
unstorable value raises in that one request instead of ``sys.exit(1)``; the missing PostgreSQL
schema it was written for still stops the server. The real SQLite and the real PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.serving.rasa_launch import exit_only_on_missing_schema
from tests.support.databases import POSTGRES_URL


@pytest.fixture(autouse=True)
def patched():
    exit_only_on_missing_schema()  # as `python -m bot.serving.rasa_launch` does before Rasa starts


def tracker(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [UserUttered("你好")])


async def test_an_unstorable_sender_id_raises_and_the_store_carries_on(tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with pytest.raises(UnicodeEncodeError):  # a ValueError: Rasa 3.6 answered it with sys.exit
        await store.save(tracker("x\ud800"))
    await store.save(tracker("ok"))
    assert (await store.retrieve("ok")).latest_message.text == "你好"


@pytest.mark.postgres
async def test_a_missing_postgresql_schema_still_stops_the_server(monkeypatch):
    monkeypatch.setenv("POSTGRESQL_SCHEMA", f"missing_{uuid.uuid4().hex[:12]}")
    store = SQLTrackerStore(Domain.empty(), host=POSTGRES_URL)
    try:
        with pytest.raises(SystemExit):
            await store.save(tracker("ok"))
    finally:
        store.engine.dispose()
