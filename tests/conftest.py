"""Shared fixtures. The `assistant` fixture runs the real thing: a trained model (reused when the
data did not change), the real action server and the real Rasa server on free loopback ports."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    actions_url: str
    log_dir: Path


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory):
    from bot import servers, training

    model = training.ensure_model(quiet=True)
    work = tmp_path_factory.mktemp("assistant")
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log")
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log")
    try:
        actions.wait_ready()
        rasa.wait_ready()
        yield Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", work)
    finally:
        rasa.stop()
        actions.stop()
