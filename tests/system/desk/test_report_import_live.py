"""Importing an annual report from the desk (issue 16, item 4) through the real servers: our web
app writing to a copy of the knowledge base (GONGKAI_REVIEW_KB_DIR) and the real action server
answering from that copy (GONGKAI_KB_DIR). A staff member pastes a report, sees the side-by-side
comparison, confirms, and the assistant's annual-report answer gives the new figures within seconds
— without training; who imported it is on record; a PDF is read too. In chromium too (GONGKAI_SCREENSHOTS=1 saves
docs/screenshots/desk-report-import.png).

The action server is called the way the Rasa server calls it after 「张店区2024年收到多少申请」
(action_annual_report), so no trained model is needed."""
from __future__ import annotations

import re
import shutil
import time
import uuid
from pathlib import Path

import pytest

from bot.content import knowledge
from bot.core import clock
from bot.desk.accounts import AccountStore
from bot.desk.workbench import ChangeLog
from bot.serving.action_server import action_token, authorization_header
from bot.tooling import servers, training
from tests.support import post_json, webapp
from tests.support.webapp import Agent

pytestmark = [pytest.mark.servers]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "annual_reports"
STAFF = ("sun", "孙丽")
TITLE_2023 = "2023年政府信息公开工作年度报告"


def zhangdian(year: int) -> str:
    """S3 (张店区人民政府办公室's 2023 report) under another year's title: a report the knowledge
    base does not have yet, with figures known by hand (新收 56, 上年结转 12, 办结 67)."""
    text = (FIXTURES / "zhangdian_gov_2023.txt").read_text(encoding="utf-8")
    assert text.count(TITLE_2023) == 1
    return text.replace(TITLE_2023, f"{year}年政府信息公开工作年度报告")


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    work = tmp_path_factory.mktemp("reports")
    kb = work / "kb"
    shutil.copytree(knowledge.KB_DIR, kb)
    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_KB_DIR": str(kb),
           "GONGKAI_DATABASE_URL": f"sqlite:///{work / 'actions.db'}", "GONGKAI_ACTIONS_METRICS_PORT": "0"}
    actions = servers.start_action_server(port, work / "actions.log", env=env)
    web = None
    try:
        actions.wait_ready()
        web = webapp.start(work, {"GONGKAI_REVIEW_KB_DIR": str(kb), "GONGKAI_KB_DIR": str(kb)})
        AccountStore.from_url(web.database_url).add_agent(*STAFF, webapp.PASSWORD, clock.now(), role="staff")
        yield {"kb": kb, "web": web, "actions": f"http://127.0.0.1:{port}"}
    finally:
        if web is not None:
            web.process.stop()
        actions.stop()


def staff(bench) -> Agent:
    client = Agent(bench["web"])
    assert client.login(STAFF[0]).status_code == 303
    return client


