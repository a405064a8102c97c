"""Office hours: on duty or not, and when agents are back (hand-checked against the State
Council's holiday notices as the working-day calendar has them)."""
import datetime as dt

import pytest

from bot.core.clock import CHINA
from bot.handoff import hours
from bot.rules.workdays import WorkdayCalendar, YearOverride, default_calendar

SHIFTS = hours.parse_hours("08:30-12:00,13:30-17:00")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


def duty(text: str, calendar=None) -> hours.Duty:
    return hours.duty(at(text), SHIFTS, (calendar or default_calendar()).is_workday)


@pytest.mark.parametrize("moment", ["2026-11-23T08:30", "2026-11-23T11:59:59", "2026-11-23T13:30",
                                    "2026-11-23T16:59"])
def test_on_duty_inside_a_shift_of_a_working_monday(moment):
    assert duty(moment).on_duty


def test_on_duty_says_when_the_shift_ends():
    assert duty("2026-11-23T09:00").until == at("2026-11-23T12:00")


@pytest.mark.parametrize("moment, back, said", [
    ("2026-11-23T08:29:59", "2026-11-23T08:30", "今天8:30"),
    ("2026-11-23T12:00", "2026-11-23T13:30", "今天13:30"),  # the lunch break
    ("2026-11-23T12:45", "2026-11-23T13:30", "今天13:30"),
    ("2026-11-23T17:00", "2026-11-24T08:30", "11月24日（周二）8:30"),
    ("2026-11-27T17:30", "2026-11-30T08:30", "11月30日（周一）8:30"),  # Friday evening
    ("2026-11-28T10:00", "2026-11-30T08:30", "11月30日（周一）8:30"),  # Saturday
])
def test_off_duty_says_when_agents_are_back(moment, back, said):
    status = duty(moment)
    assert not status.on_duty
    assert status.next_start == at(back)
    assert hours.moment_text(status.next_start, at(moment)) == said


def test_national_day_holiday_is_skipped():
    # 2025: 1–8 October off (国务院办公厅关于2025年部分节假日安排的通知)
    status = duty("2025-09-30T17:05")
    assert status.next_start == at("2025-10-09T08:30")
    assert hours.moment_text(status.next_start, at("2025-09-30T17:05")) == "10月9日（周四）8:30"
    assert not duty("2025-10-03T10:00").on_duty


def test_weekend_make_up_days_are_working_days():
    # 调休: Sunday 28 September and Saturday 11 October 2025 were working days
    assert duty("2025-09-28T10:00").on_duty
    assert duty("2025-10-10T17:30").next_start == at("2025-10-11T08:30")
    assert hours.moment_text(at("2025-10-11T08:30"), at("2025-10-10T17:30")) == "10月11日（周六）8:30"


def test_unknown_year_is_off_duty_with_no_promise():
    calendar = WorkdayCalendar({}, use_library=False)
    status = duty("2027-03-03T10:00", calendar)
    assert status == hours.Duty(False)


def test_next_working_day_in_a_year_not_yet_published_is_not_guessed():
    known_2026_only = WorkdayCalendar(
        {2026: YearOverride(2026, "test", frozenset({dt.date(2026, 1, 1)}), frozenset())},
        use_library=False)
    status = duty("2026-12-31T17:30", known_2026_only)
    assert not status.on_duty and status.next_start is None


def test_a_return_next_year_names_the_year():
    calendar = WorkdayCalendar({
        2026: YearOverride(2026, "test", frozenset({dt.date(2026, 1, 1)}), frozenset()),
        2027: YearOverride(2027, "test", frozenset({dt.date(2027, 1, 1)}), frozenset()),
    }, use_library=False)
    status = duty("2026-12-31T17:30", calendar)
    assert status.next_start == at("2027-01-04T08:30")  # 1 Jan off, 2–3 Jan weekend
    assert hours.moment_text(status.next_start, at("2026-12-31T17:30")) == "2027年1月4日（周一）8:30"


def test_the_time_zone_of_the_moment_does_not_matter():
    utc = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)  # 9:00 in Beijing
    assert hours.duty(utc, SHIFTS, default_calendar().is_workday).on_duty
    with pytest.raises(ValueError):
        hours.duty(dt.datetime(2026, 11, 23, 9, 0), SHIFTS, default_calendar().is_workday)


def test_hours_come_from_the_environment():
    from bot.core.settings import Settings

    assert hours.parse_hours(Settings.from_env({}).desk.hours) == SHIFTS
    custom = hours.parse_hours(Settings.from_env({hours.HOURS_ENV: "09:00-18:00"}).desk.hours)
    assert custom == (hours.Shift(dt.time(9), dt.time(18)),)
    assert hours.hours_text(SHIFTS) == "工作日8:30—12:00、13:30—17:00（法定节假日除外）"


@pytest.mark.parametrize("spec", ["", "8-12", "12:00-08:30", "08:30-12:00,11:00-17:00", "25:00-26:00",
                                  "08:30-12:00;13:30-17:00"])
def test_malformed_hours_are_refused(spec):
    with pytest.raises(hours.HoursError):
        hours.parse_hours(spec)


def test_shifts_given_out_of_order_are_sorted():
    assert hours.parse_hours("13:30-17:00, 8:30-12:00") == SHIFTS


def test_pinned_clock(monkeypatch):
    from bot.core import clock
    from bot.core.settings import Settings

    def pin(**env):
        monkeypatch.setattr(clock, "pinned", Settings.from_env(env).clock)

    pin(GONGKAI_NOW="2026-11-23T09:15:00")
    assert clock.now() == at("2026-11-23T09:15")
    assert clock.today() == dt.date(2026, 11, 23)
    pin(GONGKAI_NOW="2026-11-23T01:15:00+00:00")  # 01:15 UTC is 09:15 in Beijing
    assert clock.now() == at("2026-11-23T09:15")
    pin(GONGKAI_NOW="2026-11-23T01:15:00+00:00", GONGKAI_TODAY="2026-02-05")
    assert clock.today() == dt.date(2026, 2, 5)
