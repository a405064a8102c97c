"""Issue 15's "Done when", through the real assistant on the day the issue was checked: today is
2026-12-07 (a Monday; the evening, so that nothing is handed over), and 2027's holiday arrangement
is not in our data (chinesecalendar 1.11.0 knows 2004–2026; the override file lists no year).

REST and WeChat get the steps as numbered lines, the website widget (socket.io) as a table.

Hand counts (2026 calendar as in tests/unit/test_timeline_cases.py: 国庆 10月1–7日 off,
10月10日 (Sat) a working day; 劳动节 5月1–5日 off; no holiday in November or December; weekday
anchors 2026-10-01 Thu, 11-01 Sun, 12-01 Tue; 2027-01-01 Fri):

* the lawyer's case: the application was signed for on 11月5日 (Thu), the receipt date
  (条例第三十一条); 7 working days for the 补正 notice: 11/6 (1), 11/9–13 (6), 11/16 (7) → 11月16日,
  so the notice of 11月10日 was in time; the corrected application was signed for on 11月14日, a
  Saturday, so the count restarts (条例第三十条) on Monday 11/16: 11/16–20 (5), 11/23–27 (10),
  11/30–12/4 (15), 12/7–11 (20) → 12月11日.
* 「我3月2日收到不予公开的答复」: 60 natural days from 3月3日: 3/3–31 (29), April (59), 5月1日 (60),
  劳动节 (5/1–5 off) → the next working day, 5月6日 (复议法第八十八条: 民事诉讼法 rules).
* handed in on 11月20日 (Fri): 11/23–27 (5), 11/30–12/4 (10), 12/7–11 (15), 12/14–18 (20) → 12月18日;
  extended (20 more): 12/21–25 (25), 12/28–31 (29), then 2027 — weekends only while unknown:
  1/1 (30), 1/4–8 (35), 1/11–15 (40) → 2027年1月15日 (估算). With a 2027 table that gives 1月1日
  off: 1/4–8 (34), 1/11–15 (39), 1/18 (40) → 2027年1月18日, exact.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid

import pytest

from bot.rules.workdays import DEFAULT_OVERRIDES_PATH, YearOverride, load_overrides, save_year
from tests.support import say, texts

pytestmark = pytest.mark.servers

TODAY = "2026-12-07"
LAWYER = ("当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
          "11月12日补正寄回，11月14日签收，最晚哪天答复")
LAWYER_STEPS = [  # the numbered lines a lawyer checks (REST, WeChat)
    "1. 2026年11月3日：申请寄出/发出（挂号信/EMS等需签收的邮寄）",
    "2. 2026年11月5日：机关签收，这一天是收到申请之日【条例第三十一条第（二）项】",
    "3. 2026年11月10日：补正通知（在期限内）。机关最晚应在11月16日",
    "4. 2026年11月12日：补正材料寄出（提交）",
    "5. 2026年11月14日：机关收到（签收）补正后的申请，答复期限从这一天重新计算【条例第三十条】",
    "6. 2026年11月14日：机关收到补正后的申请的这一天是周六（非工作日），当天不计入，从11月16日",
    "7. 2026年12月11日：答复期限最后一天。自11月14日收到补正后的申请的次日起算20个工作日",
]


@pytest.fixture(scope="module")
def overrides(tmp_path_factory):
    """A copy of the shipped override file (no 2027), which a test may fill in."""
    path = tmp_path_factory.mktemp("calendar") / "overrides.yml"
    path.write_text(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert 2027 not in load_overrides(path)
    return path


@pytest.fixture(scope="module")
def december(assistant, tmp_path_factory, overrides):
    """The session's assistant with its action server (the only process that reads the clock and
    the overrides) started on this day and override file for this module."""
    env = {"GONGKAI_TODAY": TODAY, "GONGKAI_NOW": f"{TODAY}T20:00:00",
           "GONGKAI_CALENDAR_OVERRIDES": str(overrides)}
    log = tmp_path_factory.mktemp("december") / "actions.log"
    with assistant.actions_with(env, log) as running:
        yield running


def ask(assistant, *messages: str) -> list[str]:
    who = f"dec-{uuid.uuid4().hex[:8]}"
    return [texts(say(assistant.rasa_url, who, message)) for message in messages]


def test_the_action_server_warned_at_start_up_that_2027_is_missing(december):
    log = december.actions_log.read_text(encoding="utf-8", errors="replace")
    assert "2027年的法定节假日安排尚未录入" in log and "/desk/calendar" in log


def test_the_lawyers_message_gets_11_december_with_numbered_steps_over_rest(december):
    [reply] = ask(december, LAWYER)
    assert "答复期限：2026年12月11日" in reply and "已经过了" not in reply.split("\n")[1]
    for line in LAWYER_STEPS:
        assert line in reply, line
    assert "8. " not in reply and "|" not in reply
    # the extension limit lies in 2027: given, labelled an estimate, with the reason
    assert "如机关依法延长，最晚：2027年1月8日（估算）" in reply
    assert "2027年的法定节假日安排国务院办公厅尚未公布" in reply and "暂时无法计算" not in reply


def test_withheld_reply_of_2_march_last_day_to_whom_free_and_review_first(december):
    [reply] = ask(december, "我3月2日收到不予公开的答复")
    assert "申请行政复议：2026年5月6日（已经过了）" in reply
    assert "第60日（5月1日）是劳动节，顺延到之后第一个工作日" in reply
    assert "行政复议向淄博市人民政府申请" in reply and "不收任何费用" in reply
    assert "复议前置" in reply and "不能直接起诉" in reply  # FACTS.md §4.3, 复议法第二十三条
    assert "直接提起行政诉讼" not in reply and "答复期限：" not in reply
    # the remedy was not stated → 1 year at most (复议法第二十条第三款) is said, not computed
    assert "最长不超过1年" in reply


def test_20_november_gets_18_december_and_a_labelled_2027_estimate_then_exact_once_entered(
        december, overrides):
    question = "11月20号当面交的申请，最晚哪天答复"
    [before] = ask(december, question)
    assert "答复期限：2026年12月18日" in before and "答复期限：2026年12月18日（估算）" not in before
    assert "如机关依法延长，最晚：2027年1月15日（估算）" in before
    assert "暂时无法计算" not in before
    # staff enter 2027 (a made-up table for this test only: 1月1日 off) — the same file the desk's
    # 节假日安排 page writes; the calendar re-reads it, no restart
    save_year(YearOverride(2027, "测试用安排", frozenset({dt.date(2027, 1, 1)}), frozenset()), overrides)
    try:
        [after] = ask(december, question)
        assert "答复期限：2026年12月18日" in after
        assert "如机关依法延长，最晚：2027年1月18日" in after and "（估算）" not in after
        assert "尚未公布" not in after
    finally:
        overrides.write_text(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"), encoding="utf-8")


def test_a_missing_signing_day_is_asked_once_then_given_then_corrected(december):
    first, second, third = ask(december, "挂号信11月3日寄出的，最晚哪天答复", "11月5日签收的",
                               "不对，是13号签收的")
    # estimated signing 11月6日 (Fri, 寄出后第3天): 11/9–13 (5), 11/16–20 (10), 11/23–27 (15),
    # 11/30–12/4 (20) → 12月4日, an estimate, passed on 12月7日
    assert "答复期限：2026年12月4日（估算）（已经过了）" in first
    assert "2026年11月6日（估算）：估算的签收日" in first
    assert first.count("？") == 1 and "挂号信（EMS）是哪天签收的？" in first
    # signed 11月5日 (Thu): 11/6 (1), 11/9–13 (6), 11/16–20 (11), 11/23–27 (16), 11/30–12/3 (20) → 12月3日
    assert "答复期限：2026年12月3日（已经过了）" in second
    # past due and no reply told: the remedies for silence, as such (12/3 + 60: 12/4–31 (28),
    # January (59), 2027-02-01 (60), a Monday — 2027 unknown, so an estimate), and one question
    assert "一直没有收到答复的：申请行政复议（稳妥期限）：2027年2月1日（估算）" in second
    assert second.count("？") == 1 and "机关答复了吗？" in second
    # 「不对，是13号签收的」: signed 11月13日 (Fri): 11/16–20 (5) … 12/7–11 (20) → 12月11日
    assert "答复期限：2026年12月11日" in third and "2026年11月13日：机关签收" in third
    assert "2026年11月3日：申请寄出" in third  # the rest of the history is kept


def test_impossible_timelines_get_a_polite_question_not_a_date(december):
    signed_before_sent, reply_before_submission = ask(
        december, "我11月10日寄的挂号信，11月8日机关签收了，哪天到期")[0], ask(
        december, "我11月20日当面交的申请，11月18日收到了答复，说不予公开")[0]
    for reply in (signed_before_sent, reply_before_submission):
        assert "能再核对一下吗？" in reply and "期限：" not in reply and not re.search(r"\d+\. ", reply)
    assert "2026年11月8日" in signed_before_sent and "2026年11月10日" in signed_before_sent


def test_a_submission_on_a_holiday_names_it_and_the_first_counted_day(december):
    # 10月3日 (Sat, 国庆): 10/8 (1), 10/9 (2), 10/10 Sat make-up (3), 10/12–16 (8), 10/19–23 (13),
    # 10/26–30 (18), 11/2, 11/3 (20) → 11月3日
    reply, replied = ask(december, "我10月3日当面交的申请，最晚哪天答复", "11月5日收到答复，不予公开")
    assert "答复期限：2026年11月3日（已经过了）" in reply
    assert "国庆节（非工作日），当天不计入，从10月8日（之后第一个工作日）开始计算" in reply
    assert "机关答复了吗？" in reply
    # the reply joins the history: 11/5 + 60: 11/6–30 (25), December (56), 2027-01-04 (60), a Monday
    # in the unknown 2027 → an estimate
    assert "申请行政复议：2027年1月4日（估算）" in replied and "复议前置" in replied
    assert "2026年10月3日：当面递交申请" in replied


def test_the_widget_gets_the_steps_as_a_table(december):
    from tests.support.widget_client import Widget

    async def talk() -> str:
        widget = Widget()
        await widget.client.connect(december.rasa_url, transports=["websocket"], socketio_path="/socket.io")
        try:
            await widget.request_session()
            await widget.say(LAWYER)
            messages = [await asyncio.wait_for(widget.texts.get(), 60)]
            while True:  # the rest of the turn: Rasa's socket.io channel splits at blank lines
                try:
                    messages.append(await asyncio.wait_for(widget.texts.get(), 3))
                except asyncio.TimeoutError:
                    return messages
        finally:
            await widget.client.disconnect()

    messages = asyncio.run(talk())
    assert "答复期限：2026年12月11日" in messages[0]
    table = next(m for m in messages if m.startswith("| 日期 |"))
    assert table.startswith("| 日期 | 计算步骤 | 依据 |\n|---|---|---|\n")  # a Markdown document of its own
    reply = "\n".join(messages)
    rows = [line for line in table.split("\n") if line.startswith("| 2026")]
    assert len(rows) == 7
    assert rows[2].startswith("| 2026年11月10日 | 补正通知（在期限内）。机关最晚应在11月16日")
    assert rows[6].startswith("| 2026年12月11日 | 答复期限最后一天。")
    assert rows[6].endswith("| 条例第三十三条第二款、条例第三十条 |")
    assert "1. 2026年11月3日" not in reply


def test_wechat_gets_the_steps_as_short_numbered_lines(plain_server):
    from tests.support.wechat_client import new_openid
    from tests.system.channels.test_wechat_rasa import api_texts_until, passive, post

    openid, client = new_openid(), plain_server.client
    first = passive(plain_server, post(plain_server, client.plain(client.text(openid, LAWYER))))
    # this server cuts replies into 300-byte parts (at line ends, else at sentence ends); the last
    # line of this answer is the note on 2027 (「…请届时再问一次。」)
    rest = api_texts_until(plain_server, openid, "请届时再问一次")
    reply = first + rest.replace("\n", "")
    assert "答复期限：2026年12月11日" in reply
    for line in LAWYER_STEPS:
        assert line in reply, line
    assert "| 日期 |" not in reply


@pytest.mark.browser
def test_the_widget_shows_the_steps_as_a_table_in_the_browser(december, browser, tmp_path):
    """The real widget (our web app's demo page, rasa-webchat) renders the Markdown table as a
    <table>: a header and the seven steps. GONGKAI_SCREENSHOTS=1 saves widget-deadline-table.png."""
    from playwright.sync_api import expect

    from bot.tooling import servers, training
    from tests.support.browser import screenshot

    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_RASA_PUBLIC_URL": december.rasa_url}
    web = servers.start_web(port, tmp_path / "web.log", env=env)
    try:
        web.wait_ready(timeout=60)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/widget/")
        page.click(".rw-launcher", timeout=30_000)
        expect(page.locator(".rw-response", has_text="公开助手")).to_be_visible(timeout=30_000)
        page.fill(".rw-new-message", LAWYER)
        page.press(".rw-new-message", "Enter")
        answer = page.locator(".rw-response", has_text="答复期限：2026年12月11日").last
        expect(answer).to_be_visible(timeout=60_000)
        table = page.locator(".rw-response table")  # the next message (the channel splits at blank lines)
        expect(table).to_have_count(1, timeout=30_000)
        expect(table.locator("th")).to_have_text(["日期", "计算步骤", "依据"])
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(7)
        expect(rows.nth(6).locator("td").first).to_have_text("2026年12月11日")
        expect(rows.nth(6).locator("td").nth(1)).to_contain_text("答复期限最后一天")
        screenshot(page, "widget-deadline-table.png", settle_ms=600)
        context.close()
    finally:
        web.stop()
