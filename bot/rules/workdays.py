"""Working-day calendar for statutory periods (法定工作日).

A working day is a day the State Council's annual holiday notice does not give off: Monday to
Friday unless it is a statutory holiday, plus the weekend make-up days (调休上班).

Two sources, in this order:

1. ``data/calendar/overrides.yml`` — years typed in by staff from the State Council notice, each
   with its ``source``. A year listed there is taken from there entirely (so the file can also
   correct the library, should that ever be needed).
2. The ``chinese_calendar`` package (chinesecalendar 1.11.0 knows 2004–2026).

A date in a year neither source knows raises :class:`CalendarUnknownError` from the exact
functions. The timeline calculator (bot/rules/timeline.py) instead asks :meth:`WorkdayCalendar.day_kind`,
which for an unknown year counts weekends only and says the result is an estimate: a date is never
passed off as exact when the year's arrangement is not yet published.

Counting convention (used by every function here): the start day is not counted. So
``add_workdays(d, 1)`` is the first working day after ``d``, and
``workdays_between(a, b)`` counts the working days ``a < day <= b``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

import chinese_calendar

from bot.core.settings import settings

# data/calendar/overrides.yml unless GONGKAI_CALENDAR_OVERRIDES names another file (tests, staging)
DEFAULT_OVERRIDES_PATH = settings.content.calendar_overrides

_YEAR_KEYS = {"source", "holidays", "workdays"}
_OPTIONAL_YEAR_KEYS = {"note"}


class CalendarUnknownError(LookupError):
    """No holiday schedule is known for ``year``: the deadline cannot be computed (yet)."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no working-day calendar for {year}: add it to data/calendar/overrides.yml")

    @property
    def message_zh(self) -> str:
        return f"暂时无法计算：{self.year}年的法定节假日安排尚未录入，请以机关告知为准或咨询人工客服。"


# chinese_calendar's holiday names → the Chinese names citizens know.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# When the State Council usually publishes next year's arrangement: from this month on, a missing
# next year is worth a warning to the operator.
WARN_FROM_MONTH = 11


@dataclass(frozen=True)
class DayKind:
    """What one day is for counting: a working day or not, why, and whether that is only estimated
    (the year's arrangement is unknown, so only weekends were taken as days off)."""

    workday: bool
    estimated: bool
    reason: str  # "" for an ordinary working day; 周六/周日, 春节…, 调休上班日, 法定节假日


class CalendarDataError(ValueError):
    """The override table is malformed (a typo must stop the bot's tests, not skew a deadline)."""


@dataclass(frozen=True)
class YearOverride:
    """One year's holiday arrangement as published by the State Council."""

    year: int
    source: str
    holidays: frozenset  # days off that would otherwise be working days (and any other day off)
    workdays: frozenset  # weekend days that are working days (调休上班)


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CalendarDataError(f"{where}: expected a date, got a date-time {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarDataError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)")


def parse_overrides(data: Optional[Mapping[str, Any]]) -> Dict[int, YearOverride]:
    """Validates the loaded YAML (``{"years": {2027: {...}}}``) and returns it by year."""
    if not data:
        return {}
    if not isinstance(data, Mapping) or set(data) - {"years"}:
        raise CalendarDataError("the override file must have a single top-level key 'years'")
    years = data.get("years") or {}
    if not isinstance(years, Mapping):
        raise CalendarDataError("'years' must map a year to its arrangement")
    result: Dict[int, YearOverride] = {}
    for raw_year, entry in years.items():
        try:
            year = int(raw_year)
        except (TypeError, ValueError):
            raise CalendarDataError(f"{raw_year!r} is not a year") from None
        where = f"years.{year}"
        if not isinstance(entry, Mapping):
            raise CalendarDataError(f"{where}: expected source, holidays and workdays")
        missing = _YEAR_KEYS - set(entry)
        unknown = set(entry) - _YEAR_KEYS - _OPTIONAL_YEAR_KEYS
        if missing:
            # A year is known only in full: half a year would yield confident wrong deadlines.
            raise CalendarDataError(f"{where}: missing {', '.join(sorted(missing))}")
        if unknown:
            raise CalendarDataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise CalendarDataError(f"{where}.source: name the State Council notice")
        holidays = _date_set(entry["holidays"], f"{where}.holidays", year)
        workdays = _date_set(entry["workdays"], f"{where}.workdays", year)
        if not holidays:
            raise CalendarDataError(f"{where}.holidays: a year always has statutory holidays")
        both = holidays & workdays
        if both:
            raise CalendarDataError(f"{where}: listed as holiday and workday: {sorted(both)}")
        weekday_makeups = sorted(d for d in workdays if d.weekday() < 5)
        if weekday_makeups:
            raise CalendarDataError(f"{where}.workdays: make-up days fall on weekends, not {weekday_makeups}")
        result[year] = YearOverride(year, source.strip(), frozenset(holidays), frozenset(workdays))
    return result


