"""Checking incoming case data (pure: no database)."""
from datetime import date

import pytest

from bot.cases.located import Located, loads_with_lines
from bot.cases.validation import (
    CaseDataError,
    CaseInput,
    EventInput,
    check_case,
    parse_cases,
    parse_date,
)

GOOD = {
    "case_number": "zbsp 2026 0001",
    "agency_id": "zibo_spj",
    "applicant_name": "示例申请人甲",
    "applicant_phone": "138 0000 0001",
    "channel": "email",
    "submitted_on": "2026-11-09",
    "received_on": "2026/11/10",
    "subject": "（演示）某道路改造工程的施工许可信息",
    "events": [
        {"kind": "received", "occurred_on": "2026-11-10"},
        {"kind": "correction_requested", "occurred_on": "2026年11月13日", "actor": "（演示）经办人",
         "note": "请补充文号"},
    ],
}


def test_a_good_case_is_typed():
    (case,) = parse_cases([GOOD])
    assert case.case_number == "ZBSP-2026-0001"
    assert case.received_on == date(2026, 11, 10)
    assert case.applicant_phone == "138 0000 0001"
    assert case.events[1] == EventInput(
        "correction_requested", date(2026, 11, 13), "（演示）经办人", "请补充文号"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-23", date(2026, 11, 23)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.11.23", date(2026, 11, 23)),
        ("2026年11月23日", date(2026, 11, 23)),
        ("2026-02-30", None),
        ("23/11/2026", None),
        ("2026-11", None),
        ("昨天", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("13800000001", True),
        ("+86 138 0000 0001", True),
        ("0086-13800000001", True),
        ("0533-1234567", True),
        ("(0533) 12345678", True),
        ("1380000001", False),  # ten digits
        ("1234567", False),  # no area code
        ("abc", False),
    ],
)
def test_phone_formats(phone, ok):
    record = {**GOOD, "applicant_phone": phone, "events": []}
    if ok:
        parse_cases([record])
    else:
        with pytest.raises(CaseDataError, match="applicant_phone 不是有效的电话号码") as caught:
            parse_cases([record])
        assert phone not in str(caught.value)  # personal data stays out of messages


def test_json_problems_carry_their_lines():
    text = """[
  {
    "case_number": "ZBSP-2026-0001",
    "agency_id": "zibo_spj",
    "applicant_name": "示例申请人甲",
    "applicant_phone": "13800000001",
    "channel": "in_person",
    "submitted_on": "2026-11-20",
    "subject": "（演示）事项"
  },
  {
    "case_number": "ZBSP-2026",
    "agency_id": "zibo",
    "applicant_name": "示例申请人乙",
    "applicant_phone": "13800000002",
    "channel": "telephone",
    "submitted_on": "2026-11-31",
    "subject": "（演示）事项",
    "stage": "answered",
    "events": [
      {"kind": "received", "occurred_on": "2026-11-20"},
      {"kind": "answered", "occurred_on": "2026-11-21"}
    ]
  }
]"""
    with pytest.raises(CaseDataError) as caught:
        parse_cases(loads_with_lines(text, source="cases.json"))
    found = [(p.source, p.line, p.field) for p in caught.value.problems]
    assert found == [
        ("cases.json", 11, "stage"),
        ("cases.json", 11, "case_number"),
        ("cases.json", 11, "agency_id"),
        ("cases.json", 11, "channel"),
        ("cases.json", 11, "submitted_on"),
        ("cases.json", 22, "answer_type"),
    ]
    message = str(caught.value)
    assert "cases.json 第11行 (line 11): 字段 channel 的值“telephone”无效" in message
    assert "stage is derived from the events" in message
    assert "cases.json 第22行 (line 22): answered 事件必须填写 answer_type" in message


def test_duplicate_case_numbers_name_the_first_line():
    records = [
        Located(GOOD, line=2, source="cases.csv"),
        Located(GOOD, case_number="ZBSP-2026-0002", line=3, source="cases.csv"),
        Located(GOOD, case_number="ZBSP-2026-0001", line=4, source="cases.csv"),
    ]
    with pytest.raises(CaseDataError) as caught:
        parse_cases(records)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.field) == ("cases.csv", 4, "case_number")
    assert problem.zh == "案件编号 ZBSP-2026-0001 重复（第2行已出现）"


def test_missing_fields_and_wrong_types():
    with pytest.raises(CaseDataError) as caught:
        parse_cases([{"case_number": 20260001, "events": "none", "agency_id": "zibo_spj"}])
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["applicant_name", "applicant_phone", "case_number", "channel", "events",
                      "subject", "submitted_on"]
    assert "字段 case_number 应为文本" in str(caught.value)


def _case(*events, received_on=date(2026, 11, 10)):
    return CaseInput(
        case_number="ZBSP-2026-0001", agency_id="zibo_spj", applicant_name="示例申请人甲",
        applicant_phone="13800000001", channel="email", submitted_on=date(2026, 11, 9),
        subject="（演示）事项", received_on=received_on, events=tuple(events),
    )


def E(kind, day, answer_type=None):
    return EventInput(kind, date(2026, 11, day), answer_type=answer_type)


@pytest.mark.parametrize(
    "case, expected",
    [
        (_case(E("received", 10), E("answered", 20, "disclosed")), []),
        (_case(E("correction_requested", 12), E("correction_received", 12)), []),  # same day: order
        (_case(E("received", 11)), ["received 事件日期 2026-11-11 与 received_on 2026-11-10 不一致"]),
        (_case(E("received", 8), received_on=None),
         ["received 事件日期 2026-11-08 早于提交日期 2026-11-09"]),
        (_case(E("extension_approved", 12), received_on=None),
         ["extension_approved 事件之前必须先收到申请：请填写 received_on 或加一条 received 事件"]),
        (_case(E("consultation_replied", 12)),
         ["consultation_replied 事件之前没有对应的 consultation_sent 事件"]),
        (_case(E("fee_notice_sent", 12), E("fee_paid", 13), E("fee_paid", 14)),
         ["fee_paid 事件之前没有对应的 fee_notice_sent 事件"]),
        (_case(E("answered", 12, "disclosed"), E("answered", 13, "withheld")),
         ["一个案件只能有一条 answered 事件（另一条在 2026-11-12）"]),
        (_case(E("fee_notice_sent", 12), E("fee_notice_sent", 12)),
         ["重复的事件：fee_notice_sent 2026-11-12（同一案件同一天同类事件只能有一条）"]),
        (_case(received_on=date(2026, 11, 8)),
         ["received_on 2026-11-08 早于 submitted_on 2026-11-09"]),
        (_case(E("answered", 24, "disclosed")), ["事件日期 2026-11-24 晚于今天（2026-11-23）"]),
    ],
)
def test_rules_across_events(case, expected):
    assert [p.zh for p in check_case(case, today=date(2026, 11, 23))] == expected
