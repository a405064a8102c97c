"""Worked timelines: every expected date below was counted BY HAND in the comment next to it.

Calendar used for the hand counts (State Council notices, as in test_workdays.py):
  2025: 1月1日; 春节 1月28日–2月4日 off, 1月26日(日)、2月8日(六) work; 清明 4月4–6日;
        劳动节 5月1–5日, 4月27日(日) work; 端午 5月31日–6月2日; 国庆中秋 10月1–8日 off,
        9月28日(日)、10月11日(六) work.
  2026: 元旦 1月1–3日 off, 1月4日(日) work; 春节 2月15–23日 off, 2月14日(六)、2月28日(六) work;
        清明 4月4–6日; 劳动节 5月1–5日 off, 5月9日(六) work; 端午 6月19–21日;
        中秋 9月25–27日 off, 9月20日(日) work; 国庆 10月1–7日 off, 10月10日(六) work.
  2027: not published → estimated with weekends only (1月1日 is a Friday, counted as a working day).
Weekday anchors: 2026-01-01 Thu, 02-01 Sun, 03-01 Sun, 04-01 Wed, 05-01 Fri, 06-01 Mon, 07-01 Wed,
08-01 Sat, 09-01 Tue, 10-01 Thu, 11-01 Sun, 12-01 Tue; 2025-01-01 Wed, 09-01 Mon, 12-01 Mon;
2027-01-01 Fri, 2027-02-28 Sun.
Rules (FACTS.md §3): the day of receipt is not counted; reply 20 working days (条例第三十三条);
补正 restarts the count (第三十条); 复议 60 natural days, a last day off work moves to the next
working day (复议法第八十八条); 诉讼 6 months (行诉法第四十六条), 15 days after 复议 (第四十五条).
The calendar is the shipped one without overrides, so that the tests do not move if an override
file later gains 2027 (a case at the end injects a made-up 2027 table on purpose).
"""

import datetime as dt

import pytest

from bot.rules.timeline import Consultation, Timeline, compute, extension_zh, render_zh
from bot.rules.workdays import WorkdayCalendar, YearOverride

D = dt.date
CAL = WorkdayCalendar({})  # chinese_calendar 1.11.0 (2004–2026) only
TODAY = D(2026, 12, 6)


def run(today=TODAY, **facts):
    return compute(Timeline(**facts), today=today, calendar=CAL)


def assert_exact(result, key, day):
    found = result.deadlines[key]
    assert found.day == day, f"{key}: {found.day} != {day}"
    assert found.estimated is False, f"{key} should be exact"


def assert_estimated(result, key, day):
    found = result.deadlines[key]
    assert found.day == day, f"{key}: {found.day} != {day}"
    assert found.estimated is True, f"{key} should be labelled an estimate"


# --- the lawyer's case from issue 15 ---------------------------------------------------------------


def test_lawyer_case_registered_mail_with_correction_gives_11_december():
    # Posted 11月3日; signed 11月5日 (the receipt date, 条例第三十一条); 补正 notice 11月10日;
    # corrected application posted 11月12日, signed 11月14日 (a Saturday) → count restarts there.
    # 20 working days after 11月14日: 11/16–20 (5), 11/23–27 (10), 11/30–12/4 (15), 12/7–11 (20) → 12月11日.
    r = run(channel="registered_mail", submitted_on=D(2026, 11, 3), received_on=D(2026, 11, 5),
            correction_requested_on=D(2026, 11, 10), correction_sent_on=D(2026, 11, 12),
            correction_received_on=D(2026, 11, 14), today=D(2026, 11, 23))
    assert_exact(r, "reply_due", D(2026, 12, 11))
    # 7 working days after 11月5日: 11/6 (1), 11/9–13 (6), 11/16 (7) → the 补正 notice of 11/10 was in time.
    assert_exact(r, "correction_notice_limit", D(2026, 11, 16))
    assert not any("晚于" in n for n in r.notes)
    text = render_zh(r)
    assert "周六（非工作日）" in text and "从11月16日" in text
    assert "条例第三十条" in text and "条例第三十一条" in text and "条例第三十三条第二款" in text


def test_lawyer_case_extension_limit_crosses_into_unknown_2027_and_is_labelled():
    # From 12月11日 (20th) on: 12/14–18 (25), 12/21–25 (30), 12/28–31 (34), 2027-01-01 Fri (35, est.),
    # 1/4–8 (40) → 2027年1月8日, an estimate.
    r = run(channel="registered_mail", submitted_on=D(2026, 11, 3), received_on=D(2026, 11, 5),
            correction_requested_on=D(2026, 11, 10), correction_received_on=D(2026, 11, 14))
    assert_estimated(r, "extended_reply_due", D(2027, 1, 8))
    assert r.unknown_years == frozenset({2027})
    assert "通常在11月或12月发布" in render_zh(r)


# --- receipt date by channel (条例第三十一条) ----------------------------------------------------------


def test_in_person_across_spring_festival_2026():
    # 2月5日 Thu. 2/6 (1), 2/9–13 (6), 2/14 Sat make-up (7), 2/15–23 off, 2/24–27 (11),
    # 2/28 Sat make-up (12), 3/2–6 (17), 3/9, 3/10, 3/11 (20) → 3月11日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 5))
    assert_exact(r, "reply_due", D(2026, 3, 11))


