"""Fixtures for the security tests: a real action server alone (the `assistant` fixture of
tests/conftest.py gives the whole stack), on the demo cases in a database of its own."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DEMO_CASES, DEMO_TODAY


@dataclass(frozen=True)
class ActionServer:
    url: str
    database_url: str
    log_path: Path


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    from bot import servers, training
    from bot.cases import importer

    work = tmp_path_factory.mktemp("actions")
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    assert importer.main([str(DEMO_CASES), "--database-url", database_url]) == 0
    port, metrics_port = servers.free_port(), servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url,
           "GONGKAI_TODAY": DEMO_TODAY, "GONGKAI_ACTIONS_METRICS_PORT": str(metrics_port)}
    process = servers.start_action_server(port, work / "actions.log", env=env)
    try:
        process.wait_ready()
        yield ActionServer(f"http://127.0.0.1:{port}", database_url, work / "actions.log")
    finally:
        process.stop()
