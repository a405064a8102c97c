"""Statutory reply deadlines. Every expected date below is worked out by hand, day by day, in the
comment next to it (receipt day not counted; holidays as listed in test_workdays.py; 2025 清明
4月4日–6日 and 2026 清明 4月4日–6日 off, no make-up day).
"""

import datetime as dt
from collections import namedtuple

import pytest

from bot.rules.deadlines import (
    CHANNELS,
    EVENT_KINDS,
    CalendarUnknownError,
    DeadlineInputError,
    Event,
    compute_deadline,
    fee_payment_due,
    format_date_zh,
    receipt_info,
    reply_due,
)
from bot.rules.workdays import WorkdayCalendar, YearOverride

D = dt.date


def due(received, *events, today=None, calendar=None):
    today = today or received
    return compute_deadline(received, [Event(k, d) for k, d in events], today=today, calendar=calendar)


def test_names_are_the_shared_vocabulary():
    # Another developer's case store uses exactly these names.
    assert CHANNELS == ("in_person", "registered_mail", "ordinary_mail", "email", "online", "fax")
    assert EVENT_KINDS == (
        "received", "correction_requested", "correction_received", "consultation_sent",
        "consultation_replied", "extension_approved", "fee_notice_sent", "fee_paid", "answered",
    )


# --- receipt date (条例第三十一条) --------------------------------------------------------------------


def test_in_person_receipt_is_the_day_handed_in():
    info = receipt_info("in_person", D(2026, 2, 5))
    assert info.fixed is True
    assert info.receipt_date == D(2026, 2, 5)
    assert "2026年2月5日" in info.explanation
    assert info.basis.startswith("条例第三十一条第（一）项")


def test_in_person_without_a_date_states_the_rule_only():
    info = receipt_info("in_person")
    assert info.receipt_date is None and info.fixed is False
    assert "递交当天" in info.explanation


@pytest.mark.parametrize(
    "channel, words, item",
    [
        ("registered_mail", "签收", "（二）"),
        ("ordinary_mail", "确认", "（二）"),
        ("email", "双方确认", "（三）"),
        ("online", "双方确认", "（三）"),
        ("fax", "双方确认", "（三）"),
    ],
)
def test_post_and_internet_receipt_is_not_fixed_by_the_citizen(channel, words, item):
    info = receipt_info(channel, D(2026, 3, 2))
    assert info.receipt_date is None
    assert info.fixed is False
    assert info.known_date == D(2026, 3, 2)
    assert words in info.explanation
    assert item in info.basis


def test_mail_explanation_says_posting_is_not_receipt():
    assert "寄出的日期不是收到日期" in receipt_info("registered_mail", D(2026, 3, 2)).explanation


def test_unknown_channel_is_rejected():
    with pytest.raises(ValueError):
        receipt_info("phone", D(2026, 3, 2))


# --- the ordinary 20 working days -----------------------------------------------------------------


