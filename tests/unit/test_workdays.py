"""Working-day calendar. Expected dates are hand-checked against the State Council schedules:

2025 春节 1月28日–2月4日放假，1月26日（周日）、2月8日（周六）上班；
2025 国庆、中秋 10月1日–8日放假，9月28日（周日）、10月11日（周六）上班；
2026 春节 2月15日–23日放假，2月14日（周六）、2月28日（周六）上班（chinese_calendar 1.11.0）；
2026 中秋 9月25日–27日、国庆 10月1日–7日放假，9月20日（周日）、10月10日（周六）上班（同上）.
"""

import datetime as dt
import re

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules import workdays
from bot.rules.workdays import (
    DEFAULT_OVERRIDES_PATH,
    CalendarDataError,
    CalendarUnknownError,
    WorkdayCalendar,
    YearOverride,
    add_workdays,
    is_workday,
    load_overrides,
    parse_overrides,
    workdays_between,
)

D = dt.date

# A made-up 2027 arrangement (虚构，仅供测试): New Year's Day, Friday 1 January 2027, off; no make-up day.
FICTIONAL_2027 = YearOverride(2027, "测试用虚构数据", frozenset({D(2027, 1, 1)}), frozenset())


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2025, 1, 24), True),  # Friday
        (D(2025, 1, 25), False),  # ordinary Saturday
        (D(2025, 1, 26), True),  # Sunday, make-up day for Spring Festival
        (D(2025, 1, 28), False),  # Spring Festival
        (D(2025, 2, 4), False),  # last day of Spring Festival
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, make-up day
        (D(2025, 2, 9), False),  # Sunday
        (D(2025, 9, 28), True),  # Sunday, make-up day for National Day
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),  # Wednesday, still National Day
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up day
        (D(2026, 2, 14), True),  # Saturday, make-up day
        (D(2026, 2, 16), False),  # Monday, Spring Festival
        (D(2026, 2, 23), False),  # Monday, last day off
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up day
        (D(2026, 9, 20), True),  # Sunday, make-up day
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn
        (D(2026, 10, 7), False),  # Wednesday, National Day
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up day
    ],
)
def test_is_workday_follows_the_official_schedule(day, expected):
    assert is_workday(day) is expected


def test_datetime_is_treated_as_its_date():
    assert is_workday(dt.datetime(2025, 1, 26, 15, 30)) is True


def test_non_date_is_a_type_error():
    with pytest.raises(TypeError):
        is_workday("2026-02-05")


@pytest.mark.parametrize("year", [2027, 2003])
def test_unknown_year_raises_calendar_unknown(year):
    with pytest.raises(CalendarUnknownError) as err:
        is_workday(D(year, 3, 1))
    assert err.value.year == year
    assert "暂时无法计算" in err.value.message_zh
    assert str(year) in err.value.message_zh


def test_canonical_example_20_workdays_after_2026_02_05():
    # Thu 2/5 received (not counted). 2/6=1, 2/9–2/13=2–6, Sat 2/14 (make-up)=7, 2/15–2/23 off,
    # 2/24–2/27=8–11, Sat 2/28 (make-up)=12, 3/2–3/6=13–17, 3/9=18, 3/10=19, 3/11=20.
    assert add_workdays(D(2026, 2, 5), 20) == D(2026, 3, 11)


def test_start_day_is_not_counted():
    assert add_workdays(D(2026, 3, 9), 1) == D(2026, 3, 10)
    assert add_workdays(D(2026, 3, 9), 0) == D(2026, 3, 9)


def test_first_workday_after_a_friday_can_be_a_make_up_sunday():
    # Fri 2025-01-24 → Sat 1/25 off → Sun 1/26 make-up day.
    assert add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)
    # Mon 2025-01-27 → 1/28–2/4 off → Wed 2/5.
    assert add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_twenty_workdays_across_2025_national_day():
    # Fri 9/26 received. Sun 9/28=1, 9/29=2, 9/30=3, 10/1–10/8 off, 10/9=4, 10/10=5,
    # Sat 10/11=6, 10/13–10/17=7–11, 10/20–10/24=12–16, 10/27=17, 10/28=18, 10/29=19, 10/30=20.
    assert add_workdays(D(2025, 9, 26), 20) == D(2025, 10, 30)


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_add_workdays_rejects_bad_counts(n):
    with pytest.raises(ValueError):
        add_workdays(D(2026, 3, 2), n)


