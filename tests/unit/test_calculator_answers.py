"""The calculators' answers as the citizen reads them (dates hand-checked in test_deadlines)."""
import datetime as dt

import pytest

from actions.calculators import due_date_answer, fee_answer
from bot.core import clock
from bot.core.settings import ClockSettings

AGENCY_ID = "zibo_spj"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "pinned", ClockSettings(today=dt.date(2026, 11, 23)))


def ask(text, previous=None):
    return due_date_answer(text, AGENCY_ID, previous)


def test_in_person_submission_gets_the_due_date_with_steps():
    # 2月5日 → 3月11日; extension → 4月9日 (hand counts in test_timeline_cases.py).
    answer, _ = ask("我2026年2月5日当面交的申请，最晚哪天答复")
    assert "答复期限：2026年3月11日" in answer
    assert "如机关依法延长，最晚：2026年4月9日" in answer
    assert "1. 2026年2月5日：当面递交申请" in answer and "条例第三十三条第二款" in answer


def test_the_lawyers_message_gives_11_december():
    answer, facts = ask("当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
                        "11月12日补正寄回，11月14日签收，最晚哪天答复")
    assert "答复期限：2026年12月11日" in answer
    assert "周六（非工作日）" in answer and "条例第三十条" in answer
    assert facts["received_on"].isoformat() == "2026-11-05"


def test_registered_mail_without_signing_day_estimates_and_asks_one_question():
    # Posted 3月2日 → estimated signing 3月5日 → 4月2日 (estimate).
    answer, _ = ask("挂号信3月2日寄出的，什么时候到期")
    assert "答复期限：2026年4月2日（估算）" in answer
    assert answer.rstrip().endswith("我再准确计算。")
    assert answer.count("？") == 1  # one question at a time


def test_signing_day_given_later_replaces_the_estimate():
    # Signed 3月6日 Fri: 3/9–13 (5), 3/16–20 (10), 3/23–27 (15), 3/30–4/3 (20) → 4月3日.
    _, facts = ask("挂号信3月2日寄出的，什么时候到期")
    answer, facts = ask("3月6日签收的", facts)
    assert "答复期限：2026年4月3日" in answer and "（估算）" not in answer.split("\n")[1]


def test_correction_of_the_signing_day_by_day_only():
    # 「不对，是13号签收的」 after 11月5日: signed 11月13日 Fri → 11/16–20 (5), 11/23–27 (10),
    # 11/30–12/4 (15), 12/7–11 (20) → 12月11日.
    _, facts = ask("挂号信11月3日寄出，11月5日签收，最晚哪天答复")
    answer, facts = ask("不对，是13号签收的", facts)
    assert "答复期限：2026年12月11日" in answer
    assert facts["submitted_on"].isoformat() == "2026-11-03"


def test_a_reply_date_is_read_as_a_reply_not_a_submission():
    # 8月2日 + 60 → 10月8日 (past 国庆; hand count in test_timeline_cases.py).
    answer, _ = ask("我8月2日收到了答复，说不予公开")
    assert "申请行政复议：2026年10月8日" in answer
    assert "答复期限" not in answer
    assert "复议前置" in answer


def test_withheld_reply_of_2_march_says_when_to_whom_and_free():
    answer, _ = ask("我3月2日收到不予公开的答复")
    assert "申请行政复议：2026年5月6日（已经过了）" in answer  # today is pinned to 2026-11-23
    assert "向淄博市人民政府申请" in answer
    assert "不收任何费用" in answer and "第八十七条" in answer


def test_unknown_channel_is_stated_as_an_assumption():
    answer, _ = ask("2026年2月5日交的")
    assert "您没有说明递交方式" in answer


def test_year_without_holiday_data_still_gives_dates_labelled_as_estimates():
    # 12月20日 Sun → from 12/21: 12/21–25 (5), 12/28–31 (9), 2027-01-01 (10, est.), 1/4–8 (15),
    # 1/11–15 (20) → 2027年1月15日, estimated.
    answer, _ = ask("2026年12月20日当面交的")
    assert "暂时无法计算" not in answer
    assert "答复期限：2027年1月15日（估算）" in answer
    assert "国务院办公厅尚未公布" in answer


