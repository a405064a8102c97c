"""A case whose online look-up is locked is recorded for the desk (issue 12, High #2: "lock the
case's online look-up and record it for the desk after a small number"). The lock was kept in the
database and logged, but no desk page showed it: an applicant who calls after being locked out,
or an agent watching an attack, could not tell. Through the real web app: the caller page's case
look-up says whether the online look-up is paused and until when (Beijing time)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.cases import importer
from bot.cases.store import CaseStore, Origin
from bot.core.settings import CHINA
from tests.support import webapp
from tests.support.assistant import DEMO_CASES
from tests.support.webapp import Agent

pytestmark = pytest.mark.servers

LOCKED, OPEN = "ZBSP-2026-0103", "ZBSP-2026-0102"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    work = tmp_path_factory.mktemp("desk-case-locks")
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    assert importer.main([str(DEMO_CASES), "--database-url", database_url]) == 0
    app = webapp.start(work)
    yield app
    app.process.stop()


def test_the_caller_page_shows_a_locked_online_look_up(web):
    # five wrong codes from five senders, as the action server checks them (CaseStore.verify)
    store = CaseStore.from_url(web.database_url)
    started = datetime.now(timezone.utc)
    for i in range(5):
        store.verify(LOCKED, Origin(f"guesser-{i}", "rest", "", f"198.51.100.{i}"), f"0000 0000 000{i}")
    ended = datetime.now(timezone.utc)
    agent = Agent(web)
    assert agent.login().status_code == 303
    locked = agent.post("/desk/caller/case", {"case_number": LOCKED.lower()})
    assert locked.status_code == 200, locked.text
    # by hand: the lock ends 24 hours after the first of the five failures (LIMITS["case"])
    possible = {f"{(moment + timedelta(hours=24)).astimezone(CHINA):%Y-%m-%d %H:%M}"
                for moment in (started, ended)}
    assert locked.json()["online_paused_until"] in possible
    assert locked.json()["status"]  # the agent still reads the status to the caller
    other = agent.post("/desk/caller/case", {"case_number": OPEN})
    assert other.status_code == 200 and other.json()["online_paused_until"] == ""
    # the caller page's script shows the pause on each case card (cards are built by desk.js)
    script = agent.get("/desk/static/desk.js")
    assert script.status_code == 200 and '"case-online"' in script.text and "已暂停到" in script.text