def test_registered_mail_signing_day_is_the_receipt_date():
    # Signed 3月5日 Thu: 3/6 (1), 3/9–13 (6), 3/16–20 (11), 3/23–27 (16), 3/30, 3/31, 4/1, 4/2 (20) → 4月2日.
    r = run(channel="registered_mail", submitted_on=D(2026, 3, 2), received_on=D(2026, 3, 5))
    assert_exact(r, "reply_due", D(2026, 4, 2))


def test_registered_mail_without_signing_day_is_estimated_three_days_after_posting():
    # Posted 3月2日 → signing estimated 3月5日 → same count as above → 4月2日, labelled an estimate.
    r = run(channel="registered_mail", submitted_on=D(2026, 3, 2))
    assert_estimated(r, "reply_due", D(2026, 4, 2))
    assert any("寄出后第3天" in n for n in r.notes)
    assert "（估算）" in render_zh(r)


def test_ordinary_mail_confirmation_day_across_dragon_boat():
    # Confirmed 6月10日 Wed: 6/11, 6/12 (2), 6/15–18 (6), 6/19 端午 off, 6/22–26 (11),
    # 6/29, 6/30, 7/1, 7/2, 7/3 (16), 7/6–9 (20) → 7月9日.
    r = run(channel="ordinary_mail", submitted_on=D(2026, 6, 8), received_on=D(2026, 6, 10))
    assert_exact(r, "reply_due", D(2026, 7, 9))


def test_email_confirmation_across_mid_autumn_and_national_day_2026():
    # Confirmed 9月21日 Mon: 9/22–24 (3), 9/25–27 off, 9/28–30 (6), 10/1–7 off, 10/8, 10/9 (8),
    # 10/10 Sat make-up (9), 10/12–16 (14), 10/19–23 (19), 10/26 (20) → 10月26日.
    r = run(channel="email", submitted_on=D(2026, 9, 18), received_on=D(2026, 9, 21))
    assert_exact(r, "reply_due", D(2026, 10, 26))


def test_online_across_labour_day_with_make_up_saturday():
    # Confirmed 4月30日 Thu: 5/1–5 off, 5/6–8 (3), 5/9 Sat make-up (4), 5/11–15 (9), 5/18–22 (14),
    # 5/25–29 (19), 6/1 (20) → 6月1日.
    r = run(channel="online", submitted_on=D(2026, 4, 30), received_on=D(2026, 4, 30))
    assert_exact(r, "reply_due", D(2026, 6, 1))


def test_fax_at_year_end_gives_an_estimate_in_2027():
    # Confirmed 12月28日 Mon: 12/29–31 (3), 2027-01-01 Fri (4, est.), 1/4–8 (9), 1/11–15 (14),
    # 1/18–22 (19), 1/25 (20) → 2027年1月25日, estimated.
    r = run(channel="fax", submitted_on=D(2026, 12, 28), received_on=D(2026, 12, 28))
    assert_estimated(r, "reply_due", D(2027, 1, 25))
    # The 补正 limit stays in 2026 and is exact: 12/29–31 (3), 1/1 (4, est.) … → crosses too:
    # 12/29, 12/30, 12/31 (3), 1/1 (4), 1/4, 1/5, 1/6 (7) → 2027年1月6日, estimated.
    assert_estimated(r, "correction_notice_limit", D(2027, 1, 6))


def test_email_without_confirmation_is_estimated_on_the_sending_day():
    # Sent 7月6日 Mon, confirmation unknown → estimated 7月6日: 7/7–10 (4), 7/13–17 (9), 7/20–24 (14),
    # 7/27–31 (19), 8/3 (20) → 8月3日, estimated.
    r = run(channel="email", submitted_on=D(2026, 7, 6))
    assert_estimated(r, "reply_due", D(2026, 8, 3))
    assert any("双方确认" in n for n in r.notes)


def test_no_channel_is_taken_as_in_person_and_says_so():
    # As the in-person case above: 2月5日 → 3月11日.
    r = run(submitted_on=D(2026, 2, 5))
    assert_exact(r, "reply_due", D(2026, 3, 11))
    assert any("没有说明递交方式" in n for n in r.notes)


# --- submissions on days off --------------------------------------------------------------------------


def test_submitted_during_national_day_names_the_holiday_and_the_first_working_day():
    # 10月3日 Sat (国庆). 10/8 (1), 10/9 (2), 10/10 Sat make-up (3), 10/12–16 (8), 10/19–23 (13),
    # 10/26–30 (18), 11/2, 11/3 (20) → 11月3日.
    r = run(channel="in_person", submitted_on=D(2026, 10, 3))
    assert_exact(r, "reply_due", D(2026, 11, 3))
    text = render_zh(r)
    assert "国庆节（非工作日）" in text and "从10月8日" in text


def test_submitted_during_spring_festival():
    # 2月16日 Mon (春节). 2/24–27 (4), 2/28 Sat make-up (5), 3/2–6 (10), 3/9–13 (15), 3/16–20 (20) → 3月20日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 16))
    assert_exact(r, "reply_due", D(2026, 3, 20))
    assert "春节（非工作日）" in render_zh(r) and "从2月24日" in render_zh(r)


