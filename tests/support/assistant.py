"""The real assistant for the system tests: a trained model (reused when the data did not change),
the real action server and the real Rasa server on free loopback ports, on the demo cases."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

from bot.core.settings import PROJECT_ROOT

DEMO_CASES = PROJECT_ROOT / "data" / "demo" / "cases.json"

# The demo cases are dated around this day; pinning it keeps due dates and "overdue" stable.
DEMO_TODAY = "2026-11-23"
DEMO_EVENING = f"{DEMO_TODAY}T20:00:00"  # a Monday, after office hours


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    actions_url: str
    log_dir: Path
    database_url: str


@contextlib.contextmanager
def running_assistant(work: Path, extra_env: Optional[Dict[str, str]] = None,
                      window_turns: Optional[int] = None) -> Iterator[Assistant]:
    """The real action server and Rasa server on the demo cases, in the folder ``work``; its
    tracker store keeps ``window_turns`` turns (bot/serving/tracker_store.py; default: as
    `gongkai run`)."""
    from bot.cases import importer
    from bot.tooling import servers, training

    model = training.ensure_model(quiet=True)
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    assert importer.main([str(DEMO_CASES), "--database-url", database_url]) == 0
    # an evening of the demo day: 「转人工」 answers with office hours whenever the tests run (CI ran
    # in office hours once, and the hand-offs paused the conversations that the tests go on with)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_TODAY": DEMO_TODAY,
           "GONGKAI_NOW": DEMO_EVENING, **(extra_env or {})}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db",
                                        window_turns=window_turns or servers.WINDOW_TURNS)
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    try:
        actions.wait_ready()
        rasa.wait_ready()
        yield Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", work,
                        database_url)
    finally:
        rasa.stop()
        actions.stop()
