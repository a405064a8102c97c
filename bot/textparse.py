"""Pulling dates, application channels and quantities out of a citizen's Chinese message.

Used by the deadline and fee questions ("我2月5日当面交的，最晚哪天答复", "材料120页收多少").
Every function normalises with NFKC first, so full-width digits and punctuation work. They return
None when the message does not say — the assistant then asks, rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import List, NamedTuple, Optional, Tuple

__all__ = [
    "Quantity",
    "chinese_number",
    "parse_date",
    "parse_dates",
    "parse_channel",
    "parse_quantity",
    "parse_quantities",
]

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "〇零一二两三四五六七八九十百千万"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def chinese_number(text: str) -> Optional[int]:
    """Arabic or Chinese numerals → int: 35, 三十五, 一百二十, 两百, 一百二 (=120), 二〇二六 (=2026);
    None for anything else, including vague pairs such as 三五 ("three or five")."""
    text = _norm(text).strip().replace(",", "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(c not in _CN_DIGITS and c not in _CN_UNITS and c != "万" for c in text):
        return None
    if len(text) > 1 and all(c in _CN_DIGITS for c in text):
        # Four digits read one by one are a year (二〇二六 → 2026); "三五" means "three or five".
        if len(text) != 4:
            return None
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total = section = digit = 0
    last_unit = 0
    after_zero = False
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
            after_zero = after_zero or c in "零〇"
        elif c in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[c]
            digit, last_unit, after_zero = 0, _CN_UNITS[c], False
        else:  # 万
            total += (section + digit or 1) * 10000
            section = digit = 0
            last_unit, after_zero = 10000, False
    if digit and last_unit >= 100 and not after_zero:
        digit *= last_unit // 10  # colloquial 一百二 = 120, 两千五 = 2500
    return total + section + digit


# --- dates ----------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_CN_DATE = re.compile(
    rf"(?:(\d{{4}}|\d{{2}}|[{_CN}]{{2,4}})\s*年\s*)?"
    rf"(?<![\d{_CN}])(\d{{1,2}}|[{_CN}]{{1,3}})\s*月\s*(\d{{1,2}}|[{_CN}]{{1,3}})"
    r"(?:\s*[日号]|(?![\d个件份条页张天元块周月年号日小分点%]))"
)
_RELATIVE = re.compile(r"大前天|前天|前日|昨天|昨日|昨儿|今天|今日|今儿")
_RELATIVE_DAYS = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "昨儿": 1, "今天": 0, "今日": 0, "今儿": 0}


def _explicit_dates(text: str, today: dt.date) -> List[Tuple[int, dt.date]]:
    found: List[Tuple[int, int, Optional[dt.date]]] = []
    for m in _NUMERIC_DATE.finditer(text):
        found.append((m.start(), m.end(), _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)), today)))
    for m in _CN_DATE.finditer(text):
        year = chinese_number(m.group(1)) if m.group(1) else None
        month, day = chinese_number(m.group(2)), chinese_number(m.group(3))
        if year is not None and year < 100:
            year += 2000
        if month is None or day is None:
            continue
        found.append((m.start(), m.end(), _make_date(year, month, day, today)))
    result: List[Tuple[int, dt.date]] = []
    taken: List[Tuple[int, int]] = []
    for start, end, value in sorted(found, key=lambda f: (f[0], -f[1])):
        if value is None or any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        result.append((start, value))
    return result


def _make_date(year: Optional[int], month: int, day: int, today: dt.date) -> Optional[dt.date]:
    if year is not None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    # No year: the most recent such date not after today (29 February may need a few years back).
    for back in range(0, 8):
        try:
            candidate = dt.date(today.year - back, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def parse_dates(text: str, today: dt.date) -> List[dt.date]:
    """Every date the message names, in the order written (explicit and 今天/昨天/前天)."""
    text = _norm(text)
    found = _explicit_dates(text, today)
    found += [(m.start(), today - dt.timedelta(days=_RELATIVE_DAYS[m.group(0)])) for m in _RELATIVE.finditer(text)]
    return [value for _, value in sorted(found, key=lambda f: f[0])]


def parse_date(text: str, today: dt.date) -> Optional[dt.date]:
    """The date a message is about: the first written date (2026年2月5日, 2026-2-5, 2026.02.05,
    2月5日, 2月5号, 二月五日; a date without a year is the most recent one not after ``today``);
    failing that 今天 / 昨天 / 前天. An explicit date wins over a relative word, as in
    "今天问一下，我2月5日交的". Impossible dates (2月30日) are skipped."""
    text = _norm(text)
    explicit = _explicit_dates(text, today)
    if explicit:
        return explicit[0][1]
    m = _RELATIVE.search(text)
    if m:
        return today - dt.timedelta(days=_RELATIVE_DAYS[m.group(0)])
    return None


# --- channel --------------------------------------------------------------------------------------

# Specific channels name the way the application travelled; generic words (a place, "online") are
# often mentioned in passing ("在网站上找到邮箱，发邮件申请的"), so a specific channel wins.
_SPECIFIC = {
    "fax": re.compile(r"传真"),
    "registered_mail": re.compile(r"挂号|ems|快递|特快|顺丰"),
    "ordinary_mail": re.compile(r"平信|普通信|平邮"),
    "email": re.compile(r"电子邮件|邮箱|e-?mail|电邮|(?<!挂号)(?<!ems)(?<!快递)(?<!平信)(?<!挂号信)邮件"),
}
_GENERIC = {
    "in_person": re.compile(r"当面|现场|窗口|亲自|大厅|柜台"),
    "online": re.compile(r"网上|网站|平台|在线|网申|网页|政务网|小程序"),
}
_WEAK_IN_PERSON = re.compile(r"递交|送交|送到|送过去|交到")


def parse_channel(text: str) -> Optional[str]:
    """One of in_person, registered_mail, ordinary_mail, email, online, fax — or None when the
    message names none, or names two that contradict each other (the assistant should ask)."""
    text = _norm(text).lower()
    specific = [name for name, pattern in _SPECIFIC.items() if pattern.search(text)]
    if specific:
        return specific[0] if len(specific) == 1 else None
    generic = [name for name, pattern in _GENERIC.items() if pattern.search(text)]
    if generic:
        return generic[0] if len(generic) == 1 else None
    if _WEAK_IN_PERSON.search(text):
        return "in_person"
    return None


# --- quantity -------------------------------------------------------------------------------------


class Quantity(NamedTuple):
    count: int
    unit: str  # "件" (件/份/条) or "页" (页/张)


_UNITS = {"件": "件", "份": "件", "条": "件", "页": "页", "张": "页"}
_QUANTITY = re.compile(rf"(?<![第\d{_CN}.])(\d{{1,3}}(?:,\d{{3}})+|\d+|[{_CN}]+)\s*(件|份|条|页|张)")


def parse_quantities(text: str) -> List[Quantity]:
    """Every count of items (件/份/条) or pages (页/张) in the message, in order."""
    result = []
    for m in _QUANTITY.finditer(_norm(text)):
        count = chinese_number(m.group(1))
        if count is not None:
            result.append(Quantity(count, _UNITS[m.group(2)]))
    return result


def parse_quantity(text: str) -> Optional[Quantity]:
    """The first count in the message: 35件 → (35, "件"), 一百二十页 → (120, "页"); ordinals
    (第31件, 第三十三条) and vague amounts (100多页, 几件) are not counts."""
    found = parse_quantities(text)
    return found[0] if found else None