def test_confirmed_on_a_saturday():
    # 3月7日 Sat. 3/9–13 (5), 3/16–20 (10), 3/23–27 (15), 3/30, 3/31, 4/1, 4/2, 4/3 (20) → 4月3日.
    r = run(channel="online", submitted_on=D(2026, 3, 7), received_on=D(2026, 3, 7))
    assert_exact(r, "reply_due", D(2026, 4, 3))
    assert "周六（非工作日）" in render_zh(r) and "从3月9日" in render_zh(r)


def test_handed_in_on_a_make_up_saturday_is_an_ordinary_working_day():
    # 2月28日 Sat is a make-up working day. 3/2–6 (5), 3/9–13 (10), 3/16–20 (15), 3/23–27 (20) → 3月27日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 28))
    assert_exact(r, "reply_due", D(2026, 3, 27))
    assert "非工作日" not in render_zh(r)


# --- holidays inside the period ----------------------------------------------------------------------


def test_qingming_2026():
    # 4月1日 Wed. 4/2, 4/3 (2), 4/4–6 off, 4/7–10 (6), 4/13–17 (11), 4/20–24 (16), 4/27–30 (20) → 4月30日.
    r = run(channel="in_person", submitted_on=D(2026, 4, 1))
    assert_exact(r, "reply_due", D(2026, 4, 30))


def test_year_end_2025_into_new_year_2026_with_sunday_make_up():
    # 2025-12-15 Mon. 12/16–19 (4), 12/22–26 (9), 12/29–31 (12), 1/1–3 off, 1/4 Sun make-up (13),
    # 1/5–9 (18), 1/12, 1/13 (20) → 2026年1月13日.
    r = run(channel="in_person", submitted_on=D(2025, 12, 15))
    assert_exact(r, "reply_due", D(2026, 1, 13))


def test_national_day_2025_with_two_make_up_days():
    # 2025-09-26 Fri. 9/28 Sun make-up (1), 9/29, 9/30 (3), 10/1–8 off, 10/9, 10/10 (5),
    # 10/11 Sat make-up (6), 10/13–17 (11), 10/20–24 (16), 10/27–30 (20) → 2025年10月30日.
    r = run(channel="in_person", submitted_on=D(2025, 9, 26))
    assert_exact(r, "reply_due", D(2025, 10, 30))


def test_spring_festival_2025():
    # 2025-01-20 Mon. 1/21–24 (4), 1/26 Sun make-up (5), 1/27 (6), 1/28–2/4 off, 2/5–7 (9),
    # 2/8 Sat make-up (10), 2/10–14 (15), 2/17–21 (20) → 2025年2月21日.
    r = run(channel="in_person", submitted_on=D(2025, 1, 20))
    assert_exact(r, "reply_due", D(2025, 2, 21))


# --- 补正 (条例第三十条) ------------------------------------------------------------------------------


def test_late_correction_notice_is_pointed_out_and_the_count_restarts():
    # Received 3月2日 Mon; 7 working days: 3/3–6 (4), 3/9–11 (7) → limit 3月11日; notice 3月13日 is late.
    # Corrected application 3月20日 Fri: 3/23–27 (5), 3/30–4/3 (10), 4/4–6 off, 4/7–10 (14),
    # 4/13–17 (19), 4/20 (20) → 4月20日.
    r = run(channel="in_person", submitted_on=D(2026, 3, 2), correction_requested_on=D(2026, 3, 13),
            correction_received_on=D(2026, 3, 20))
    assert_exact(r, "correction_notice_limit", D(2026, 3, 11))
    assert any("晚于收到申请后7个工作日" in n for n in r.notes)
    assert_exact(r, "reply_due", D(2026, 4, 20))


def test_correction_pending_has_no_reply_date_and_asks_when_it_arrived():
    r = run(channel="in_person", submitted_on=D(2026, 5, 11), correction_requested_on=D(2026, 5, 13))
    assert r.paused and "reply_due" not in r.deadlines
    assert "暂停" in render_zh(r)


def test_corrected_application_posted_without_signing_day_is_estimated():
    # Corrected application posted 6月8日 Mon → estimated arrival 6月11日 Thu: 6/12 (1), 6/15–18 (5),
    # 6/19 off, 6/22–26 (10), 6/29, 6/30 (12), 7/1–3 (15), 7/6–10 (20) → 7月10日, estimated.
    r = run(channel="registered_mail", submitted_on=D(2026, 6, 1), received_on=D(2026, 6, 3),
            correction_requested_on=D(2026, 6, 5), correction_sent_on=D(2026, 6, 8))
    assert_estimated(r, "reply_due", D(2026, 7, 10))


def test_correction_restart_across_spring_festival():
    # Corrected application 2月12日 Thu: 2/13 (1), 2/14 Sat make-up (2), 2/15–23 off, 2/24–27 (6),
    # 2/28 Sat make-up (7), 3/2–6 (12), 3/9–13 (17), 3/16, 3/17, 3/18 (20) → 3月18日.
    r = run(channel="in_person", submitted_on=D(2026, 1, 26), correction_requested_on=D(2026, 1, 28),
            correction_received_on=D(2026, 2, 12))
    assert_exact(r, "reply_due", D(2026, 3, 18))


# --- consultation (条例第三十二条、第三十四条、第三十三条第三款) ---------------------------------------


