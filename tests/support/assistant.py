"""The real assistant for the system tests: a trained model (reused when the data did not change),
the real action server and the real Rasa server on free loopback ports, on the demo cases."""
from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from bot.core.settings import PROJECT_ROOT

DEMO_CASES = PROJECT_ROOT / "data" / "demo" / "cases.json"

# The demo cases are dated around this day; pinning it keeps due dates and "overdue" stable.
DEMO_TODAY = "2026-11-23"
DEMO_EVENING = f"{DEMO_TODAY}T20:00:00"  # a Monday, after office hours


@dataclass
class _ActionServer:
    """The running action server of an assistant, and what it was started with."""
    port: int
    env: Dict[str, str]
    process: Any  # bot.tooling.servers.Process


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    actions_url: str
    log_dir: Path
    database_url: str
    actions_log: Path
    _actions: _ActionServer = dataclasses.field(repr=False, compare=False)

    @contextlib.contextmanager
    def actions_with(self, extra_env: Dict[str, str], log_path: Path) -> Iterator[Assistant]:
        """This assistant with its action server restarted with ``extra_env`` (logging to
        ``log_path``), put back as it was afterwards. Only the action server reads the clock
        (GONGKAI_TODAY/NOW) and the holiday overrides, so a module that needs another day shares
        the Rasa server (~20 s of CPU to start) instead of starting its own."""
        from bot.tooling import servers

        def restart(env: Dict[str, str], log: Path) -> None:
            self._actions.process.stop()
            self._actions.process = servers.start_action_server(self._actions.port, log, env=env)
            self._actions.process.wait_ready()

        original_env, original_log = self._actions.env, self.actions_log
        restart({**original_env, **extra_env}, log_path)
        try:
            yield dataclasses.replace(self, actions_log=log_path, database_url=extra_env.get(
                "GONGKAI_DATABASE_URL", self.database_url))
        finally:
            restart(original_env, original_log)


def demo_database(work: Path) -> str:
    """A new SQLite database in ``work`` holding the demo cases; its URL."""
    from bot.cases import importer

    database_url = f"sqlite:///{work / 'gongkai.db'}"
    assert importer.main([str(DEMO_CASES), "--database-url", database_url]) == 0
    return database_url


@contextlib.contextmanager
def running_assistant(work: Path, extra_env: Optional[Dict[str, str]] = None,
                      window_turns: Optional[int] = None) -> Iterator[Assistant]:
    """The real action server and Rasa server on the demo cases, in the folder ``work``; its
    tracker store keeps ``window_turns`` turns (bot/serving/tracker_store.py; default: as
    `gongkai run`)."""
    from bot.tooling import servers, training

    model = training.ensure_model(quiet=True)
    database_url = demo_database(work)
    # an evening of the demo day: 「转人工」 answers with office hours whenever the tests run (CI ran
    # in office hours once, and the hand-offs paused the conversations that the tests go on with)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_TODAY": DEMO_TODAY,
           "GONGKAI_NOW": DEMO_EVENING, **(extra_env or {})}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db",
                                        window_turns=window_turns or servers.WINDOW_TURNS)
    actions = _ActionServer(action_port, env,
                            servers.start_action_server(action_port, work / "actions.log", env=env))
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    try:
        actions.process.wait_ready()
        rasa.wait_ready()
        yield Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", work,
                        database_url, work / "actions.log", actions)
    finally:
        rasa.stop()
        actions.process.stop()
