"""Caller mode's case search by the caller's phone number (issue 16, item 6), and caller mode seeing
the knowledge base served now: the real web app in a subprocess on a temporary SQLite database with
the demo cases imported (tests/support/webapp.py), answering from a copy of the knowledge base
(GONGKAI_KB_DIR). No Rasa: nothing here parses a question."""
import shutil
import time

import pytest
import requests
from sqlalchemy import select

from bot.cases import importer
from bot.cases.models import Case
from bot.cases.store import CaseStore
from bot.core import clock, db
from bot.core.settings import PROJECT_ROOT
from bot.desk.accounts import AccountStore
from tests.support import webapp
from tests.support.webapp import Agent

# data/demo/cases.json: 示例申请人甲 gave 13800000001 for ZBSP-2026-0101 (one case), 乙 13800000002
PHONE, CASE, MASKED = "13800000001", "ZBSP-2026-0101", "138****0001"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    work = tmp_path_factory.mktemp("desk-caller-search")
    shutil.copytree(PROJECT_ROOT / "data" / "kb", work / "kb")
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    importer.import_file(PROJECT_ROOT / "data" / "demo" / "cases.json", CaseStore.from_url(database_url))
    AccountStore.from_url(database_url).add_agent("sun", "孙丽", webapp.PASSWORD, clock.now(), role="staff")
    app = webapp.start(work, {"GONGKAI_KB_DIR": str(work / "kb")})
    app.work = work
    yield app
    app.process.stop()


def test_cases_are_found_by_the_callers_number_however_it_is_typed(web_agent):
    for typed in (PHONE, "138 0000 0001", "+86 138-0000-0001"):
        answer = web_agent.post("/desk/caller/phone", {"phone": typed})
        assert answer.status_code == 200, answer.text
        (item,) = answer.json()["items"]
        assert (item["case_number"], item["phone"], item["applicant"]) == (CASE, MASKED, "示****甲")
        assert item["status"]
    # a number that applied for nothing, and something that is not one number
    assert web_agent.post("/desk/caller/phone", {"phone": "13900000000"}).status_code == 404
    assert web_agent.post("/desk/caller/phone", {"phone": "1380000"}).status_code == 400
    assert web_agent.post("/desk/caller/phone", {"phone": ""}).status_code == 400


def test_the_database_keeps_no_full_number(web):
    engine = db.make_engine(web.database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(Case.__table__)).mappings().all()
    engine.dispose()
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert PHONE not in stored and MASKED in stored
    assert all(row["phone_hmac"] and len(row["phone_hmac"]) == 64 for row in rows)


def test_every_look_up_is_recorded_with_who_when_and_the_masked_number(web, web_agent):
    other = Agent(web)
    assert other.login("wang").status_code == 303
    assert other.post("/desk/caller/phone", {"phone": "13800000002"}).status_code == 200
    assert web_agent.post("/desk/caller/case", {"case_number": "zbsp 2026 0102"}).status_code == 200
    page = web_agent.get("/desk/views")
    assert page.status_code == 200
    table = page.text[page.text.index('id="lookup-table"'):]
    # newest first: li's case number, then wang's phone number (masked, one case found)
    rows = table.split("<tr>")[2:4]
    assert "李明（li）" in rows[0] and "申请编号" in rows[0] and "ZBSP-2026-0102" in rows[0]
    assert "王芳（wang）" in rows[1] and "来电号码" in rows[1] and "138****0002" in rows[1] and "1件" in rows[1]
    assert "13800000002" not in page.text
    log = (web.work / "web.log").read_text(encoding="utf-8")
    assert "desk case lookup: agent=wang phone=138****0002 found=1" in log
    assert "13800000002" not in log


def test_strangers_and_staff_cannot_search(web):
    assert requests.post(web.url("/desk/caller/phone"), json={"phone": PHONE}, timeout=10).status_code in (401, 403)
    staff = Agent(web)
    assert staff.login("sun").status_code == 303
    assert staff.post("/desk/caller/phone", {"phone": PHONE}).status_code == 403


def test_caller_mode_sees_a_knowledge_base_edit_without_a_restart(web, web_agent):
    # The calculator's note on where to apply for 复议 is messages.yml's timeline_remedy_bodies; a
    # staff member's wording change to it (here written to the served copy, as the workbench does)
    # must reach caller mode as it reaches the bot: the desk used to keep the copy it started with.
    history = {"history": "我3月2日收到不予公开的答复", "agency": "zibo_spj"}
    assert any("不收任何费用" in n for n in web_agent.post("/desk/caller/deadline", history).json()["notes"])
    messages = web.work / "kb" / "messages.yml"
    text = messages.read_text(encoding="utf-8")
    assert text.count("不收任何费用（《行政复议法》第八十七条）") == 1
    messages.write_text(text.replace("不收任何费用（", "不收取任何费用（"), encoding="utf-8")
    deadline = time.monotonic() + 20
    while True:
        notes = web_agent.post("/desk/caller/deadline", history).json()["notes"]
        if any("不收取任何费用" in n for n in notes) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert any("不收取任何费用" in n for n in notes), notes