def test_workdays_between_counts_after_a_up_to_b():
    assert workdays_between(D(2026, 2, 5), D(2026, 3, 11)) == 20
    assert workdays_between(D(2026, 3, 11), D(2026, 2, 5)) == -20
    assert workdays_between(D(2026, 3, 11), D(2026, 3, 11)) == 0
    # Fri 2026-02-13 → Sat 2/14 (make-up) is the only working day up to Mon 2/23.
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_counting_into_2027_raises_instead_of_guessing():
    # 2026-12-16..18 = 1–3, 12/21–12/25 = 4–8, 12/28–12/31 = 9–12; the 13th needs 2027.
    with pytest.raises(CalendarUnknownError) as err:
        add_workdays(D(2026, 12, 15), 20)
    assert err.value.year == 2027
    assert add_workdays(D(2026, 12, 15), 12) == D(2026, 12, 31)


def test_injected_override_makes_2027_computable():
    cal = WorkdayCalendar({2027: FICTIONAL_2027})
    # ... 12/31=12, Fri 1/1 off (fictional), Mon 1/4–Fri 1/8 = 13–17, 1/11=18, 1/12=19, 1/13=20.
    assert cal.add_workdays(D(2026, 12, 15), 20) == D(2027, 1, 13)
    assert cal.is_workday(D(2027, 1, 2)) is False  # a plain Saturday
    assert cal.is_known(2027) and not cal.is_known(2028)
    assert cal.source(2027) == "测试用虚构数据"


def test_override_year_takes_precedence_over_the_library():
    # Pretend 2025's notice had made Friday 2025-03-07 a holiday and Saturday 3/8 a working day.
    fake = YearOverride(2025, "测试", frozenset({D(2025, 3, 7)}), frozenset({D(2025, 3, 8)}))
    cal = WorkdayCalendar({2025: fake})
    assert cal.is_workday(D(2025, 3, 7)) is False
    assert cal.is_workday(D(2025, 3, 8)) is True
    # The override lists the whole year, so the library's Spring Festival no longer applies.
    assert cal.is_workday(D(2025, 1, 28)) is True


def test_without_the_library_only_the_table_counts():
    cal = WorkdayCalendar({2027: FICTIONAL_2027}, use_library=False)
    assert not cal.is_known(2026)
    with pytest.raises(CalendarUnknownError):
        cal.is_workday(D(2026, 3, 2))
    assert cal.is_workday(D(2027, 1, 4)) is True


def test_source_names_the_notice_for_library_years():
    assert "2026年部分节假日安排" in WorkdayCalendar().source(2026)
    with pytest.raises(CalendarUnknownError):
        WorkdayCalendar().source(2027)


# --- the override file --------------------------------------------------------------------------


def test_shipped_file_loads_and_invents_no_2027():
    assert load_overrides(DEFAULT_OVERRIDES_PATH) == {}
    assert not workdays.default_calendar().is_known(2027)


def test_documented_example_in_the_shipped_file_matches_the_official_2025_schedule():
    # The commented example shows staff the format; it must be a correct year, not a made-up one.
    text = DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8")
    start = text.index("# years:")
    lines = []
    for line in text[start:].splitlines():
        if not line.startswith("#") or line.strip() == "#":
            break
        lines.append(line[2:])
    from ruamel.yaml import YAML

    table = parse_overrides(YAML(typ="safe").load("\n".join(lines)))
    cal, library = WorkdayCalendar(table), WorkdayCalendar()
    day = D(2025, 1, 1)
    while day.year == 2025:
        assert cal.is_workday(day) == library.is_workday(day), day
        day += dt.timedelta(days=1)