def test_impossible_timeline_gets_a_question():
    answer, _ = ask("挂号信11月5日寄出，11月3日签收")
    assert "能再核对一下吗？" in answer and "答复期限" not in answer


def test_no_date_asks_for_one():
    answer, _ = ask("最晚哪天答复")
    assert "请告诉我申请是哪天、用什么方式递交的" in answer


@pytest.mark.parametrize("text, total", [("一个月申请35件要多少钱", "合计3000元"),
                                         ("材料120页收多少", "合计1100元"),
                                         ("一百二十页要多少钱", "合计1100元")])
def test_fee_is_computed_with_its_working(text, total):
    answer = fee_answer(text, "zibo_spj")
    assert total in answer and "109号" in answer and "尚未核实" in answer


def test_fee_for_the_months_applications_so_far_and_to_come():
    # 8 + 15 = 23 in the month (FACTS §2.1, per item): 1–10 free, 11–23 = 13 × 100元 = 1300元
    answer = fee_answer("这个月我已经向审批局交了8件申请了 还想再交15件 要收钱不", "zibo_spj")
    assert answer.startswith("本月合计23件") and "合计1300元" in answer


def test_fee_without_a_quantity_asks_for_one():
    assert "请告诉我一个月内申请的件数" in fee_answer("要多少钱", "zibo_spj")


def test_the_widget_channel_gets_a_table_rest_and_wechat_numbered_lines():
    message = ("当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
               "11月12日补正寄回，11月14日签收，最晚哪天答复")
    widget, _ = due_date_answer(message, AGENCY_ID, None, table=True)
    plain, _ = ask(message)
    assert "| 2026年12月11日 | 答复期限最后一天" in widget and "答复期限：2026年12月11日" in widget
    assert "7. 2026年12月11日：答复期限最后一天" in plain and "|" not in plain


def test_a_passed_due_date_without_a_reply_asks_whether_one_came():
    # 2026年9月1日 in person → due 9月29日 (hand count in test_timeline_cases.py); on 11月23日 no
    # reply has been told: the answer ends with the one question whether (and when) it came.
    answer, _ = ask("我2026年9月1日当面交的申请，最晚哪天答复")
    assert "答复期限：2026年9月29日（已经过了）" in answer
    assert answer.count("？") == 1 and answer.rstrip().endswith("我按答复重新计算复议、诉讼的期限。")


def test_the_reply_told_after_the_question_joins_the_history():
    # 9月1日 in person → due 9月29日; asked whether a reply came, the citizen says it came on 10月9日
    # (late: after 9月29日). 10/9 + 60: 10/31 (+22), 11/30 (+52), 12/8 (+60) Tue → 2026年12月8日.
    _, facts = ask("我2026年9月1日当面交的申请，最晚哪天答复")
    answer, facts = ask("10月9日收到答复，不予公开", facts)
    assert facts["submitted_on"] == dt.date(2026, 9, 1) and facts["reply_received_on"] == dt.date(2026, 10, 9)
    assert "申请行政复议：2026年12月8日" in answer and "复议前置" in answer


def test_a_reply_before_the_history_told_so_far_starts_a_new_one():
    # The history so far begins 2026年11月20日; a reply received 3月2日 (2026) cannot belong to it:
    # a new question, not an impossible timeline. 3/2 + 60 → 5月1日 (劳动节) → 5月6日.
    _, facts = ask("11月20号当面交的申请，最晚哪天答复")
    answer, facts = ask("我3月2日收到不予公开的答复", facts)
    assert "submitted_on" not in facts and "核对" not in answer
    assert "申请行政复议：2026年5月6日" in answer


