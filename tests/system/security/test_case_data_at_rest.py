"""Issue 12, Low "data at rest": var/*.db were world-readable, the cases table kept the full phone
number beside the HMAC of its tail, and nothing called the purge functions. Now SQLite files are
owner-only, only the masked phone and a keyed hash of the query code are stored, and the action
server runs retention on its own (bot/serving/action_server.py, CaseStore.purge)."""
from __future__ import annotations

import json
import stat
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from bot.cases import importer
from bot.core import db
from bot.serving.action_server import TOKEN_FILE, action_token
from bot.tooling import servers, training
from tests.support.assistant import DEMO_CASES


def _mode(path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_the_case_database_is_created_owner_only(tmp_path):
    path = tmp_path / "var" / "gongkai.db"
    assert importer.main([str(DEMO_CASES), "--database-url", f"sqlite:///{path}"]) == 0
    assert _mode(path) == "0o600"
    assert _mode(path.parent) == "0o700"
    for companion in path.parent.glob("gongkai.db-*"):
        assert _mode(companion) == "0o600"


def test_the_endpoints_file_and_tracker_store_are_owner_only(tmp_path):
    endpoints = servers.write_endpoints(tmp_path / "endpoints.yml", 5055, tmp_path / "tracker.db")
    assert _mode(endpoints) == "0o600"  # it holds the action server's secret
    assert _mode(tmp_path / "tracker.db") == "0o600"
    config = json.loads(endpoints.read_text())
    assert config["action_endpoint"]["headers"] == {"Authorization": f"Bearer {action_token()}"}


def test_the_generated_action_secret_is_owner_only():
    action_token({})  # generates it if this machine has none yet
    assert _mode(TOKEN_FILE) == "0o600"


@pytest.mark.servers
def test_rasas_tracker_store_is_owner_only(assistant):
    tracker = assistant.log_dir / "tracker.db"
    assert tracker.exists()
    assert _mode(tracker) == "0o600"
    for companion in assistant.log_dir.glob("tracker.db-*"):
        assert _mode(companion) == "0o600"


def test_the_cases_table_keeps_no_full_phone_number(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    assert importer.main([str(DEMO_CASES), "--database-url", url]) == 0
    demo = json.loads(DEMO_CASES.read_text(encoding="utf-8"))["cases"]
    engine = create_engine(url)
    with engine.connect() as connection:
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(cases)"))]
        rows = connection.execute(text("SELECT * FROM cases")).all()
    engine.dispose()
    assert "applicant_phone" not in columns and "phone_last4_hmac" not in columns
    stored = " ".join(str(value) for row in rows for value in row)
    for case in demo:
        assert case["applicant_phone"] not in stored
        assert case["query_code"].replace(" ", "") not in stored
    assert "138****0001" in stored  # what an agent reads to a caller


@pytest.mark.servers
def test_the_action_server_runs_retention(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    db.upgrade(url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # SQLite stores naive UTC
    engine = create_engine(url)
    with engine.begin() as connection:
        for sender, age in (("old", timedelta(days=31)), ("recent", timedelta(days=1))):
            connection.execute(text(
                "INSERT INTO lookup_attempts (sender_id, at, succeeded, case_number)"
                " VALUES (:s, :at, 0, 'ZBSP-2026-0001')"), {"s": sender, "at": now - age})
        connection.execute(text(
            "INSERT INTO lookup_locks (scope, subject, locked_at, locked_until)"
            " VALUES ('case', 'ZBSP-2026-0001', :at, :at)"), {"at": now - timedelta(days=181)})
    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": url,
           "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port())}
    process = servers.start_action_server(port, tmp_path / "actions.log", env=env)
    try:
        process.wait_ready()
        deadline = time.monotonic() + 60  # retention runs right after start; allow a slow machine
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                senders = connection.execute(text("SELECT sender_id FROM lookup_attempts")).scalars().all()
                locks = connection.execute(text("SELECT count(*) FROM lookup_locks")).scalar()
            if senders == ["recent"] and locks == 0:
                break
            time.sleep(0.5)
    finally:
        process.stop()
        engine.dispose()
    # by hand: 31 days > 30 kept (ATTEMPTS_KEPT), 1 day is kept; 181 days > 180 (LOCKS_KEPT)
    assert (senders, locks) == (["recent"], 0)


@pytest.mark.servers
def test_the_web_app_runs_the_desks_retention(tmp_path):
    """The desk's log-in attempts (usernames and client addresses) and its expired sessions were
    kept for ever: AccountStore.purge existed and nothing called it. The web app now runs it at
    start and every hour (bot/desk/app.py)."""
    from bot.core.settings import CHINA
    from bot.desk.accounts import AccountStore
    from bot.desk.models import DeskSession, LoginAttempt
    from tests.support import webapp

    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    db.upgrade(url)
    now = datetime(2026, 11, 23, 10, tzinfo=CHINA)  # webapp.start pins the web app's clock here
    accounts = AccountStore.from_url(url)
    accounts.add_agent("zhao", "赵强", webapp.PASSWORD, now - timedelta(days=3))
    accounts.login("zhao", "wrong password", "198.51.100.9", now - timedelta(days=2))
    accounts.login("zhao", webapp.PASSWORD, "198.51.100.9", now - timedelta(hours=3))
    engine = create_engine(url)

    def kept() -> tuple:
        with engine.connect() as connection:
            attempts = connection.execute(text(
                f"SELECT succeeded FROM {LoginAttempt.__tablename__}")).scalars().all()
            sessions = connection.execute(text(
                f"SELECT count(*) FROM {DeskSession.__tablename__}")).scalar()
        return sorted(bool(a) for a in attempts), sessions

    assert kept() == ([False, True], 1)  # the seed: two attempts and the session of the second
    app = webapp.start(tmp_path, agents=())
    try:
        deadline = time.monotonic() + 60  # retention runs right after start; allow a slow machine
        while kept() != ([True], 0) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        app.process.stop()
        engine.dispose()
    # by hand: attempts are kept a day (2 days old: gone; 3 hours: kept); a session ends after
    # 2 hours without a request (bot/desk/accounts.py IDLE), so the 3-hour-old one is gone
    assert kept() == ([True], 0)