def test_missing_file_means_no_overrides(tmp_path):
    assert load_overrides(tmp_path / "absent.yml") == {}


def test_file_round_trip(tmp_path):
    path = tmp_path / "overrides.yml"
    path.write_text(
        "years:\n  2027:\n    source: 测试\n    holidays: [2027-01-01]\n    workdays: []\n",
        encoding="utf-8",
    )
    cal = WorkdayCalendar.from_file(path)
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_string_dates_are_accepted():
    table = parse_overrides({"years": {"2027": {"source": "s", "holidays": ["2027-01-01"], "workdays": []}}})
    assert table[2027].holidays == frozenset({D(2027, 1, 1)})


def _year(**fields):
    entry = {"source": "国务院办公厅通知", "holidays": [D(2027, 1, 1)], "workdays": []}
    entry.update(fields)
    return {"years": {2027: {k: v for k, v in entry.items() if v is not ...}}}


@pytest.mark.parametrize(
    "data, message",
    [
        (_year(source=...), "missing source"),
        (_year(workdays=...), "missing workdays"),
        (_year(holidays=...), "missing holidays"),
        (_year(source="  "), "source"),
        (_year(holidays=[]), "always has"),
        (_year(holidays=[D(2026, 12, 31)]), "not in 2027"),
        (_year(holidays=["1/1"]), "not a date"),
        (_year(holidays=[dt.datetime(2027, 1, 1, 8)]), "date-time"),
        (_year(workdays=[D(2027, 1, 4)]), "weekends"),  # a Monday
        (_year(workdays=[D(2027, 1, 2)], holidays=[D(2027, 1, 1), D(2027, 1, 2)]), "holiday and workday"),
        (_year(holiday=[D(2027, 1, 1)]), "unknown key"),
        (_year(workdays="2027-01-02"), "list"),
        ({"years": {"二〇二七": {}}}, "not a year"),
        ({"year": {}}, "single top-level key"),
        ({"years": [2027]}, "map a year"),
        ({"years": {2027: ["2027-01-01"]}}, "expected source"),
    ],
)
def test_malformed_override_is_rejected(data, message):
    with pytest.raises(CalendarDataError, match=re.escape(message)):
        parse_overrides(data)


def test_empty_or_null_file_is_fine():
    assert parse_overrides(None) == {}
    assert parse_overrides({"years": None}) == {}


# --- properties over the library's whole range ----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 9, 30)), st.integers(min_value=0, max_value=40))
def test_add_and_between_agree(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)  # the n-th working day is a working day
        assert add_workdays(start, n - 1) < end


# --- day kinds, estimates for unknown years, the operator's warning ---------------------------------


def test_day_kind_names_the_holiday_and_the_make_up_day():
    cal = WorkdayCalendar({})
    assert cal.day_kind(D(2026, 10, 3)).reason == "国庆节"  # 国庆 10月1–7日
    assert cal.day_kind(D(2026, 2, 17)).reason == "春节"  # 春节 2月15–23日
    assert cal.day_kind(D(2026, 2, 28)) == workdays.DayKind(True, False, "调休上班日")  # Sat make-up
    assert cal.day_kind(D(2026, 3, 7)) == workdays.DayKind(False, False, "周六")


def test_day_kind_estimates_an_unknown_year_with_weekends_only():
    cal = WorkdayCalendar({}, use_library=False)
    assert cal.day_kind(D(2027, 1, 1)) == workdays.DayKind(True, True, "")  # a Friday: no holiday known
    assert cal.day_kind(D(2027, 1, 2)) == workdays.DayKind(False, True, "周六")


def test_calendar_warning_from_november_while_next_year_is_missing():
    cal = WorkdayCalendar({})  # chinese_calendar knows 2026, not 2027
    assert workdays.calendar_warning(D(2026, 10, 31), cal) == ""
    assert "2027年的法定节假日安排尚未录入" in workdays.calendar_warning(D(2026, 11, 1), cal)
    table = {2027: YearOverride(2027, "测试用安排", frozenset({D(2027, 1, 1)}), frozenset())}
    assert workdays.calendar_warning(D(2026, 11, 1), WorkdayCalendar(table)) == ""