def _run_turn(slots, events, text, intent):
    """One user turn as the Rasa server runs it: first the slot-mapping action of ``info_subject``
    (domain/info_request.yml: action_info_request runs at every user message and its SlotSet
    events are applied), then the predicted action_compute_due_date. Returns the slots after."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.calculators import ActionComputeDueDate
    from actions.info_request import ActionInfoRequest

    events = events + [{"event": "action", "name": "action_listen"},
                       {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    for action in (ActionInfoRequest(), ActionComputeDueDate()):
        tracker = Tracker("unit", dict(slots), latest, list(events), False, None, {}, "action_listen")
        for event in asyncio.run(action.run(CollectingDispatcher(), tracker, {})):
            if event.get("event") == "slot":
                slots[event["name"]] = event["value"]
                events.append(event)
        if action.name() == "action_compute_due_date":
            events += [{"event": "action", "name": action.name()}, {"event": "bot", "text": "…"}]
    return slots, events


def test_the_history_survives_the_slot_mapping_action_that_runs_before_each_turn():
    # On the real server 「11月5日签收的」 lost the posting of 11月3日: action_info_request, run as
    # info_subject's slot mapping, answered the follow-up without the facts told so far and its
    # deadline_facts replaced them. Signed 11月5日 → 12月3日 needs the channel; 「不对，是13号签收的」 keeps
    # the posting day (hand counts in test_correction_of_the_signing_day_by_day_only).
    slots, events = _run_turn({"agency": AGENCY_ID}, [], "挂号信11月3日寄出的，最晚哪天答复", "ask_due_date")
    slots, events = _run_turn(slots, events, "11月5日签收的", "inform_timeline")
    assert slots["deadline_facts"] == {"channel": "registered_mail", "submitted_on": "2026-11-03",
                                       "received_on": "2026-11-05"}
    slots, events = _run_turn(slots, events, "不对，是13号签收的", "inform_timeline")
    assert slots["deadline_facts"]["submitted_on"] == "2026-11-03"
    assert slots["deadline_facts"]["received_on"] == "2026-11-13"
    # the reply joins the history though the turn is computed twice (slot mapping, then the action)
    slots, events = _run_turn(slots, events, "11月20日收到答复，不予公开", "inform_timeline")
    assert slots["deadline_facts"]["submitted_on"] == "2026-11-03"
    assert slots["deadline_facts"]["reply_received_on"] == "2026-11-20"


def test_merging_the_same_reply_twice_keeps_the_history():
    from actions.calculators import merge_facts

    told = {"channel": "in_person", "submitted_on": dt.date(2026, 9, 1)}
    reply = {"reply_received_on": dt.date(2026, 10, 9), "reply_type": "withheld"}
    once = merge_facts(told, reply)
    assert once == {**told, **reply} and merge_facts(once, reply) == once
    # another reply date after a reply: another question
    assert merge_facts(once, {"reply_received_on": dt.date(2026, 11, 2)}) == {"reply_received_on": dt.date(2026, 11, 2)}


def test_a_correction_supplied_online_restarts_the_period_from_that_day():
    # 补正 supplied and confirmed 2026-11-02 (Monday): 20 working days from the next day, counted by
    # hand on the 2026 calendar (no holiday in November): 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19),
    # 30 (20) → 11月30日
    answer, _ = ask("网上申请的 让我补材料 我11月2号补上了 他们当天就确认收到了 现在期限咋算")
    assert "答复期限：2026年11月30日" in answer


def test_whether_a_day_is_a_working_day_names_the_day_and_the_notice():
    from actions.calculators import workday_answer
    # by hand: 2026-10-01 is a Thursday, so 10 October is a Saturday; the 2026 National Day notice
    # makes it a make-up working day, and 3 October (Saturday) a National Day holiday
    answer = workday_answer(dt.date(2026, 10, 10), AGENCY_ID)
    assert answer.startswith("2026年10月10日（星期六）是调休上班日，算工作日。")
    assert "来源：国务院办公厅关于2026年部分节假日安排的通知；《政府信息公开条例》第三十三条" in answer
    answer = workday_answer(dt.date(2026, 10, 3), AGENCY_ID)
    assert answer.startswith("2026年10月3日（星期六）是国庆节，不算工作日。")
    assert workday_answer(dt.date(2026, 10, 13), AGENCY_ID).startswith("2026年10月13日（星期二）是工作日。")
    # 2027 is not published yet: 4 January 2027 is a Monday (2027-01-01 is a Friday), by weekends only
    answer = workday_answer(dt.date(2027, 1, 4), AGENCY_ID)
    assert answer.startswith("2027年的节假日安排国务院办公厅尚未公布。2027年1月4日（星期一）按通常安排是工作日")
    assert "节假日安排的通知" not in answer
    # 11 October 2026 is the Sunday after: a weekend day, said once (not 「星期日）是周日」)
    assert workday_answer(dt.date(2026, 10, 11), AGENCY_ID).startswith("2026年10月11日（星期日）是周末，不算工作日。")