def report_answer(actions_url: str, question: str) -> str:
    """What action_annual_report says to ``question`` in a new conversation."""
    sender = f"reports-{uuid.uuid4().hex[:8]}"
    tracker = {"sender_id": sender, "slots": {"agency": "zhangdian_gov"},
               "latest_message": {"text": question, "intent": {"name": "annual_report", "confidence": 0.99},
                                  "entities": []},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    status, body = post_json(f"{actions_url}/webhook", {
        "next_action": "action_annual_report", "sender_id": sender, "tracker": tracker, "domain": {},
        "version": "3.6.0"}, headers=authorization_header(action_token()))
    assert status == 200, body
    return "\n".join(r.get("text") or "" for r in body["responses"])


def post(client: Agent, data: dict, files=None):
    return client.http.post(client.url("/desk/reports"), data={"csrf_token": client.csrf, **data},
                            files=files, allow_redirects=False)


def test_a_pasted_report_is_compared_then_imported_and_answered_at_once(bench):
    question = "张店区2024年收到多少申请"
    before = report_answer(bench["actions"], question)
    assert "2024年：现有资料中没有这一年的年度报告数字" in before
    client = staff(bench)
    form = {"agency": "zhangdian_gov", "year": "2024", "text": zhangdian(2024)}

    checked = post(client, {**form, "action": "check"})
    assert checked.status_code == 200
    row = re.search(r'<tr data-key="new_requests" class="diff-added">(.*?)</tr>', checked.text, re.S).group(1)
    assert "<td>—</td>" in row and "<td>56件" in row and "新增" in row
    assert 'id="reports-save"' in checked.text
    assert "张店区人民政府办公室2024年" not in re.search(r'id="reports-known">(.*?)</p>', checked.text, re.S).group(1)
    text = (bench["kb"] / "annual_reports.yml").read_text(encoding="utf-8")
    assert "year: 2024\n    source: zhangdian_gov_report_2024" not in text  # checking writes nothing

    saved = post(client, {**form, "action": "save", "notes": "测试导入：张店2023年报改作2024年"})
    assert saved.status_code == 303 and saved.headers["Location"].startswith("/desk/reports?notice=")
    kb = knowledge.load(bench["kb"])
    entry = next(r for r in kb.reports["reports"] if (r["agency"], r["year"]) == ("zhangdian_gov", 2024))
    assert (entry["figures"]["new_requests"], entry["figures"]["carried_over"], entry["figures"]["completed"]) == (
        56, 12, 67)
    assert entry["notes"] == ["测试导入：张店2023年报改作2024年"]
    assert kb.sources[entry["source"]]["title"] == "《张店区人民政府办公室2024年政府信息公开工作年度报告》"

    started = time.monotonic()
    while True:  # the action server looks at the files every second
        after = report_answer(bench["actions"], question)
        if "2024年：本年新收政府信息公开申请数量：56件" in after:
            break
        assert time.monotonic() - started < 15, after
        time.sleep(0.5)
    assert "《张店区人民政府办公室2024年政府信息公开工作年度报告》" in after

    changes = {c.path: c for c in ChangeLog.from_url(bench["web"].database_url).recent()
               if c.faq_id == "report:zhangdian_gov:2024"}
    assert set(changes) == {"annual_reports.yml", "sources.yml"}  # the figures and their new source
    assert {(c.staff, c.kind) for c in changes.values()} == {("sun", "report")}
    assert "+  - agency: zhangdian_gov\n+    year: 2024\n" in changes["annual_reports.yml"].diff
    page = client.get(saved.headers["Location"]).text
    assert "已导入张店区人民政府办公室2024年度报告" in page and "孙丽（sun）" in page
    workbench = client.get("/desk/workbench").text
    assert "导入年度报告 · 张店区人民政府办公室2024年年度报告（annual_reports.yml）" in workbench


def test_the_same_report_again_changes_nothing(bench):
    # S0 is the report data/kb was typed from: every row 「相同」, and saving leaves the file as it was
    client = staff(bench)
    text = (FIXTURES / "zibo_spj_2023.txt").read_text(encoding="utf-8")
    checked = post(client, {"agency": "zibo_spj", "year": "2023", "text": text, "action": "check"})
    assert checked.status_code == 200
    states = re.findall(r'<tr data-key="[a-z_]+" class="diff-([a-z]+)">', checked.text)
    assert states and set(states) == {"same"}
    before = (bench["kb"] / "annual_reports.yml").read_text(encoding="utf-8")
    notes = "\n".join(next(r for r in knowledge.load(bench["kb"]).reports["reports"]
                           if (r["agency"], r["year"]) == ("zibo_spj", 2023))["notes"])
    saved = post(client, {"agency": "zibo_spj", "year": "2023", "text": text, "action": "save", "notes": notes})
    assert saved.status_code == 303
    assert (bench["kb"] / "annual_reports.yml").read_text(encoding="utf-8") == before


def test_wrong_choices_and_files_are_refused_with_the_reason(bench):
    client = staff(bench)
    wrong_year = post(client, {"agency": "zhangdian_gov", "year": "2022", "text": zhangdian(2023), "action": "check"})
    assert wrong_year.status_code == 400
    assert "粘贴的文字是张店区人民政府办公室2023年的年度报告，不是张店区人民政府办公室2022年的" in wrong_year.text
    empty = post(client, {"agency": "zhangdian_gov", "year": "20x4", "text": " ", "action": "check"})
    assert empty.status_code == 400 and "年份应为" in empty.text and "请粘贴年度报告的全文" in empty.text
    broken = post(client, {"agency": "zhangdian_gov", "year": "2023", "text": "", "action": "check"},
                  files={"file": ("report.pdf", b"%PDF-1.7\n...", "application/pdf")})
    assert broken.status_code == 400 and "读不出这个 PDF 文件的文字" in broken.text
    # the PDF fixture (tests/fixtures/annual_reports/make_pdf.py): S2 as data/kb has it, row for row
    pdf = (FIXTURES / "zaozhuang_spj_2024.pdf").read_bytes()
    read = post(client, {"agency": "zaozhuang_spj", "year": "2024", "text": "", "action": "check"},
                files={"file": ("枣庄2024年报.pdf", pdf, "application/pdf")})
    assert read.status_code == 200
    assert set(re.findall(r'<tr data-key="[a-z_]+" class="diff-([a-z]+)">', read.text)) == {"same"}
    assert "11个数字（应为15个）" in read.text  # the misaligned remedies row, said on the page
    upload = post(client, {"agency": "zhangdian_gov", "year": "2023", "text": "", "action": "check"},
                  files={"file": ("report.txt", zhangdian(2023).encode("gb18030"), "text/plain")})
    assert upload.status_code == 200 and 'class="diff-same"' in upload.text
    # an agent answers citizens and does not change the knowledge base
    agent = Agent(bench["web"])
    assert agent.login("li").status_code == 303
    assert agent.get("/desk/reports").status_code in (302, 303, 403)


@pytest.mark.browser
def test_the_import_in_the_browser(bench, browser):
    from playwright.sync_api import expect

    from tests.support.a11y.axe import serious_violations
    from tests.support.browser import log_in_to_desk, screenshot

    web = bench["web"]
    # bypass_csp: axe-core is injected as an inline script, which the desk's policy forbids
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    page.set_default_timeout(20_000)
    log_in_to_desk(page, web.url("/desk/reports"), STAFF[0], webapp.PASSWORD)
    page.goto(web.url("/desk/reports"))
    page.select_option("#reports-agency", "zhangdian_gov")
    page.fill("#reports-year", "2025")
    page.fill("#reports-text", zhangdian(2025))
    page.click("#reports-form button[value=check]")
    expect(page.locator('#reports-diff tr[data-key="new_requests"]')).to_contain_text("56件")
    expect(page.locator('#reports-diff tr[data-key="new_requests"]')).to_contain_text("新增")
    assert serious_violations(page) == []
    page.fill("#reports-notes", "年报原文见机关网站。")
    screenshot(page, "desk-report-import.png", full_page=False)
    page.click("#reports-save")
    expect(page.locator("#reports-notice")).to_contain_text("已导入张店区人民政府办公室2025年度报告")
    expect(page.locator("#reports-known")).to_contain_text("张店区人民政府办公室2025年")
    expect(page.locator("#wb-changes")).to_contain_text("导入年度报告")