def test_consultation_days_are_not_counted():
    # Received 3月2日. Consultation sent 3/9, replied 3/13: 3/10–13 (4 working days) not counted.
    # 3/3–6 (4), 3/9 (5), [3/10–13 skipped], 3/16–20 (10), 3/23–27 (15), 3/30, 3/31, 4/1, 4/2, 4/3 (20) → 4月3日.
    r = run(channel="in_person", submitted_on=D(2026, 3, 2),
            consultations=(Consultation(D(2026, 3, 9), D(2026, 3, 13)),))
    assert_exact(r, "reply_due", D(2026, 4, 3))


def test_consultation_without_reply_counts_the_full_15_days():
    # Sent 3/9; 15 working days after: 3/10–13 (4), 3/16–20 (9), 3/23–27 (14), 3/30 (15) — all skipped.
    # 3/3–6 (4), 3/9 (5), 3/31 (6), 4/1–3 (9), 4/4–6 off, 4/7–10 (13), 4/13–17 (18), 4/20, 4/21 (20) → 4月21日.
    r = run(channel="in_person", submitted_on=D(2026, 3, 2), consultations=(Consultation(D(2026, 3, 9)),))
    assert_exact(r, "reply_due", D(2026, 4, 21))
    assert any("用满15个工作日" in n for n in r.notes)


def test_consultation_reply_after_15_days_is_capped():
    # Reply 4月10日 comes after the 15-day cap (3/30): same as the case above → 4月21日.
    r = run(channel="in_person", submitted_on=D(2026, 3, 2),
            consultations=(Consultation(D(2026, 3, 9), D(2026, 4, 10)),))
    assert_exact(r, "reply_due", D(2026, 4, 21))


# --- extension (条例第三十三条第二款) ------------------------------------------------------------------


def test_extension_adds_twenty_working_days():
    # 20th day 3月11日 (case above); then 3/12, 3/13 (22), 3/16–20 (27), 3/23–27 (32), 3/30–4/3 (37),
    # 4/4–6 off, 4/7, 4/8, 4/9 (40) → 4月9日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), extension_on=D(2026, 3, 6))
    assert_exact(r, "reply_due", D(2026, 3, 11))
    assert_exact(r, "extended_reply_due", D(2026, 4, 9))
    assert "延长后的答复期限最后一天" in render_zh(r)


def test_extension_notice_after_the_due_date_is_pointed_out():
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), extension_on=D(2026, 3, 12))
    assert any("晚于原答复期限" in n for n in r.notes)


def test_application_of_20_november_gives_18_december_and_an_estimated_extension():
    # The second complaint: 11月20日 Fri. 11/23–27 (5), 11/30–12/4 (10), 12/7–11 (15),
    # 12/14–18 (20) → 12月18日, exact. Extension: 12/21–25 (25), 12/28–31 (29), 2027-01-01 (30, est.),
    # 1/4–8 (35), 1/11–15 (40) → 2027年1月15日, estimated.
    r = run(channel="in_person", submitted_on=D(2026, 11, 20))
    assert_exact(r, "reply_due", D(2026, 12, 18))
    assert_estimated(r, "extended_reply_due", D(2027, 1, 15))


def test_extension_across_mid_autumn_and_national_day():
    # 9月1日 Tue. 9/2–4 (3), 9/7–11 (8), 9/14–18 (13), 9/20 Sun make-up (14), 9/21–24 (18),
    # 9/25–27 off, 9/28, 9/29 (20) → 9月29日. Then 9/30 (21), 10/1–7 off, 10/8, 10/9 (23),
    # 10/10 Sat make-up (24), 10/12–16 (29), 10/19–23 (34), 10/26–30 (39), 11/2 (40) → 11月2日.
    r = run(channel="in_person", submitted_on=D(2026, 9, 1), extension_on=D(2026, 9, 20))
    assert_exact(r, "reply_due", D(2026, 9, 29))
    assert_exact(r, "extended_reply_due", D(2026, 11, 2))


def test_unknown_year_gives_exact_dates_where_possible():
    # 12月21日 Mon. 补正 limit: 12/22–25 (4), 12/28–30 (7) → 12月30日, exact.
    # Reply: 12/22–25 (4), 12/28–31 (8), 2027-01-01 (9, est.), 1/4–8 (14), 1/11–15 (19), 1/18 (20)
    # → 2027年1月18日, estimated (never 「暂时无法计算」).
    r = run(channel="in_person", submitted_on=D(2026, 12, 21))
    assert_exact(r, "correction_notice_limit", D(2026, 12, 30))
    assert_estimated(r, "reply_due", D(2027, 1, 18))


def test_a_published_2027_table_makes_the_same_date_exact():
    # A made-up 2027 table for this test only (1月1日 off). 12/22–25 (4), 12/28–31 (8),
    # 1/4–8 (13), 1/11–15 (18), 1/18, 1/19 (20) → 2027年1月19日, exact.
    table = {2027: YearOverride(2027, "测试用安排", frozenset({D(2027, 1, 1)}), frozenset())}
    r = compute(Timeline(channel="in_person", submitted_on=D(2026, 12, 21)), today=D(2026, 12, 21),
                calendar=WorkdayCalendar(table))
    assert_exact(r, "reply_due", D(2027, 1, 19))
    assert not r.unknown_years