@pytest.mark.parametrize(
    "received, expected",
    [
        # Canonical example. Thu 2/5; 2/6=1, 2/9–13=2–6, Sat 2/14 make-up=7, 2/15–23 off,
        # 2/24–27=8–11, Sat 2/28 make-up=12, 3/2–6=13–17, 3/9=18, 3/10=19, 3/11=20.
        (D(2026, 2, 5), D(2026, 3, 11)),
        # Fri before 2026 Spring Festival. Sat 2/14=1, 2/15–23 off, 2/24–27=2–5, Sat 2/28=6,
        # 3/2–6=7–11, 3/9–13=12–16, 3/16=17, 3/17=18, 3/18=19, 3/19=20.
        (D(2026, 2, 13), D(2026, 3, 19)),
        # Fri before 2025 Spring Festival. Sat 1/25 off, Sun 1/26 make-up=1, 1/27=2, 1/28–2/4 off,
        # 2/5–7=3–5, Sat 2/8 make-up=6, 2/10–14=7–11, 2/17–21=12–16, 2/24=17, 2/25=18, 2/26=19, 2/27=20.
        (D(2025, 1, 24), D(2025, 2, 27)),
        # Mon 2025-01-27, the last day before the break. 2/5–7=1–3, Sat 2/8=4, 2/10–14=5–9,
        # 2/17–21=10–14, 2/24–28=15–19, Mon 3/3=20.
        (D(2025, 1, 27), D(2025, 3, 3)),
        # Fri before 2025 National Day. Sun 9/28 make-up=1, 9/29=2, 9/30=3, 10/1–8 off, 10/9=4,
        # 10/10=5, Sat 10/11 make-up=6, 10/13–17=7–11, 10/20–24=12–16, 10/27=17, 10/28=18, 10/29=19, 10/30=20.
        (D(2025, 9, 26), D(2025, 10, 30)),
        # Tue 2025-09-30. 10/9=1, 10/10=2, Sat 10/11=3, 10/13–17=4–8, 10/20–24=9–13,
        # 10/27–31=14–18, Mon 11/3=19, Tue 11/4=20.
        (D(2025, 9, 30), D(2025, 11, 4)),
        # Fri before 2026 Mid-Autumn/National Day. Sun 9/20 make-up=1, 9/21–24=2–5, 9/25–27 off,
        # 9/28–30=6–8, 10/1–7 off, 10/8=9, 10/9=10, Sat 10/10 make-up=11, 10/12–16=12–16,
        # 10/19=17, 10/20=18, 10/21=19, 10/22=20.
        (D(2026, 9, 18), D(2026, 10, 22)),
        # Wed 2026-09-30. 10/8=1, 10/9=2, Sat 10/10=3, 10/12–16=4–8, 10/19–23=9–13,
        # 10/26–30=14–18, Mon 11/2=19, Tue 11/3=20.
        (D(2026, 9, 30), D(2026, 11, 3)),
    ],
)
def test_reply_due_20_workdays(received, expected):
    assert reply_due(received) == expected
    result = due(received)
    assert result.due_date == expected
    assert result.limit_workdays == 20
    assert not result.extended and not result.paused
    assert result.excluded_workdays == 0


def test_result_carries_the_basis_and_counting_note():
    result = due(D(2026, 2, 5), today=D(2026, 2, 10))
    assert result.basis == ("条例第三十三条第二款：不能当场答复的，自收到申请之日起20个工作日内答复",)
    assert any("当天不计入" in n for n in result.notes)
    assert result.received_on == result.clock_start == D(2026, 2, 5)


def test_result_is_frozen():
    result = due(D(2026, 2, 5))
    with pytest.raises(AttributeError):
        result.due_date = D(2026, 3, 12)


# --- overdue-ness relative to today ---------------------------------------------------------------


def test_days_left_before_the_due_date():
    result = due(D(2026, 2, 5), today=D(2026, 3, 9))  # 3/10 and 3/11 remain
    assert result.overdue is False
    assert result.workdays_remaining == 2
    assert result.days_overdue == 0
    assert "还剩2个工作日" in result.summary_zh()


def test_the_due_date_itself_is_still_on_time():
    result = due(D(2026, 2, 5), today=D(2026, 3, 11))
    assert result.overdue is False
    assert result.workdays_remaining == 0
    assert "今天是最后一天" in result.summary_zh()


def test_the_day_after_is_overdue():
    result = due(D(2026, 2, 5), today=D(2026, 3, 12))
    assert result.overdue is True
    assert result.days_overdue == 1
    assert result.workdays_remaining is None
    assert "已超过期限1天" in result.summary_zh()


def test_answered_on_time_is_not_overdue_later():
    result = due(D(2026, 2, 5), ("answered", D(2026, 3, 10)), today=D(2026, 4, 1))
    assert result.answered_on == D(2026, 3, 10)
    assert result.overdue is False
    assert result.workdays_remaining is None
    assert "已按期答复" in result.summary_zh()


def test_answered_late_is_overdue_by_the_answer_date():
    result = due(D(2026, 2, 5), ("answered", D(2026, 3, 13)), today=D(2026, 5, 1))
    assert result.overdue is True
    assert result.days_overdue == 2


def test_events_after_the_answer_are_ignored():
    result = due(
        D(2026, 2, 5), ("answered", D(2026, 3, 10)), ("extension_approved", D(2026, 3, 11)), today=D(2026, 3, 20)
    )
    assert result.extended is False
    assert result.due_date == D(2026, 3, 11)


# --- extension (条例第三十三条第二款) -------------------------------------------------------------------


