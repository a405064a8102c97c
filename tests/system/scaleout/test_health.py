"""Health endpoints for load balancers: the web app (desk, case API) reports its database; the
action server's /health is rasa_sdk's own (checked by the cluster tests' start-up)."""
from __future__ import annotations

import time

import requests

from bot.core import db
from bot.tooling import servers
from tests.support import free_closed_port


def health_of_web_app(tmp_path, database_url: str) -> requests.Response:
    port = servers.free_port()
    process = servers.start_web(port, tmp_path / "web.log",
                                {**servers.rasa_env(), "GONGKAI_DATABASE_URL": database_url})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                return requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
            except requests.ConnectionError:
                assert process.popen.poll() is None, process.tail()
                assert time.monotonic() < deadline, process.tail()
                time.sleep(0.3)
    finally:
        process.stop()


def test_web_health_checks_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    db.upgrade(url)
    answer = health_of_web_app(tmp_path, url)
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}


def test_web_health_is_503_when_the_database_is_down(tmp_path):
    answer = health_of_web_app(tmp_path, f"postgresql://postgres@127.0.0.1:{free_closed_port()}/gongkai")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "OperationalError"}
