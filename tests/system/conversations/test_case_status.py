"""「我的申请到哪一步了」 through the real servers, on the demo cases (today pinned to 2026-11-23).
Each demo case has the query code printed on its (fictional) receipt in data/demo/cases.json.

Cases locked here (5 wrong codes) are not looked up anywhere else in the session."""
import json
import uuid

import pytest

from tests.support import say, texts
from tests.support.assistant import DEMO_CASES

pytestmark = pytest.mark.servers


def demo_code(number: str) -> str:
    cases = json.loads(DEMO_CASES.read_text(encoding="utf-8"))
    cases = cases["cases"] if isinstance(cases, dict) else cases
    return next(c["query_code"] for c in cases if c["case_number"] == number)


def lookup(assistant, number: str, code: str, sender: str = "") -> str:
    sender = sender or f"case-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "我的申请到哪一步了")
    say(assistant.rasa_url, sender, number)
    return texts(say(assistant.rasa_url, sender, code))


def test_owner_learns_stage_and_due_date(assistant):
    reply = lookup(assistant, "ZBSP-2026-0101", demo_code("ZBSP-2026-0101"))
    assert "当前进度：已受理" in reply
    assert "依法应于2026年12月18日前答复" in reply  # received 2026-11-20 (Fri), hand-checked


def test_a_look_up_asked_with_no_answer_first_says_what_applies_once_the_period_has_passed(assistant):
    # messages.yml overdue_remedies (投诉举报, 行政复议 within 60 days), then the form's question
    sender = f"late-{uuid.uuid4().hex[:8]}"
    reply = texts(say(assistant.rasa_url, sender, "我的申请三个多月了一直没动静 帮我查查"))
    assert "投诉举报" in reply and "60日内" in reply and "来源：" in reply
    assert reply.index("投诉举报") < reply.index("申请编号")
    # the look-up goes on as usual
    assert "查询码" in texts(say(assistant.rasa_url, sender, "ZBSP-2026-0101"))
    # a plain look-up request gets the question alone
    plain = texts(say(assistant.rasa_url, f"plain-{uuid.uuid4().hex[:8]}", "我的申请到哪一步了"))
    assert "投诉举报" not in plain and "申请编号" in plain


def test_a_remedys_last_day_after_an_answered_case_counts_from_the_answer_day(assistant):
    # ZBSP-2026-0057 was answered on 2026-10-12 (cases.json); a review within 60 days from the
    # next day: 19 days of October + 30 of November + 11 of December → 2026-12-11 (hand-counted)
    sender = f"remedy-{uuid.uuid4().hex[:8]}"
    shown = lookup(assistant, "ZBSP-2026-0057", demo_code("ZBSP-2026-0057"), sender)
    assert "2026年10月12日作出答复" in shown
    reply = texts(say(assistant.rasa_url, sender, "给的东西少了好几页 我要复议 最晚哪天"))
    assert "按查询结果中的答复日期（2026年10月12日）" in reply
    assert "申请行政复议：2026年12月11日" in reply and "来源：" in reply


def test_case_number_typed_loosely_is_normalised(assistant):
    reply = lookup(assistant, "ｚｂｓｐ ２０２６ ０１０１", demo_code("ZBSP-2026-0101"))
    assert "ZBSP-2026-0101" in reply and "已受理" in reply


def test_wrong_code_and_unknown_case_get_the_same_answer_revealing_nothing(assistant):
    wrong = lookup(assistant, "ZBSP-2026-0101", "9876 5432 1098")
    unknown = lookup(assistant, "ZBSP-2026-9999", "9876 5432 1098")
    assert "没有查到" in wrong
    assert wrong == unknown
    assert "已受理" not in wrong and "小区" not in wrong


def test_a_wrong_code_can_be_typed_again(assistant):
    sender = f"retry-{uuid.uuid4().hex[:8]}"
    first = texts(say(assistant.rasa_url, sender, "我的申请到哪一步了"))
    assert "申请编号" in first
    assert "查询码" in texts(say(assistant.rasa_url, sender, "ZBSP-2026-0103"))
    again = texts(say(assistant.rasa_url, sender, "1111 2222 3333"))
    assert "没有查到" in again and "还可以再试" in again and "查询码" in again
    # the number is kept: only the code is asked again, and the right one shows the case
    reply = texts(say(assistant.rasa_url, sender, demo_code("ZBSP-2026-0103")))
    assert "ZBSP-2026-0103" in reply and "收到补正后的申请起算" in reply


def test_the_phone_tail_no_longer_opens_a_case(assistant):
    reply = lookup(assistant, "ZBSP-2026-0101", "0001")
    assert "没有认出查询码" in reply and "已受理" not in reply


