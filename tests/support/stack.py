"""The whole product for the hand-off tests: the real action server, the real Rasa server (with an
API token, as the desk is configured in production) and our web app, on free loopback ports, on a
temporary SQLite database, the clock pinned to Monday 23 November 2026, 10:00 (office hours).

Started once per test session by the ``stack`` fixture (tests/conftest.py); ``outside_office_hours``
restarts only the action server (the process that reads the clock) with the clock at 19:00 and puts
it back afterwards.
"""
from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, Optional

from bot.cases import importer
from bot.core import clock, db
from bot.core.settings import PROJECT_ROOT
from bot.desk.accounts import AccountStore
from bot.handoff.store import HandoffStore
from bot.tooling import servers, training

IN_HOURS = "2026-11-23T10:00:00"  # a Monday, working day
OFF_HOURS = "2026-11-23T19:00:00"
RASA_TOKEN = "rasa-api-token-for-the-desk-tests"
PASSWORD = "correct horse battery"
AGENTS = (("li", "李明"), ("wang", "王芳"))


@dataclass
class Stack:
    work: Path
    database_url: str
    rasa_url: str
    web_url: str
    action_port: int
    env: Dict[str, str]
    processes: Dict[str, servers.Process] = field(default_factory=dict)

    def web(self, path: str = "") -> str:
        return self.web_url + path

    def start_actions(self, now: str) -> None:
        env = {**self.env, "GONGKAI_NOW": now}
        process = servers.start_action_server(self.action_port, self.work / f"actions-{now[11:13]}.log", env)
        process.wait_ready()
        self.processes["actions"] = process

    def restart_actions(self, now: str) -> None:
        self.processes.pop("actions").stop()
        self.start_actions(now)

    @contextlib.contextmanager
    def outside_office_hours(self) -> Iterator[Stack]:
        self.restart_actions(OFF_HOURS)
        try:
            yield self
        finally:
            self.restart_actions(IN_HOURS)

    def stop(self) -> None:
        for name in ("web", "rasa", "actions"):
            process = self.processes.pop(name, None)
            if process:
                process.stop()


def start(work: Path, extra_env: Optional[Dict[str, str]] = None) -> Stack:
    model = training.ensure_model(quiet=True)
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    store = importer.CaseStore.from_url(database_url)
    importer.import_file(PROJECT_ROOT / "data" / "demo" / "cases.json", store)
    accounts = AccountStore.from_url(database_url)
    for username, name in AGENTS:
        accounts.add_agent(username, name, PASSWORD, clock.now())

    action_port, rasa_port, web_port = servers.free_port(), servers.free_port(), servers.free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    # the desk's review queue writes to a copy of the knowledge base; analytics read the tracker
    shutil.copytree(PROJECT_ROOT / "data" / "kb", work / "kb")
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_NOW": IN_HOURS,
           "GONGKAI_RASA_URL": rasa_url, "GONGKAI_RASA_TOKEN": RASA_TOKEN,
           "GONGKAI_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
           "GONGKAI_REVIEW_KB_DIR": str(work / "kb"), **(extra_env or {})}
    env.pop("GONGKAI_TODAY", None)
    stack = Stack(work, database_url, rasa_url, f"http://127.0.0.1:{web_port}", action_port, env)
    try:
        stack.start_actions(IN_HOURS)
        endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
        stack.processes["rasa"] = servers.start_rasa_server(
            rasa_port, model, endpoints, work / "rasa.log", env=env, auth_token=RASA_TOKEN)
        stack.processes["web"] = servers.start_web(web_port, work / "web.log", env)
        stack.processes["rasa"].wait_ready()
        stack.processes["web"].wait_ready()
    except BaseException:
        stack.stop()
        raise
    return stack



# the hand-off tests' look-ups (tests/system/handoff, tests/system/desk); the logged-in `agent` is a
# fixture in tests/conftest.py


def handoff_store(stack: Stack) -> HandoffStore:
    return HandoffStore.from_url(stack.database_url)


def conversation(agent, handoff_id) -> dict:
    """What the desk shows of a hand-off (transcript, suggestions), as its page fetches it."""
    answer = agent.get(f"/desk/handoffs/{handoff_id}/conversation.json")
    assert answer.status_code == 200, answer.text
    return answer.json()
