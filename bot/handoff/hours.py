"""When the hotline agents are on duty: working days (holidays and 调休 from ``bot.rules.workdays``),
in shifts configured by GONGKAI_DESK_HOURS (``settings.desk.hours``, bot.core.settings; Beijing time).

Pure: ``duty(now, shifts, is_workday)`` takes the moment and the calendar as arguments. A day whose
year the working-day calendar does not know counts as off duty with no known return time: the bot
then says so instead of promising someone is there.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Tuple

from bot.core.clock import CHINA
from bot.core.settings import settings
from bot.rules.workdays import CalendarUnknownError

HOURS_ENV = "GONGKAI_DESK_HOURS"
LOOKAHEAD_DAYS = 40  # longer than any holiday (the Spring Festival break is at most 9 days)
WEEKDAYS_ZH = "一二三四五六日"

_SHIFT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """GONGKAI_DESK_HOURS cannot be read."""


@dataclass(frozen=True)
class Shift:
    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{clock_text(self.start)}—{clock_text(self.end)}"


@dataclass(frozen=True)
class Duty:
    on_duty: bool
    until: Optional[dt.datetime] = None       # on duty: when the current shift ends
    next_start: Optional[dt.datetime] = None  # off duty: when agents are next on duty (None: unknown)


def parse_hours(spec: str) -> Tuple[Shift, ...]:
    """``"08:30-12:00,13:30-17:00"`` → shifts in order; HoursError if malformed or overlapping."""
    shifts = []
    for part in (p for p in spec.split(",") if p.strip()):
        match = _SHIFT.match(part)
        if not match:
            raise HoursError(f"{HOURS_ENV}: {part.strip()!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            raise HoursError(f"{HOURS_ENV}: {part.strip()!r} is not a time of day") from None
        if start >= end:
            raise HoursError(f"{HOURS_ENV}: {part.strip()!r} ends before it starts")
        shifts.append(Shift(start, end))
    if not shifts:
        raise HoursError(f"{HOURS_ENV} names no shift")
    shifts.sort(key=lambda s: s.start)
    for earlier, later in zip(shifts, shifts[1:]):
        if later.start < earlier.end:
            raise HoursError(f"{HOURS_ENV}: {earlier} and {later} overlap")
    return tuple(shifts)


def configured_hours() -> Tuple[Shift, ...]:
    return parse_hours(settings.desk.hours)


def duty(now: dt.datetime, shifts: Sequence[Shift],
         is_workday: Callable[[dt.date], bool]) -> Duty:
    """Whether agents are on duty at ``now`` (timezone-aware) and, if not, when they are back."""
    if now.tzinfo is None:
        raise ValueError("duty() needs a timezone-aware datetime")
    now = now.astimezone(CHINA)
    try:
        if is_workday(now.date()):
            moment = now.time()
            for shift in shifts:
                if shift.start <= moment < shift.end:
                    return Duty(True, until=_at(now.date(), shift.end))
                if moment < shift.start:
                    return Duty(False, next_start=_at(now.date(), shift.start))
        for offset in range(1, LOOKAHEAD_DAYS + 1):
            day = now.date() + dt.timedelta(days=offset)
            if is_workday(day):
                return Duty(False, next_start=_at(day, shifts[0].start))
    except CalendarUnknownError:
        pass  # a year without a published holiday schedule: do not guess
    return Duty(False)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=CHINA)


def clock_text(time: dt.time) -> str:
    """8:30, 13:30 (no leading zero, as Chinese notices write it)."""
    return f"{time.hour}:{time.minute:02d}"


def hours_text(shifts: Sequence[Shift]) -> str:
    """``工作日8:30—12:00、13:30—17:00（法定节假日除外）``"""
    return f"工作日{'、'.join(str(s) for s in shifts)}（法定节假日除外）"


def moment_text(moment: dt.datetime, now: dt.datetime) -> str:
    """When agents are back, said from ``now``: 今天13:30 / 11月24日（周一）8:30 / 2027年1月4日（周一）8:30."""
    moment, now = moment.astimezone(CHINA), now.astimezone(CHINA)
    time = clock_text(moment.time())
    if moment.date() == now.date():
        return f"今天{time}"
    year = f"{moment.year}年" if moment.year != now.year else ""
    return f"{year}{moment.month}月{moment.day}日（周{WEEKDAYS_ZH[moment.weekday()]}）{time}"