def test_five_wrong_codes_lock_the_case_for_everyone_and_offer_a_human(assistant):
    number = "ZBSP-2026-0057"
    for attempt in range(5):
        # a new sender each time: the lock is the case's, not the sender's
        reply = lookup(assistant, number, f"9999 0000 {attempt:04d}", f"probe-{uuid.uuid4().hex[:8]}")
        assert "没有查到" in reply
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    replies = say(assistant.rasa_url, owner, "我的申请到哪一步了")
    replies += say(assistant.rasa_url, owner, number)
    replies += say(assistant.rasa_url, owner, demo_code(number))  # even the right code
    reply = texts(replies)
    assert "暂停到" in reply and "当前进度" not in reply
    assert any(b["payload"] == "/request_human" for r in replies for b in r.get("buttons") or [])


def test_overdue_case_tells_the_citizen_where_to_complain_and_seek_review(assistant):
    reply = lookup(assistant, "ZZSP-2026-0033", demo_code("ZZSP-2026-0033"))
    assert "依法应于2026年9月29日前答复" in reply and "已超过期限55天" in reply
    assert "枣庄市人民政府办公室" in reply and "行政复议" in reply and "60日" in reply


def test_extended_case_counts_forty_working_days(assistant):
    reply = lookup(assistant, "ZDZF-2026-0212", demo_code("ZDZF-2026-0212"))
    assert "已延期" in reply and "经延长再加20个工作日" in reply and "2026年12月9日" in reply
    # received Wed 14 Oct: 15–16 Oct (2), 19–23 (7), 26–30 (12), 2–6 Nov (17), 9–11 Nov (20)
    assert "不延期的原答复期限是2026年11月11日" in reply


def test_correction_restarts_the_clock(assistant):
    reply = lookup(assistant, "ZBSP-2026-0103", demo_code("ZBSP-2026-0103"))
    assert "收到补正后的申请起算" in reply and "2026年11月30日" in reply


def test_citizen_can_cancel_the_lookup(assistant):
    sender = f"cancel-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查一下我的申请进度")
    assert "已取消查询" in texts(say(assistant.rasa_url, sender, "算了"))
    assert "20个工作日" in texts(say(assistant.rasa_url, sender, "申请信息公开多久答复？"))


def test_cancelling_after_the_number_forgets_it(assistant):
    sender = f"cancel-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查一下我的申请进度")
    say(assistant.rasa_url, sender, "ZBSP-2026-9998")
    assert "已取消查询" in texts(say(assistant.rasa_url, sender, "取消"))
    # a new look-up asks for the number again
    assert "申请编号" in texts(say(assistant.rasa_url, sender, "查询进度"))


@pytest.mark.parametrize("step", ["number", "code"])
def test_asking_for_a_person_inside_the_form_hands_off(assistant, step):
    sender = f"human-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查询进度")
    if step == "code":
        say(assistant.rasa_url, sender, "ZBSP-2026-9997")
    reply = texts(say(assistant.rasa_url, sender, "转人工"))
    assert "没有认出" not in reply and "没有查到" not in reply
    assert "人工" in reply or "坐席" in reply or "工作人员" in reply
    # the look-up has ended: a question now is answered, not taken as a number or code
    assert "20个工作日" in texts(say(assistant.rasa_url, sender, "申请信息公开多久答复？"))


@pytest.mark.parametrize("said", ["我没有编号", "回执丢了", "我没有查询码"])
def test_no_number_or_code_ends_the_form_with_where_to_find_them(assistant, said):
    sender = f"none-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查询进度")
    if "查询码" in said:
        say(assistant.rasa_url, sender, "ZBSP-2026-9996")
    replies = say(assistant.rasa_url, sender, said)
    reply = texts(replies)
    assert "受理回执" in reply and "0533-2306909" in reply  # zibo_spj's phone (agencies.yml)
    assert "没有认出" not in reply and "没有查到" not in reply
    assert any(b["payload"] == "/request_human" for r in replies for b in r.get("buttons") or [])
    assert "20个工作日" in texts(say(assistant.rasa_url, sender, "申请信息公开多久答复？"))


@pytest.mark.parametrize("step", ["number", "code"])
def test_a_question_inside_the_form_is_answered_not_taken_as_a_number(assistant, step):
    sender = f"faq-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查询进度")
    if step == "code":
        say(assistant.rasa_url, sender, "ZBSP-2026-9995")
    reply = texts(say(assistant.rasa_url, sender, "申请信息公开多久答复？"))
    assert "20个工作日" in reply
    assert "没有认出" not in reply and "没有查到" not in reply
