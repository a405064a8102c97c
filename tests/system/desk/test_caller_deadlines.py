"""The desk's caller mode offers the deadline calculator (bot/rules/timeline.py) to a logged-in agent,
and every desk page warns from 1 November while next year's holiday arrangement is missing.
The real web app in a subprocess on a temporary database (tests/support/webapp.py)."""
import datetime as dt

import pytest
import requests

from bot.rules.workdays import DEFAULT_OVERRIDES_PATH, load_overrides
from tests.support import webapp

LAWYER = ("当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
          "11月12日补正寄回，11月14日签收，最晚哪天答复")


@pytest.fixture(scope="module")
def overrides(tmp_path_factory):
    path = tmp_path_factory.mktemp("calendar") / "overrides.yml"
    path.write_text(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def web(tmp_path_factory, overrides):
    # 2026-12-06: chinesecalendar 1.11.0 knows 2026 only, so 2027 is missing (banner expected).
    app = webapp.start(tmp_path_factory.mktemp("desk-deadlines"),
                       {"GONGKAI_TODAY": "2026-12-06", "GONGKAI_CALENDAR_OVERRIDES": str(overrides)})
    yield app
    app.process.stop()


def test_lawyers_history_gives_the_steps_as_table_rows(web_agent):
    # Hand count in tests/unit/test_timeline_cases.py: signed 11月14日 (Sat) → 12月11日.
    answer = web_agent.post("/desk/caller/deadline", {"history": LAWYER, "agency": "zibo_spj"})
    assert answer.status_code == 200
    data = answer.json()
    assert "答复期限：2026年12月11日" in data["headline"]
    last = [s for s in data["steps"] if s["event"] == "答复期限最后一天"][0]
    assert last["date"] == "2026年12月11日" and "条例第三十三条第二款" in last["article"]
    assert any("2027" in note and "估算" in note for note in data["notes"])


def test_withheld_reply_names_the_review_body(web_agent):
    data = web_agent.post("/desk/caller/deadline", {"history": "我3月2日收到不予公开的答复",
                                                "agency": "zibo_spj"}).json()
    assert any(line.startswith("申请行政复议：2026年5月6日") for line in data["headline"])
    assert any("淄博市人民政府" in note and "不收任何费用" in note for note in data["notes"])


def test_impossible_history_gets_a_question(web_agent):
    data = web_agent.post("/desk/caller/deadline", {"history": "挂号信11月5日寄出，11月3日签收"}).json()
    assert data["problem"].endswith("能再核对一下吗？") and not data["steps"]


@pytest.mark.parametrize("history", ["", "   ", "\x00\ud7ff" * 10, "a" * 100000])
def test_any_input_gets_an_answer_not_a_crash(web_agent, history):
    answer = web_agent.post("/desk/caller/deadline", {"history": history})
    assert answer.status_code in (200, 400)


def test_strangers_are_refused(web):
    answer = requests.post(web.url("/desk/caller/deadline"), json={"history": LAWYER}, timeout=10)
    assert answer.status_code in (401, 403)


def test_missing_next_year_shows_a_banner(web_agent):
    page = web_agent.get("/desk/caller").text
    assert 'id="calendar-warning"' in page and "2027年的法定节假日安排尚未录入" in page
    assert 'id="deadline-form"' in page


def form_post(web_agent, path, data):
    return web_agent.http.post(web_agent.url(path), data={**data, "csrf_token": web_agent.csrf}, allow_redirects=False)


def test_a_malformed_year_is_refused_whole(web_agent, overrides):
    # 2027-02-08 is a Monday: not a weekend make-up day, so the whole year is refused.
    answer = form_post(web_agent, "/desk/calendar", {"year": "2027", "source": "测试用安排",
                                                 "holidays": "2027-01-01", "workdays": "2027-02-08"})
    assert answer.status_code == 400 and "没有保存" in answer.text
    assert load_overrides(overrides) == {}


# Made-up tables for these tests only (no checkable source for 2027 or 2028 when written): a day off
# for each festival the page checks, weekends as they fall.
MADE_UP_2027 = "2027-01-01\n2027-02-05 至 2027-02-11\n2027-04-05\n2027-06-09\n2027-09-15\n2027-10-01 至 2027-10-07"
MADE_UP_2028 = ("2028-01-01\n2028-01-26 至 2028-02-01\n2028-04-04\n2028-05-01 至 2028-05-05\n2028-05-29\n"
                "2028-10-01 至 2028-10-07")


def test_half_a_year_is_refused_naming_what_is_missing(web_agent, overrides):
    answer = form_post(web_agent, "/desk/calendar", {"year": "2027", "source": "测试用安排",
                                                 "holidays": "2027-01-01", "workdays": ""})
    assert answer.status_code == 400 and "2027年的安排不完整" in answer.text and "没有春节的放假日" in answer.text
    assert load_overrides(overrides) == {}


def test_entering_next_year_removes_the_banner_and_fixes_the_dates(web_agent, overrides):
    # MADE_UP_2027: in January only 1月1日 off. In person 12月21日 Mon: 12/22–25 (4),
    # 12/28–31 (8), 1/4–8 (13), 1/11–15 (18), 1/18, 1/19 (20) → 2027年1月19日, no longer an estimate.
    answer = form_post(web_agent, "/desk/calendar", {"year": "2027", "source": "测试用安排",
                                                 "holidays": MADE_UP_2027, "workdays": ""})
    assert answer.status_code == 303
    assert set(load_overrides(overrides)) == {2027}
    page = web_agent.get("/desk/calendar").text
    assert 'id="calendar-warning"' not in page and "已保存2027年的节假日安排" in web_agent.get(
        answer.headers["Location"]).text
    data = web_agent.post("/desk/caller/deadline", {"history": "2026年12月21日当面交的申请"}).json()
    assert "答复期限：2027年1月19日" in data["headline"]


@pytest.mark.browser
def test_the_calculator_shows_a_table_in_the_browser(web, browser):
    import re

    from playwright.sync_api import expect

    from tests.support.browser import log_in_to_desk, screenshot

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.set_default_timeout(20_000)
    log_in_to_desk(page, web.url("/desk/caller"), "li", webapp.PASSWORD)
    expect(page).to_have_url(re.compile(r"/desk/$"))
    page.goto(web.url("/desk/caller"))
    page.fill("#history", LAWYER)
    page.click("#deadline-form button[type=submit]")
    expect(page.locator("#deadline-headline")).to_contain_text("答复期限：2026年12月11日")
    row = page.locator("#deadline-steps tr", has_text="答复期限最后一天")
    expect(row).to_contain_text("2026年12月11日")
    expect(row).to_contain_text("条例第三十三条第二款")
    screenshot(page, "desk-caller-deadlines.png", full_page=True)
    page.fill("#history", "挂号信11月5日寄出，11月3日签收")
    page.click("#deadline-form button[type=submit]")
    expect(page.locator("#deadline-problem")).to_contain_text("能再核对一下吗")


@pytest.mark.browser
def test_the_calendar_page_in_the_browser(web, browser, overrides):
    import re

    from playwright.sync_api import expect

    from tests.support.browser import log_in_to_desk, screenshot

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.set_default_timeout(20_000)
    log_in_to_desk(page, web.url("/desk/calendar"), "li", webapp.PASSWORD)
    expect(page).to_have_url(re.compile(r"/desk/$"))
    page.goto(web.url("/desk/calendar"))
    page.fill("#cal-year", "2028")
    page.fill("#cal-source", "测试用安排")
    page.fill("#cal-holidays", "2028-01-01\n2028-10-01 至 2028-10-07")
    page.click("#calendar-form button[type=submit]")
    expect(page.locator("#calendar-problem")).to_contain_text("2028年的安排不完整")
    expect(page.locator("#calendar-problem")).to_contain_text("5月1日（劳动节）")
    expect(page.locator("#calendar-problem")).to_contain_text("没有春节的放假日")
    assert 2028 not in load_overrides(overrides)
    page.fill("#cal-holidays", MADE_UP_2028)
    screenshot(page, "desk-calendar.png", full_page=True)
    page.click("#calendar-form button[type=submit]")
    expect(page.locator("#calendar-notice")).to_contain_text("已保存2028年的节假日安排")
    assert dt.date(2028, 5, 2) in load_overrides(overrides)[2028].holidays