def test_extension_crossing_2025_national_day():
    # Mon 2025-09-01. 9/2–5=1–4, 9/8–12=5–9, 9/15–19=10–14, 9/22–26=15–19, Sun 9/28 make-up=20
    # (original due date). Extension: 9/29=21, 9/30=22, 10/1–8 off, 10/9=23, 10/10=24,
    # Sat 10/11=25, 10/13–17=26–30, 10/20–24=31–35, 10/27–31=36–40.
    assert reply_due(D(2025, 9, 1)) == D(2025, 9, 28)
    result = due(D(2025, 9, 1), ("extension_approved", D(2025, 9, 20)), today=D(2025, 10, 9))
    assert result.extended is True
    assert result.limit_workdays == 40
    assert result.due_date == D(2025, 10, 31)
    assert result.overdue is False
    assert any("延长" in b and "20个工作日" in b for b in result.basis)
    assert "20个工作日，经延长再加20个工作日，答复期限到2025年10月31日" in result.summary_zh()


def test_extension_crossing_2026_qingming():
    # From the canonical due date Wed 3/11: 3/12=1, 3/13=2, 3/16–20=3–7, 3/23–27=8–12, 3/30=13,
    # 3/31=14, 4/1=15, 4/2=16, 4/3=17, 4/4–6 off, 4/7=18, 4/8=19, 4/9=20.
    result = due(D(2026, 2, 5), ("extension_approved", D(2026, 3, 5)))
    assert result.due_date == D(2026, 4, 9)
    assert not any("晚于原答复期限" in n for n in result.notes)


def test_only_one_extension_counts():
    result = due(D(2026, 2, 5), ("extension_approved", D(2026, 3, 5)), ("extension_approved", D(2026, 4, 1)))
    assert result.due_date == D(2026, 4, 9)
    assert any("最长不超过20个工作日" in n for n in result.notes)


def test_late_extension_is_flagged_but_still_counted():
    result = due(D(2026, 2, 5), ("extension_approved", D(2026, 3, 12)))
    assert result.due_date == D(2026, 4, 9)
    assert any("晚于原答复期限（2026年3月11日）" in n for n in result.notes)


# --- correction (补正, 条例第三十条) -----------------------------------------------------------------


def test_correction_pending_pauses_the_clock():
    result = due(D(2026, 2, 5), ("correction_requested", D(2026, 2, 10)), today=D(2026, 4, 1))
    assert result.paused is True
    assert result.due_date is None
    assert result.overdue is None and result.days_overdue is None and result.workdays_remaining is None
    assert any(b.startswith("条例第三十条") for b in result.basis)
    assert "暂停" in result.summary_zh()


def test_correction_restarts_20_full_workdays():
    # Corrected application received Mon 2026-03-02. 3/3–6=1–4, 3/9–13=5–9, 3/16–20=10–14,
    # 3/23–27=15–19, Mon 3/30=20.
    result = due(
        D(2026, 2, 5),
        ("correction_requested", D(2026, 2, 10)),
        ("correction_received", D(2026, 3, 2)),
        today=D(2026, 3, 12),
    )
    assert result.paused is False
    assert result.restarted is True
    assert result.clock_start == D(2026, 3, 2)
    assert result.due_date == D(2026, 3, 30)
    assert result.overdue is False  # it would have been overdue on the original count
    assert "收到补正后的申请" in result.summary_zh()


def test_correction_restart_before_2025_national_day():
    # Corrected application received Tue 2025-09-30: same count as a receipt that day → 11/4.
    result = due(
        D(2025, 9, 10), ("correction_requested", D(2025, 9, 15)), ("correction_received", D(2025, 9, 30))
    )
    assert result.due_date == D(2025, 11, 4)


def test_restart_discards_an_earlier_extension_and_consultation():
    result = due(
        D(2026, 2, 5),
        ("consultation_sent", D(2026, 2, 6)),
        ("extension_approved", D(2026, 2, 9)),
        ("correction_requested", D(2026, 2, 10)),
        ("correction_received", D(2026, 3, 2)),
    )
    assert result.due_date == D(2026, 3, 30)
    assert not result.extended and result.excluded_workdays == 0 and not result.consultation_pending


def test_late_correction_notice_is_flagged():
    # 7 working days after Thu 2026-02-05: 2/6=1, 2/9–13=2–6, Sat 2/14=7. A notice on 2/24 is late.
    result = due(D(2026, 2, 5), ("correction_requested", D(2026, 2, 24)))
    assert any("晚于收到申请后7个工作日（2026年2月14日）" in n for n in result.notes)
    on_time = due(D(2026, 2, 5), ("correction_requested", D(2026, 2, 14)))
    assert not any("7个工作日（" in n for n in on_time.notes)


def test_second_correction_notice_is_flagged():
    result = due(
        D(2026, 2, 5),
        ("correction_requested", D(2026, 2, 10)),
        ("correction_received", D(2026, 3, 2)),
        ("correction_requested", D(2026, 3, 4)),
    )
    assert result.paused is True
    assert any("一次性告知" in n for n in result.notes)