# --- remedies ------------------------------------------------------------------------------------------


def test_withheld_reply_received_2_march_review_by_6_may_and_no_direct_suit():
    # 3月2日 + 60 days: 3/31 (+29), 4/30 (+59), 5/1 (+60) = 劳动节 (5/1–5 off) → 5月6日 Wed.
    r = run(reply_received_on=D(2026, 3, 2), reply_type="withheld", today=D(2026, 3, 3))
    assert_exact(r, "review", D(2026, 5, 6))
    assert "suit_direct" not in r.deadlines  # 复议前置
    text = render_zh(r)
    assert "复议前置" in text and "复议法第二十三条" in text and "第八十七条" in text and "劳动节" in text


def test_withheld_reply_received_2_august_review_moves_past_national_day():
    # 8月2日 + 60: 8/31 (+29), 9/30 (+59), 10/1 (+60) = 国庆 (10/1–7 off) → 10月8日 Thu.
    r = run(reply_received_on=D(2026, 8, 2), reply_type="withheld", today=D(2026, 8, 3))
    assert_exact(r, "review", D(2026, 10, 8))


def test_not_exist_reply_review_and_direct_suit():
    # 4月20日 + 60: 4/30 (+10), 5/31 (+41), 6/19 (+60) = 端午 (6/19–21 off) → 6月22日 Mon.
    # 6 months: 10月20日 Tue, a working day.
    r = run(reply_received_on=D(2026, 4, 20), reply_type="not_exist", today=D(2026, 4, 21))
    assert_exact(r, "review", D(2026, 6, 22))
    assert_exact(r, "suit_direct", D(2026, 10, 20))
    assert any("尚未核实" in n for n in r.notes)  # whether 复议前置 applies (FACTS §4.3)


def test_disclosed_reply_end_of_month_counting():
    # 1月30日 + 60: 1/31 (+1), 2/28 (+29), 3/31 (+60) → 3月31日 Tue. 6 months: 7月30日 Thu.
    r = run(reply_received_on=D(2026, 1, 30), reply_type="disclosed", today=D(2026, 2, 1))
    assert_exact(r, "review", D(2026, 3, 31))
    assert_exact(r, "suit_direct", D(2026, 7, 30))


def test_partial_disclosure_six_months_from_31_august_ends_in_february_2027_estimated():
    # 8月31日 + 60: 9/30 (+30), 10/30 (+60) → 10月30日 Fri.
    # 6 months: 2027-02-31 does not exist → 2月28日 (Sun, 2027 unknown) → Mon 3月1日, estimated.
    r = run(reply_received_on=D(2026, 8, 31), reply_type="partially_disclosed", today=D(2026, 9, 1))
    assert_exact(r, "review", D(2026, 10, 30))
    assert_estimated(r, "suit_direct", D(2027, 3, 1))
    assert any("部分公开" in n and "尚未核实" in n for n in r.notes)


def test_remedy_not_stated_caps_review_at_one_year():
    # 2026-03-02 + 1 year = 2027-03-02 Tue (2027 unknown → estimated).
    r = run(reply_received_on=D(2026, 3, 2), reply_type="withheld", remedy_stated=False, today=D(2026, 3, 3))
    assert_estimated(r, "review_cap", D(2027, 3, 2))
    assert "复议法第二十条第三款" in render_zh(r)


def test_suit_after_review_decision_moves_past_national_day():
    # Decision received 9月16日 + 15 = 10月1日 (国庆, off until 10/7) → 10月8日.
    r = run(reply_received_on=D(2026, 7, 1), reply_type="withheld",
            review_decision_received_on=D(2026, 9, 16), today=D(2026, 9, 17))
    assert_exact(r, "suit_after_review", D(2026, 10, 8))


def test_review_last_day_on_a_make_up_saturday_stays():
    # 8月11日 + 60: 8/31 (+20), 9/30 (+50), 10/10 (+60) = Sat, a make-up working day → stays 10月10日.
    r = run(reply_received_on=D(2026, 8, 11), reply_type="disclosed", today=D(2026, 8, 12))
    assert_exact(r, "review", D(2026, 10, 10))


def test_review_last_day_on_a_weekend_moves_to_monday():
    # 6月16日 + 60: 6/30 (+14), 7/31 (+45), 8/15 (+60) = Sat → Mon 8月17日.
    r = run(reply_received_on=D(2026, 6, 16), reply_type="not_exist", today=D(2026, 6, 17))
    assert_exact(r, "review", D(2026, 8, 17))
    assert "周六" in render_zh(r)


def test_silence_after_the_due_date_gives_remedy_dates():
    # Due 3月11日 (case above); today 4月1日, no reply. 3月11日 + 60: 3/31 (+20), 4/30 (+50),
    # 5/10 (+60) = Sun → 5月11日 Mon. Suit: due + 6 months = 9月11日 Fri (行诉解释第六十六条).
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), today=D(2026, 4, 1))
    assert r.silence
    assert_exact(r, "review", D(2026, 5, 11))
    assert_exact(r, "suit_direct", D(2026, 9, 11))
    assert "尚未核实" in render_zh(r)