def _date_set(values: Any, where: str, year: int) -> frozenset:
    if values is None:
        values = []
    if not isinstance(values, (list, tuple)):
        raise CalendarDataError(f"{where}: expected a list of dates")
    dates = [_as_date(v, where) for v in values]
    strays = [d for d in dates if d.year != year]
    if strays:
        raise CalendarDataError(f"{where}: {strays[0]} is not in {year}")
    return frozenset(dates)


def load_overrides(path: Path = DEFAULT_OVERRIDES_PATH) -> Dict[int, YearOverride]:
    """Reads and validates an override file; a missing file means no overrides."""
    from ruamel.yaml import YAML  # imported here so that only file loading needs it

    path = Path(path)
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return parse_overrides(YAML(typ="safe").load(fh))


class WorkdayCalendar:
    """Working days from the override table first, then ``chinese_calendar``.

    ``overrides`` maps a year to its :class:`YearOverride`; tests inject their own table.
    ``use_library=False`` ignores ``chinese_calendar`` (only the table counts).
    """

    def __init__(self, overrides: Optional[Mapping[int, YearOverride]] = None, *, use_library: bool = True):
        self._overrides: Dict[int, YearOverride] = dict(overrides or {})
        self._use_library = use_library

    @classmethod
    def from_file(cls, path: Path = DEFAULT_OVERRIDES_PATH, *, use_library: bool = True) -> WorkdayCalendar:
        return cls(load_overrides(path), use_library=use_library)

    def is_known(self, year: int) -> bool:
        if year in self._overrides:
            return True
        if not self._use_library:
            return False
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def source(self, year: int) -> str:
        """Where ``year``'s arrangement comes from, for showing alongside a deadline."""
        if year in self._overrides:
            return self._overrides[year].source
        if self.is_known(year):
            return f"{self.notice(year)}（chinese_calendar 数据包收录）"
        raise CalendarUnknownError(year)

    def notice(self, year: int) -> str:
        """The published notice ``year``'s arrangement is from, as an answer cites it."""
        if year in self._overrides:
            return self._overrides[year].source
        return f"国务院办公厅关于{year}年部分节假日安排的通知"

    def is_workday(self, day: dt.date) -> bool:
        day = plain_date(day)
        override = self._overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            return day.weekday() < 5 and day not in override.holidays
        if self._use_library:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                pass
        raise CalendarUnknownError(day.year)

    def day_kind(self, day: dt.date) -> DayKind:
        """Like :meth:`is_workday`, but never raises: an unknown year is estimated (weekends off)."""
        day = plain_date(day)
        weekend = "周六" if day.weekday() == 5 else "周日" if day.weekday() == 6 else ""
        try:
            workday = self.is_workday(day)
        except CalendarUnknownError:
            return DayKind(not weekend, True, weekend)
        if workday:
            return DayKind(True, False, "调休上班日" if weekend else "")
        return DayKind(False, False, self._holiday_name(day) or weekend or "法定节假日")

    def _holiday_name(self, day: dt.date) -> str:
        if day.year in self._overrides:
            return "法定节假日" if day in self._overrides[day.year].holidays else ""
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return ""
        if not on_holiday or name is None:
            return ""
        return HOLIDAY_NAMES_ZH.get(str(name), "法定节假日")

    def missing_next_year(self, today: dt.date) -> Optional[int]:
        """Next year, when it is November or later and its arrangement is not known yet."""
        today = plain_date(today)
        if today.month >= WARN_FROM_MONTH and not self.is_known(today.year + 1):
            return today.year + 1
        return None

    def estimating(self) -> WorkdayCalendar:
        """This calendar, except that a year without a known arrangement counts weekends only
        instead of raising: for dates that are shown labelled as an estimate."""
        return _EstimatingCalendar(self._overrides, use_library=self._use_library)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        start = plain_date(start)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative whole number, got {n!r}")
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative when ``b`` is before ``a``."""
        a, b = plain_date(a), plain_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for day in _days_after(a, b) if self.is_workday(day))


class _EstimatingCalendar(WorkdayCalendar):
    def is_workday(self, day: dt.date) -> bool:
        try:
            return super().is_workday(day)
        except CalendarUnknownError:
            return plain_date(day).weekday() < 5


def _days_after(a: dt.date, b: dt.date) -> Iterable[dt.date]:
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        yield day


def plain_date(value: Any) -> dt.date:
    # datetime is a subclass of date; mixing them breaks set membership, so reduce to a date.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a datetime.date, got {type(value).__name__}")


_DEFAULT: Dict[str, Any] = {"stamp": None, "calendar": None}


def default_calendar() -> WorkdayCalendar:
    """The calendar the bot uses: the shipped override file plus ``chinese_calendar``. Re-read when
    the file changes (a year entered on the desk is used without restarting the servers)."""
    try:
        stat = DEFAULT_OVERRIDES_PATH.stat()
        stamp: Any = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None
    if _DEFAULT["calendar"] is None or _DEFAULT["stamp"] != stamp:
        _DEFAULT["calendar"] = WorkdayCalendar.from_file(DEFAULT_OVERRIDES_PATH)
        _DEFAULT["stamp"] = stamp
    return _DEFAULT["calendar"]


# --- entering a year (the desk's calendar page) ----------------------------------------------------

_DATE_TOKEN = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|到|~|～|—|\.\.)\s*(\d{4}-\d{1,2}-\d{1,2}))?")


def dates_from_text(text: str, where: str) -> List[dt.date]:
    """Dates typed by staff: YYYY-MM-DD separated by spaces, commas or lines; a range as
    ``2027-02-05 至 2027-02-11``. Anything else is an error naming the offending text."""
    text = (text or "").replace("，", ",").replace("、", ",")
    leftover = re.sub(r"[\s,;；]+", " ", _DATE_TOKEN.sub("", text)).strip()
    if leftover:
        raise CalendarDataError(f"{where}：无法识别“{leftover[:40]}”，"
                                "请写成 2027-02-05，区间写成 2027-02-05 至 2027-02-11")
    days: List[dt.date] = []
    for m in _DATE_TOKEN.finditer(text):
        first = _as_date(m.group(1), where)
        last = _as_date(m.group(2), where) if m.group(2) else first
        if last < first or (last - first).days > 31:
            raise CalendarDataError(f"{where}：区间 {m.group(0)} 不对")
        day = first
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=1)
    return days


# A whole year's arrangement gives every festival of 《全国年节及纪念日放假办法》 (since 2008): the
# fixed-date ones are days off (listed, or a weekend that is not a make-up day), and 春节, 清明 and
# 端午 each have a listed day off within the dates they can fall on, widened by two days for a 补休
# Monday (春节 falls between 1月21日 and 2月20日 and 除夕 is off since 2025; 清明 4月4–6日; 端午 5月28日
# to 6月25日). 中秋 is not checked: without a lunar calendar a left-out 中秋 cannot be told from one
# on a Sunday without a weekday off (2015: 9月27日) or merged with 国庆 (2017, 2020, 2025).
# Every arrangement of 2008–2026 passes (tests/unit/test_workdays.py).
_FIXED_FESTIVALS = (("元旦", 1, 1), ("劳动节", 5, 1), ("国庆节", 10, 1), ("国庆节", 10, 2), ("国庆节", 10, 3))
_FIXED_SINCE_2025 = (("劳动节", 5, 2),)
_MOVABLE_FESTIVALS = (("春节", (1, 18), (2, 22)), ("清明节", (4, 2), (4, 8)), ("端午节", (5, 26), (6, 27)))


def festival_problems(override: YearOverride) -> List[str]:
    """Festivals a year's arrangement leaves out (in the desk's words); [] for a whole year."""
    if override.year < 2008:
        return []
    problems = []

    def off(day: dt.date) -> bool:
        return day in override.holidays or (day.weekday() >= 5 and day not in override.workdays)

    fixed = _FIXED_FESTIVALS + (_FIXED_SINCE_2025 if override.year >= 2025 else ())
    for name, month, day in fixed:
        date = dt.date(override.year, month, day)
        if not off(date):
            problems.append(f"{date.month}月{date.day}日（{name}）既没有列为放假日，也不是周末")
    for name, (m1, d1), (m2, d2) in _MOVABLE_FESTIVALS:
        first, last = dt.date(override.year, m1, d1), dt.date(override.year, m2, d2)
        if not any(first <= day <= last for day in override.holidays):
            problems.append(f"没有{name}的放假日（应在{m1}月{d1}日至{m2}月{d2}日之间）")
    return problems


def year_from_form(year: Any, source: str, holidays: str, workdays: str) -> YearOverride:
    """One whole year from the desk form, validated as the override file is and checked to give
    every festival (festival_problems): half a year would yield confident wrong deadlines."""
    try:
        number = int(str(year).strip())
    except ValueError:
        raise CalendarDataError("年份应为四位数字，例如 2027") from None
    if not 2000 <= number <= 2100:
        raise CalendarDataError("年份应为四位数字，例如 2027")
    entry = {"source": source, "holidays": [d.isoformat() for d in dates_from_text(holidays, "放假日期")],
             "workdays": [d.isoformat() for d in dates_from_text(workdays, "调休上班日期")]}
    override = parse_overrides({"years": {number: entry}})[number]
    missing = festival_problems(override)
    if missing:
        raise CalendarDataError(f"{number}年的安排不完整：" + "；".join(missing) + "。请按国务院办公厅通知整年录入。")
    return override


def save_year(override: YearOverride, path: Path = DEFAULT_OVERRIDES_PATH) -> None:
    """Writes (or replaces) one year in the override file, keeping its comments."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    path = Path(path)
    data = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if not isinstance(data, dict):
        data = CommentedMap()
    years = data.get("years")
    if not isinstance(years, dict):
        years = CommentedMap()
    entry = CommentedMap()
    entry["source"] = override.source
    for key, values in (("holidays", override.holidays), ("workdays", override.workdays)):
        seq = CommentedSeq(d.isoformat() for d in sorted(values))
        seq.fa.set_flow_style()
        entry[key] = seq
    years[override.year] = entry
    data["years"] = years
    parse_overrides(yaml_safe_copy(data))  # the whole file must still be valid before it is taken
    tmp = path.with_suffix(".yml.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    tmp.replace(path)


def yaml_safe_copy(data: Any) -> Any:
    """Plain dicts and lists of a round-trip document (for validation)."""
    if isinstance(data, dict):
        return {k: yaml_safe_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [yaml_safe_copy(v) for v in data]
    return data


def calendar_warning(today: dt.date, calendar: Optional[WorkdayCalendar] = None) -> str:
    """For the operator, from 1 November while next year's arrangement is missing ("" otherwise):
    logged at the action server's start-up and shown as a banner on the desk."""
    year = (calendar or default_calendar()).missing_next_year(today)
    if year is None:
        return ""
    return (f"{year}年的法定节假日安排尚未录入：落在{year}年的期限目前只能按周末估算并标明“估算”。"
            f"国务院办公厅公布{year}年安排后，请在工作台「节假日安排」页（/desk/calendar）按通知整年录入。")


def is_workday(day: dt.date) -> bool:
    return default_calendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return default_calendar().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return default_calendar().workdays_between(a, b)