# --- consultation (条例第三十二、三十四条，第三十三条第三款) ---------------------------------------------


def test_consultation_days_are_not_counted():
    # Mon 2025-03-03 received; without consultation: 3/4–7=1–4, 3/10–14=5–9, 3/17–21=10–14,
    # 3/24–28=15–19, 3/31=20. Consultation sent Mon 3/10, reply Fri 3/14: 3/11–14 (4 days) skipped.
    # 3/4–7=1–4, 3/10=5, 3/17–21=6–10, 3/24–28=11–15, 3/31=16, 4/1=17, 4/2=18, 4/3=19,
    # Fri 4/4 清明 off, Mon 4/7=20.
    assert reply_due(D(2025, 3, 3)) == D(2025, 3, 31)
    result = due(
        D(2025, 3, 3), ("consultation_sent", D(2025, 3, 10)), ("consultation_replied", D(2025, 3, 14)),
        today=D(2025, 3, 20),
    )
    assert result.due_date == D(2025, 4, 7)
    assert result.excluded_workdays == 4
    assert result.consultation_pending is False
    assert any("第三十三条第三款" in b for b in result.basis)
    assert "已扣除征求意见的4个工作日" in result.summary_zh()


def test_unanswered_consultation_assumes_the_full_15_days():
    # 15 working days after Mon 3/10: 3/11–14=4, 3/17–21=9, 3/24–28=14, 3/31=15 → 3/11..3/31 skipped.
    # 3/4–7=1–4, 3/10=5, 4/1=6, 4/2=7, 4/3=8, 4/4 off, 4/7–11=9–13, 4/14–18=14–18, 4/21=19, 4/22=20.
    result = due(D(2025, 3, 3), ("consultation_sent", D(2025, 3, 10)), today=D(2025, 3, 20))
    assert result.due_date == D(2025, 4, 22)
    assert result.excluded_workdays == 15
    assert result.consultation_pending is True
    assert "这是最晚的日期" in result.summary_zh()


def test_a_late_reply_excludes_no_more_than_15_days():
    result = due(D(2025, 3, 3), ("consultation_sent", D(2025, 3, 10)), ("consultation_replied", D(2025, 4, 15)))
    assert result.due_date == D(2025, 4, 22)
    assert result.excluded_workdays == 15
    assert result.consultation_pending is False


def test_overlapping_consultations_are_not_counted_twice():
    # Third party sent 3/10 replied 3/14; other agency sent 3/12 replied 3/19.
    # Skipped: 3/11–14 ∪ 3/13–19 = 3/11, 12, 13, 14, 17, 18, 19 (7 days).
    # 3/4–7=1–4, 3/10=5, 3/20=6, 3/21=7, 3/24–28=8–12, 3/31=13, 4/1=14, 4/2=15, 4/3=16,
    # 4/4 off, 4/7=17, 4/8=18, 4/9=19, 4/10=20.
    result = due(
        D(2025, 3, 3),
        ("consultation_sent", D(2025, 3, 10)),
        ("consultation_sent", D(2025, 3, 12)),
        ("consultation_replied", D(2025, 3, 14)),
        ("consultation_replied", D(2025, 3, 19)),
    )
    assert result.due_date == D(2025, 4, 10)
    assert result.excluded_workdays == 7


def test_consultation_with_extension():
    # 40 counted days from 2026-02-05 = 4/9 (see the extension test); the 4 skipped days after a
    # consultation sent Mon 3/2 and answered Fri 3/6 (3/3–6) push it to 4/10, 4/13, 4/14, 4/15.
    result = due(
        D(2026, 2, 5),
        ("consultation_sent", D(2026, 3, 2)),
        ("consultation_replied", D(2026, 3, 6)),
        ("extension_approved", D(2026, 3, 9)),
    )
    assert result.due_date == D(2026, 4, 15)
    assert result.excluded_workdays == 4 and result.extended


def test_consultation_sent_after_the_due_date_changes_nothing():
    result = due(D(2026, 2, 5), ("consultation_sent", D(2026, 3, 12)), today=D(2026, 3, 13))
    assert result.due_date == D(2026, 3, 11)
    assert result.overdue is True
    assert result.consultation_pending is False
    assert result.excluded_workdays == 0
    assert not any("第三十三条第三款" in b for b in result.basis)


# --- fees -----------------------------------------------------------------------------------------