def test_silence_after_an_extension_counts_from_the_extended_date():
    # Extended due 4月9日; 4/9 + 60: 4/30 (+21), 5/31 (+52), 6/8 (+60) Mon → 6月8日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), extension_on=D(2026, 3, 6), today=D(2026, 5, 1))
    assert_exact(r, "review", D(2026, 6, 8))


def test_not_yet_due_is_not_silence():
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), today=D(2026, 3, 11))
    assert not r.silence and "review" not in r.deadlines


def test_late_reply_is_pointed_out_and_remedies_run_from_receipt():
    # Due 3月11日; reply dated 3月16日, received 3月17日 → late.
    # 3/17 + 60: 3/31 (+14), 4/30 (+44), 5/16 (+60) = Sat → Mon 5月18日.
    r = run(channel="in_person", submitted_on=D(2026, 2, 5), reply_on=D(2026, 3, 16),
            reply_received_on=D(2026, 3, 17), reply_type="disclosed", today=D(2026, 3, 20))
    assert any("逾期答复" in n for n in r.notes)
    assert_exact(r, "review", D(2026, 5, 18))


def test_reply_date_without_receipt_date_is_an_estimate():
    # Only the reply's own date 3月16日: 3/16 + 60: 3/31 (+15), 4/30 (+45), 5/15 (+60) Fri → 5月15日, estimated.
    r = run(reply_on=D(2026, 3, 16), reply_type="not_exist", today=D(2026, 3, 20))
    assert_estimated(r, "review", D(2026, 5, 15))


def test_passed_deadline_is_marked():
    r = run(reply_received_on=D(2026, 3, 2), reply_type="withheld", today=D(2026, 11, 23))
    assert "（已经过了）" in render_zh(r)


# --- impossible timelines -----------------------------------------------------------------------------


@pytest.mark.parametrize("facts", [
    dict(channel="registered_mail", submitted_on=D(2026, 11, 5), received_on=D(2026, 11, 3)),
    dict(channel="in_person", submitted_on=D(2026, 3, 10), reply_received_on=D(2026, 3, 1)),
    dict(channel="in_person", submitted_on=D(2026, 3, 2), correction_requested_on=D(2026, 3, 9),
         correction_received_on=D(2026, 3, 5)),
    dict(reply_on=D(2026, 3, 10), reply_received_on=D(2026, 3, 9)),
])
def test_impossible_timelines_get_a_question_and_no_date(facts):
    r = run(**facts)
    assert r.problem.endswith("能再核对一下吗？")
    assert not r.deadlines and not r.steps
    assert render_zh(r) == r.problem


def test_consultation_before_a_correction_restart_no_longer_counts():
    # The 补正 restart (3月20日) wipes the earlier period, consultation included: the count is the one of
    # test_late_correction_notice_…: 3/23–27 (5), 3/30–4/3 (10), 4/4–6 off, 4/7–10 (14), 4/13–17 (19),
    # 4/20 (20) → 4月20日 (with the consultation's 3 days wrongly kept it would be 4月23日).
    r = run(channel="in_person", submitted_on=D(2026, 3, 2), correction_requested_on=D(2026, 3, 4),
            correction_received_on=D(2026, 3, 20),
            consultations=(Consultation(D(2026, 3, 3), D(2026, 3, 6)),))
    assert_exact(r, "reply_due", D(2026, 4, 20))


# --- the module stays pure ------------------------------------------------------------------------------


def test_codes_and_labels_agree_with_the_case_vocabulary():
    from bot.cases import vocab
    from bot.rules import deadlines, timeline

    assert deadlines.CHANNELS == tuple(vocab.CHANNELS)
    assert deadlines.EVENT_KINDS == tuple(vocab.EVENT_KINDS)
    # one definition: the rules and the case store read the same labels
    assert timeline.CHANNELS is vocab.CHANNELS
    assert timeline.ANSWER_TYPES is vocab.ANSWER_TYPES


def test_reply_of_unknown_kind_warns_that_withheld_cannot_go_to_court_directly():
    # 4月20日 as above: review 6月22日, suit 10月20日 — with the 不予公开 caveat.
    r = run(reply_received_on=D(2026, 4, 20), today=D(2026, 4, 21))
    assert_exact(r, "suit_direct", D(2026, 10, 20))
    assert any("如果答复是“不予公开”" in n for n in r.notes)


def test_an_estimated_last_day_on_a_working_day_still_names_its_unknown_year():
    # 2027-03-02 is a Tuesday (no rolling needed) but 2027 is unknown: the answer must say so.
    r = run(reply_received_on=D(2026, 3, 2), reply_type="withheld", remedy_stated=False, today=D(2026, 3, 3))
    assert 2027 in r.unknown_years and "2027年的法定节假日安排" in render_zh(r)


def test_signing_day_without_a_channel_is_the_receipt_date():
    # 「我3月2日寄出3月5日签收」: received 3月5日 → 4月2日 (as the registered-mail case above).
    r = run(submitted_on=D(2026, 3, 2), received_on=D(2026, 3, 5))
    assert_exact(r, "reply_due", D(2026, 4, 2))


