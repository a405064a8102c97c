"""The case look-up never refuses a due date because next year's holiday arrangement is unknown
(issue 15): it gives an estimate counting weekends only, labelled as one.

Hand count (chinese_calendar ships 2026 but not 2027; 2027-01-01 is a Friday):
received 2026-12-15 (Tue); the day of receipt is not counted.
  12/16 Wed 1, 12/17 2, 12/18 3, 12/21–25 → 8, 12/28–31 → 12,
  2027-01-01 Fri 13 (estimate: weekends only), 01/04–08 → 18, 01/11 19, 01/12 Tue 20 → 2027年1月12日.
"""
import datetime as dt

from bot.cases import status
from bot.cases.records import CaseRecord, EventRecord
from bot.content import knowledge

NOW = dt.datetime(2026, 12, 16, 9, 0)


def _case(received: dt.date) -> CaseRecord:
    event = EventRecord("received", received, None, None, None, NOW)
    return CaseRecord(case_number="ZBSP-2026-0999", agency_id="zibo_spj", channel="in_person",
                      submitted_on=received, received_on=received, stage="received", answer_type=None,
                      subject="测试", created_at=NOW, updated_at=NOW, events=(event,),
                      applicant_name="张三", masked_phone="138****0001", has_query_code=True)


def test_due_date_in_an_unknown_year_is_estimated_not_refused():
    text = status.describe(_case(dt.date(2026, 12, 15)), dt.date(2026, 12, 16), knowledge.cached())
    assert "暂时无法计算" not in text
    assert "2027年1月12日" in text
    assert "估算" in text and "2027年" in text


def test_due_date_in_a_known_year_is_not_labelled_an_estimate():
    # received 2026-11-20 (Fri): 11/23–27 → 5, 11/30–12/4 → 10, 12/7–11 → 15, 12/14–18 → 20 → 12月18日
    text = status.describe(_case(dt.date(2026, 11, 20)), dt.date(2026, 11, 23), knowledge.cached())
    assert "2026年12月18日" in text
    assert "估算" not in text


def test_an_extended_case_also_names_its_original_due_date():
    # received Wed 14 Oct 2026: 15–16 Oct (2), 19–23 (7), 26–30 (12), 2–6 Nov (17), 9–11 Nov (20)
    # → 11月11日; extended on 10 Nov by 20 more: 12–13 (2), 16–20 (7), 23–27 (12), 30 Nov–4 Dec (17),
    # 7–9 Dec (20) → 12月9日
    received = dt.date(2026, 10, 14)
    case = _case(received)
    events = (*case.events, EventRecord("extension_approved", dt.date(2026, 11, 10), None, None, None, NOW))
    case = CaseRecord(**{**case.__dict__, "events": events, "stage": "extended"})
    text = status.describe(case, dt.date(2026, 11, 23), knowledge.cached())
    assert "依法应于2026年12月9日前答复" in text
    assert "不延期的原答复期限是2026年11月11日" in text