def test_fee_notice_does_not_pause_the_clock_and_says_so():
    result = due(D(2026, 2, 5), ("fee_notice_sent", D(2026, 2, 26)), today=D(2026, 3, 12))
    assert result.due_date == D(2026, 3, 11)
    assert result.fee_notice_sent is True and result.fee_paid is False
    assert result.overdue is True
    assert any("尚未核实" in n for n in result.notes)
    assert any("次日起20个工作日" in n for n in result.notes)


def test_fee_paid_drops_the_payment_reminder_but_keeps_the_caveat():
    result = due(D(2026, 2, 5), ("fee_notice_sent", D(2026, 2, 26)), ("fee_paid", D(2026, 3, 2)))
    assert result.fee_paid is True
    assert any("尚未核实" in n for n in result.notes)
    assert not any("次日起20个工作日" in n for n in result.notes)


def test_fee_payment_due_counts_from_the_day_after_the_notice():
    # Same count as a receipt on those days (see above).
    assert fee_payment_due(D(2026, 2, 5)) == D(2026, 3, 11)
    assert fee_payment_due(D(2025, 9, 26)) == D(2025, 10, 30)


# --- unknown years --------------------------------------------------------------------------------

# Made-up 2027 arrangement for the tests only (虚构): Fri 2027-01-01 off, no make-up day.
FICTIONAL_2027 = WorkdayCalendar({2027: YearOverride(2027, "虚构", frozenset({D(2027, 1, 1)}), frozenset())})


def test_deadline_crossing_into_2027_raises():
    with pytest.raises(CalendarUnknownError) as err:
        due(D(2026, 12, 15))
    assert err.value.year == 2027
    with pytest.raises(CalendarUnknownError):
        fee_payment_due(D(2026, 12, 15))


def test_injected_2027_table_makes_it_computable():
    # 12/16–18=1–3, 12/21–25=4–8, 12/28–31=9–12, 1/1 off, 1/4–8=13–17, 1/11=18, 1/12=19, 1/13=20.
    result = due(D(2026, 12, 15), calendar=FICTIONAL_2027, today=D(2027, 1, 12))
    assert result.due_date == D(2027, 1, 13)
    assert result.workdays_remaining == 1


def test_overdue_check_in_an_unknown_year_does_not_need_that_year():
    result = due(D(2026, 2, 5), today=D(2027, 2, 1))
    assert result.overdue is True
    assert result.days_overdue == (D(2027, 2, 1) - D(2026, 3, 11)).days


# --- input forms and errors -----------------------------------------------------------------------


def test_receipt_from_a_received_event():
    result = compute_deadline(None, [Event("received", D(2026, 2, 5))], today=D(2026, 2, 5))
    assert result.due_date == D(2026, 3, 11)


def test_matching_received_event_is_fine_and_contradiction_is_not():
    assert due(D(2026, 2, 5), ("received", D(2026, 2, 5))).due_date == D(2026, 3, 11)
    with pytest.raises(DeadlineInputError):
        due(D(2026, 2, 5), ("received", D(2026, 2, 6)))
    with pytest.raises(DeadlineInputError):
        compute_deadline(None, [], today=D(2026, 2, 5))


def test_events_in_many_shapes_and_any_order():
    Row = namedtuple("Row", "kind date id")
    events = [
        {"kind": "correction_received", "date": D(2026, 3, 2)},
        ("correction_requested", dt.datetime(2026, 2, 10, 9, 30)),
        Row("received", D(2026, 2, 5), 7),
    ]
    result = compute_deadline(D(2026, 2, 5), events, today=D(2026, 3, 3))
    assert result.due_date == D(2026, 3, 30)


@pytest.mark.parametrize(
    "events",
    [
        [("answerd", D(2026, 2, 6))],
        [("correction_requested", D(2026, 2, 4))],  # before the receipt date
        [("consultation_replied", D(2026, 2, 9))],
        [("correction_received", D(2026, 2, 9))],
        [("fee_paid", D(2026, 2, 9))],
        [("answered", None)],
        ["answered"],
    ],
)
def test_contradictory_or_malformed_events_are_rejected(events):
    with pytest.raises(DeadlineInputError):
        compute_deadline(D(2026, 2, 5), events, today=D(2026, 3, 1))


def test_deadline_input_error_is_a_value_error():
    assert issubclass(DeadlineInputError, ValueError)


def test_format_date_zh():
    assert format_date_zh(D(2026, 3, 11)) == "2026年3月11日"