def test_corrected_application_alone_restarts_the_count():
    # 「补正材料7月8号重新交上去的」: 7月8日 Wed → 7/9, 7/10 (2), 7/13–17 (7), 7/20–24 (12), 7/27–31 (17),
    # 8/3, 8/4, 8/5 (20) → 8月5日.
    r = run(correction_sent_on=D(2026, 7, 8))
    assert_exact(r, "reply_due", D(2026, 8, 5))


# --- shown, not just stated (issue 15 item 2/3): the 补正 limit and estimated non-working days -------


def test_the_correction_step_names_the_last_day_the_agency_could_ask():
    # Lawyer's case: signed 11月5日 Thu; 7 working days: 11/6 (1), 11/9–13 (6), 11/16 (7) → 11月16日,
    # so the notice of 11月10日 was in time, and the step says by which day it had to come.
    r = run(channel="registered_mail", submitted_on=D(2026, 11, 3), received_on=D(2026, 11, 5),
            correction_requested_on=D(2026, 11, 10), correction_received_on=D(2026, 11, 14))
    step = next(s for s in r.steps if s.day == D(2026, 11, 10))
    assert "最晚应在11月16日" in step.rule and step.article == "条例第三十条"
    assert "在期限内" in step.event


def test_a_late_correction_notice_step_says_it_was_late():
    # Received 3月2日 Mon: 3/3–6 (4), 3/9–11 (7) → limit 3月11日; the notice of 3月13日 is late.
    r = run(channel="in_person", submitted_on=D(2026, 3, 2), correction_requested_on=D(2026, 3, 13),
            correction_received_on=D(2026, 3, 20))
    step = next(s for s in r.steps if s.day == D(2026, 3, 13))
    assert "最晚应在3月11日" in step.rule and "晚于期限" in step.event


def test_an_estimated_receipt_on_a_holiday_is_labelled_an_estimate_in_its_step():
    # Online, sent 2月16日 (春节) and no confirmation day: the receipt day is only an estimate, so is
    # the line that says the count starts on 2月24日 (2/15–23 off).
    r = run(channel="online", submitted_on=D(2026, 2, 16))
    step = next(s for s in r.steps if "春节" in s.event)
    assert step.estimated and "从2月24日" in step.event


def test_the_widget_gets_the_steps_as_a_table_wechat_as_numbered_lines():
    # Same lawyer's case: the steps are the same seven lines, written two ways (issue 15 item 3).
    r = run(channel="registered_mail", submitted_on=D(2026, 11, 3), received_on=D(2026, 11, 5),
            correction_requested_on=D(2026, 11, 10), correction_sent_on=D(2026, 11, 12),
            correction_received_on=D(2026, 11, 14))
    lines = render_zh(r)
    table = render_zh(r, table=True)
    assert "1. 2026年11月3日：" in lines and "| 日期 |" not in lines
    rows = [line for line in table.split("\n") if line.startswith("| 2026")]
    assert len(rows) == len(r.steps) == 7
    # a blank line before and after: Rasa's socket.io channel sends the table as a message of its own
    assert "\n\n| 日期 | 计算步骤 | 依据 |\n|---|---|---|\n" in table and "计算步骤：" not in table
    assert table.split("\n\n")[2].startswith("· ")  # the notes follow in the next message
    assert rows[-1].startswith("| 2026年12月11日 | 答复期限最后一天") and "条例第三十条" in rows[-1]
    assert "1. 2026年11月3日" not in table


# --- one pure module (issue 15 item 5) ----------------------------------------------------------------


def test_the_rules_import_no_rasa_and_no_database():
    # What the four deadline modules import, read from their source: the standard library, each other
    # (bot.rules.*), the settings (a path) and the calendar data package; ruamel only to read or write
    # the override file, inside those functions. Never Rasa, rasa_sdk, SQLAlchemy or our servers.
    import ast
    import sys
    from pathlib import Path

    allowed = set(sys.stdlib_module_names) | {"__future__", "chinese_calendar", "ruamel"}
    root = Path(__file__).resolve().parents[2] / "bot" / "rules"
    for name in ("timeline", "deadlines", "workdays", "textparse"):
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                ours = module.startswith("bot.rules") or module == "bot.core.settings"
                assert ours or module.split(".")[0] in allowed, f"bot/rules/{name}.py imports {module}"


def test_silence_is_an_assumption_its_dates_say_so_and_the_reply_is_asked_for():
    # Due 3月11日 (2月5日 in person); today 4月1日 and no reply told: the remedy dates hold only if
    # no reply came, so their labels say so, and the one question left is whether a reply came.
    from bot.rules.timeline import headline_zh, missing_fact

    r = run(channel="in_person", submitted_on=D(2026, 2, 5), today=D(2026, 4, 1))
    head = headline_zh(r)
    assert "一直没有收到答复的：申请行政复议（稳妥期限）：2026年5月11日" in head
    assert "一直没有收到答复的：起诉（不履行法定职责）：2026年9月11日" in head
    assert missing_fact(r) == "reply_received_on"
    # a registered letter without its signing day still asks for that first (one question at a time)
    r = run(channel="registered_mail", submitted_on=D(2026, 2, 5), today=D(2026, 6, 1))
    assert r.silence and missing_fact(r) == "received_on"


# --- 「要是延期呢」 after a computed date (timeline.extension_zh) -------------------------------------

