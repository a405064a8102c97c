"""Issue 12, High 2: the action server took forged `action_check_case_status` calls from anyone
(0.0.0.0, no authentication) at ~170 a second. Now it listens on loopback and refuses calls
without the shared secret the Rasa server sends (bot/serving/action_server.py), and even a caller holding
the secret cannot test more than a handful of codes for one case."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.serving.action_server import action_token
from tests.support.assistant import DEMO_CASES, DEMO_TODAY
from tests.system.conversations.test_case_status import demo_code

pytestmark = pytest.mark.servers

NUMBER = "ZBSP-2026-0101"


@dataclass(frozen=True)
class ActionServer:
    url: str
    database_url: str
    log_path: Path


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    """A real action server alone, started as `gongkai run` starts it, on the demo cases."""
    from bot.cases import importer
    from bot.tooling import servers, training

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


def forged_call(sender: str, number: str, code: str, action: str = "action_check_case_status",
                metadata: dict | None = None) -> dict:
    """The body Rasa 3.6 posts to the action server (rasa/core/actions/action.py, RemoteAction)."""
    latest = {"text": code, "intent": {"name": "faq", "confidence": 1.0}, "entities": [],
              "metadata": metadata or {}}
    return {
        "next_action": action, "sender_id": sender, "version": "3.6.20", "domain": {},
        "tracker": {"sender_id": sender, "slots": {"case_number": number, "verification_code": code},
                    "latest_message": latest, "events": [], "paused": False,
                    "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
                    "latest_event_time": None},
    }


def post(url: str, body: dict, token: str | None = None, scheme: str = "Bearer") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def replies(body: str) -> str:
    return "\n".join(r.get("text") or "" for r in json.loads(body)["responses"])


@pytest.mark.parametrize("token, scheme", [(None, "Bearer"), ("wrong", "Bearer"), ("", "Bearer"),
                                           ("<secret>", "Basic"), ("<secret>x", "Bearer")],
                         ids=["missing", "wrong", "empty", "basic-scheme", "longer"])
def test_a_forged_call_without_the_secret_is_refused(action_server, token, scheme):
    token = token.replace("<secret>", action_token()) if token is not None else None
    status, body = post(f"{action_server.url}/webhook",
                        forged_call("forger", NUMBER, demo_code(NUMBER)), token, scheme)
    assert status == 401, body
    assert "已受理" not in body and "小区" not in body


def test_with_the_secret_the_call_works(action_server):
    status, body = post(f"{action_server.url}/webhook",
                        forged_call("rasa", NUMBER, demo_code(NUMBER)), action_token())
    assert status == 200, body
    assert "当前进度：已受理" in replies(body)


def test_health_is_open_but_the_action_list_is_not(action_server):
    with urllib.request.urlopen(f"{action_server.url}/health", timeout=10) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{action_server.url}/actions", timeout=10)
    assert refused.value.code == 401


def _outward_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_it_listens_on_loopback_only(action_server):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    port = int(action_server.url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection((address, port), timeout=3).close()


def test_rotating_30_senders_against_one_case_checks_at_most_5_codes(action_server):
    # even with the secret (a compromised Rasa server), and with a made-up origin per call
    number = "ZBSP-2026-0088"
    outcomes = []
    for i in range(30):
        origin = {"gongkai_origin": {"channel": "rest", "address": f"203.0.113.{i}",
                                     "connection": ""}}
        status, body = post(f"{action_server.url}/webhook",
                            forged_call(f"rotating-{i}", number, f"{i:012d}", metadata=origin),
                            action_token())
        assert status == 200, body
        outcomes.append(replies(body))
    wrong = [o for o in outcomes if "没有查到" in o]
    locked = [o for o in outcomes if "暂停到" in o]
    assert (len(wrong), len(locked)) == (5, 25)
    # and the database agrees: 5 attempts were checked, one lock started
    engine = create_engine(action_server.database_url)
    with engine.connect() as connection:
        checked = connection.execute(text(
            "SELECT count(*) FROM lookup_attempts WHERE case_number = :n"), {"n": number}).scalar()
        locks = connection.execute(text(
            "SELECT scope, subject FROM lookup_locks WHERE subject = :n"), {"n": number}).all()
    engine.dispose()
    assert checked == 5
    assert [tuple(lock) for lock in locks] == [("case", number)]
    # the right code is refused too while the case is locked
    status, body = post(f"{action_server.url}/webhook",
                        forged_call("owner", number, demo_code(number)), action_token())
    assert "暂停到" in replies(body) and "当前进度" not in replies(body)