# --- a year typed on the desk ------------------------------------------------------------------------


# A made-up 2027 table for these tests only (the 2027 notice had no checkable source when written):
# one day off for each festival, weekends as they fall (5月1–2日 2027 are a Saturday and Sunday).
MADE_UP_2027 = ("2027-01-01\n2027-02-05 至 2027-02-11\n2027-04-05\n2027-06-09\n2027-09-15\n"
                "2027-10-01 至 2027-10-07")


def test_year_from_form_reads_ranges_and_validates_like_the_file():
    year = workdays.year_from_form("2027", "测试用安排", MADE_UP_2027, "2027-02-13")
    # 1 + 7 (2月5–11日) + 1 + 1 + 1 + 7 (10月1–7日), typed above
    assert len(year.holidays) == 18 and {D(2027, 2, 5), D(2027, 2, 11), D(2027, 10, 7)} <= year.holidays
    assert year.workdays == frozenset({D(2027, 2, 13)})  # a Saturday
    for holidays, makeups in [("abc", ""), ("2026-10-01", ""), (MADE_UP_2027, "2027-02-08"), ("", "")]:
        with pytest.raises(CalendarDataError):
            workdays.year_from_form("2027", "测试用安排", holidays, makeups)


def library_year(year: int) -> YearOverride:
    """A year as chinese_calendar has it: the weekdays off and the weekend days worked."""
    days = [D(year, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    days = [d for d in days if d.year == year]
    return YearOverride(year, "chinese_calendar",
                        frozenset(d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d)),
                        frozenset(d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)))


def test_every_published_year_is_a_whole_year():
    # the State Council's arrangements 2008–2026 (as chinese_calendar ships them) all pass
    for year in range(2008, 2027):
        assert workdays.festival_problems(library_year(year)) == [], year


@pytest.mark.parametrize("left_out, named", [
    ([D(2026, 1, 1)], "1月1日（元旦）"),
    ([D(2026, 5, 1)], "5月1日（劳动节）"),
    ([D(2026, 5, 4), D(2026, 5, 5)], None),  # 补休 days: the festival itself (5月1–2日) is still off
    ([D(2026, 10, 1)], "10月1日（国庆节）"),
    ([D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23)], "春节"),
    ([D(2026, 4, 6)], "清明节"),
    ([D(2026, 6, 19)], "端午节"),
])
def test_a_year_without_a_festival_is_refused_naming_it(left_out, named):
    # 2026 by hand (chinese_calendar 1.11.0): 春节 2月15–23日 (weekdays 16–20, 23), 清明 4月6日 (Mon),
    # 劳动节 5月1–5日, 端午 6月19日 (Fri), 国庆 10月1–7日
    real = library_year(2026)
    cut = YearOverride(2026, real.source, real.holidays - set(left_out), real.workdays)
    problems = workdays.festival_problems(cut)
    assert (problems == []) if named is None else any(named in p for p in problems), problems


def test_the_form_refuses_half_a_year_and_says_what_is_missing():
    with pytest.raises(CalendarDataError, match="2027年的安排不完整：.*没有春节的放假日"):
        workdays.year_from_form("2027", "测试用安排", "2027-01-01\n2027-10-01 至 2027-10-07", "")


def test_save_year_keeps_the_file_valid_and_its_comments(tmp_path):
    path = tmp_path / "overrides.yml"
    path.write_text(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    workdays.save_year(workdays.year_from_form("2027", "测试用安排", MADE_UP_2027, ""), path)
    assert D(2027, 1, 1) in load_overrides(path)[2027].holidays and len(load_overrides(path)[2027].holidays) == 18
    assert "法定节假日补充表" in path.read_text(encoding="utf-8")