def test_the_extension_answer_gives_the_latest_day_with_its_steps():
    # in person Tue 3 Nov 2026: 20 working days → Tue 1 Dec (4–6, 9–13, 16–20, 23–27, 30 Nov,
    # 1 Dec; no holidays); 20 more → Tue 29 Dec (2–4, 7–11, 14–18, 21–25, 28, 29 Dec)
    text = extension_zh(run(today=D(2026, 11, 23), channel="in_person", submitted_on=D(2026, 11, 3)))
    assert text.startswith("如机关依法延长答复期限，最晚：2026年12月29日")
    assert "2026年12月1日：答复期限最后一天" in text
    assert "2026年12月29日：延长后的答复期限最后一天" in text
    assert "估算" not in text


def test_an_extension_into_2027_is_an_estimate_and_says_why():
    # submitted Mon 23 Nov: reply due Mon 21 Dec (24–27 Nov is 4, 30 Nov–4 Dec 9, 7–11 14, 14–18
    # 19, 21 Dec 20); 20 more working days run into January 2027, whose holidays are unpublished
    text = extension_zh(run(today=D(2026, 11, 23), channel="in_person", submitted_on=D(2026, 11, 23)))
    assert "2026年12月21日：答复期限最后一天" in text
    assert "2027年" in text and "（估算）" in text and "尚未公布" in text


def test_no_extension_answer_while_a_correction_is_awaited():
    result = run(today=D(2026, 11, 23), channel="in_person", submitted_on=D(2026, 11, 3),
                 correction_requested_on=D(2026, 11, 6))
    assert extension_zh(result) == ""


# --- the fee notice's payment period (FACTS §2.3 and §3: 收到收费通知次日起20个工作日) ----------------


def test_fee_notice_received_alone_gives_the_last_day_to_pay():
    # by hand: received Mon 16 Nov 2026; the next day counts as 1 — 17–20 Nov (4), 23–27 (9),
    # 30 Nov–4 Dec (14), 7–11 Dec (19), Mon 14 Dec = 20; no holiday in between
    result = run(fee_notice_received_on=D(2026, 11, 16))
    assert_exact(result, "fee_payment", D(2026, 12, 14))
    text = render_zh(result)
    assert "缴纳信息处理费的最后一天：2026年12月14日" in text
    assert "视为放弃" in text and "109号" in text


def test_fee_payment_period_skips_national_day_and_counts_the_make_up_saturday():
    # by hand: received Mon 28 Sep 2026; 29–30 Sep (2), 1–7 Oct holiday, Thu 8 and Fri 9 Oct (4),
    # Sat 10 Oct make-up working day (5), 12–16 (10), 19–23 (15), 26–30 Oct (20) → Fri 30 Oct
    result = run(fee_notice_received_on=D(2026, 9, 28), today=D(2026, 9, 28))
    assert_exact(result, "fee_payment", D(2026, 10, 30))


def test_fee_notice_beside_the_application_keeps_the_reply_deadline():
    # in person Mon 2 Nov 2026 → reply due Mon 30 Nov (2 Nov not counted; 3–6 (4), 9–13 (9),
    # 16–20 (14), 23–27 (19), 30 Nov (20)); the fee notice received 16 Nov → pay by 14 Dec (above)
    result = run(channel="in_person", submitted_on=D(2026, 11, 2), fee_notice_received_on=D(2026, 11, 16))
    assert_exact(result, "reply_due", D(2026, 11, 30))
    assert_exact(result, "fee_payment", D(2026, 12, 14))


def test_the_answer_ends_with_the_articles_its_steps_rest_on_by_their_full_names():
    # in person 2 Nov: the receipt rule (条例第三十一条第（一）项) and the 20 working days
    # (条例第三十三条第二款), each once, in the order of the steps; asked on 3 Nov, before the due
    # date, so no remedies for silence are added
    text = render_zh(run(channel="in_person", submitted_on=D(2026, 11, 2), today=D(2026, 11, 3)))
    assert text.splitlines()[-1] == "来源：《政府信息公开条例》第三十一条第（一）项、第三十三条第二款"
    assert "来源" not in render_zh(run(channel="in_person", submitted_on=D(2026, 11, 2)), sources=False)


def test_the_sources_line_names_each_law_once_with_its_articles():
    # reply received 16 Oct: the steps cite 复议法第二十条第一款 (twice), 复议法第八十八条第一款,
    # 复议法第八十七条 and 行诉法第四十六条第一款 → two laws, each article once
    result = run(reply_received_on=D(2026, 10, 16), today=D(2026, 11, 23))
    assert render_zh(result).splitlines()[-1] == (
        "来源：《行政复议法》第二十条第一款、第八十八条第一款、第八十七条；《行政诉讼法》第四十六条第一款")


def test_mail_without_its_kind_is_estimated_from_posting_not_taken_as_in_person():
    # 「11月2号邮寄的」: posted Mon 2 Nov, signed for or confirmed on a day not yet known → estimated
    # 3 days after posting (Thu 5 Nov): 6 (1), 9–13 (6), 16–20 (11), 23–27 (16), 30 Nov–3 Dec (20)
    result = run(channel="mail", submitted_on=D(2026, 11, 2), today=D(2026, 11, 23))
    assert_estimated(result, "reply_due", D(2026, 12, 3))
    text = render_zh(result)
    assert "当面" not in text and "签收或确认" in text
