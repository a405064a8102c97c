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

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "〇零一二两三四五六七八九十百千万"


# 「6号礼拜五」: the weekday says nothing a date does not, and its 五 would join the day's digits
_WEEKDAY = re.compile(r"(?:礼拜|星期|周)[一二三四五六日天1-7]")


def _norm(text: str) -> str:
    return _WEEKDAY.sub("", unicodedata.normalize("NFKC", text))


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
_RELATIVE = re.compile(r"大前天|前天|前日|昨天|昨日|昨儿|今天|今日|今儿|明天|明日|明儿|大后天|后天")
# days before today (negative: a day still to come, 「明天送过去」)
_RELATIVE_DAYS = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "昨儿": 1, "今天": 0, "今日": 0, "今儿": 0,
                  "明天": -1, "明日": -1, "明儿": -1, "后天": -2, "大后天": -3}


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


def asks_when(text: str) -> bool:
    """The message asks when (最晚哪天、什么时候、几号到期 …)."""
    return bool(_WHEN.search(text or ""))


# 「这算晚了不」「还来得及不」: whether a step was late or a period is still open
_LATE_OR_IN_TIME = re.compile(r"算晚|晚了|算超|超期|超时|过期|逾期|来得及|来不及|赶得上|赶不上|过没过|过了没|"
                              r"合规|按时|及时")


def asks_timing(text: str) -> bool:
    """The message asks when, or whether something was late or is still in time."""
    return asks_when(text) or bool(_LATE_OR_IN_TIME.search(text or ""))


def parse_date(text: str, today: dt.date) -> Optional[dt.date]:
    """The date a message is about: the first written date (2026年2月5日, 2026-2-5, 2026.02.05,
    2月5日, 2月5号, 二月五日; a date without a year is the most recent one not after ``today``);
    failing that 今天 / 昨天 / 前天 (or 明天 / 后天, a day still to come). An explicit date wins over a
    relative word, as in
    "今天问一下，我2月5日交的". Impossible dates (2月30日) are skipped."""
    text = _norm(text)
    explicit = _explicit_dates(text, today)
    if explicit:
        return explicit[0][1]
    m = _RELATIVE.search(text)
    if m:
        return today - dt.timedelta(days=_RELATIVE_DAYS[m.group(0)])
    return None


# a day of the month alone (「16号就收到了」) is a date when the message says what happened on it
_DAY_EVENT = re.compile(r"收到|收着|收了|收的|收下|拿到|接到|签收|确认|交|寄|递|送|发|申请|通知|答复|回复|补正|"
                        r"延期|延长")


def tells_a_day(text: str, today: dt.date) -> bool:
    """The message names a day of the application's history: an explicit date, or a bare 「16号」
    or 「明天」 beside what happened on it (not 「3号窗口」「明天什么时候上班」)."""
    text = _norm(text)
    if _explicit_dates(text, today):
        return True
    return any((_DAY_ONLY.search(clause) or _RELATIVE.search(clause)) and _DAY_EVENT.search(clause)
               for clause in _CLAUSE.split(text))


# 「10月10号那个礼拜六也算工作日？」「10月3号放假吗」: whether a day is a working day
_WORKDAY_QUESTION = re.compile(r"(?:算|是|属于)(?:不算|不是)?(?:工作日|上班日|休息日|法定节假日|节假日|假期|假日)|"
                               r"(?:上班|放假|休息|调休)(?:吗|么|嘛|不|没|\?|？)|"
                               r"算不算工作日|是不是工作日|用不用上班|要不要上班|上不上班|放不放假")


def asks_if_workday(text: str, today: dt.date, elliptic: bool = False) -> Optional[dt.date]:
    """The one day a message asks whether it is a working day (「10月10号那个礼拜六也算工作日？」);
    ``elliptic``: after such an answer the day alone asks it (「那10月11号呢」). None when the message
    names no single day, or tells what happened on it (「3月2日交的 20个工作日是哪天」: a calculation)."""
    text = _norm(text)
    if not (elliptic or _WORKDAY_QUESTION.search(text)) or _DAY_EVENT.search(text) or "自然日" in text:
        return None
    days = set(parse_dates(text, today))
    return days.pop() if len(days) == 1 else None


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
# going there oneself (「我明儿上午就去」 after the office hours or help to write it there)
_WEAK_IN_PERSON = re.compile(r"递交|送交|送到|送过去|交到|就去|亲自去|过去交|上门|上那去|上那儿去")
# posted, without saying how (「11月2号邮寄的」): a history's channel, not parse_channel's answer
_ANY_MAIL = re.compile(r"邮寄|寄出|寄的|寄了|寄过去|寄去|寄到|邮过去|邮的|信寄")


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


class Quantity(NamedTuple):  # a tuple: callers unpack it, calculate_fee(*quantity)
    count: int  # type: ignore[assignment]  # shadows tuple.count(), which nobody calls on it
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


# 「这个月已经交了8件 还想再交15件」: the month's applications so far and those to come
_MORE_ITEMS = re.compile(r"(?:已经|已)[^，。]{0,12}\d+\s*[件份条].{0,12}(?:再|还要|还想|又)")


def month_items(text: str) -> Optional[Quantity]:
    """The applications a message counts for one month: the first count, or, when it tells those
    already made and those still to come (「已经交了8件 还想再交15件」), their sum; the per-item fee
    counts one applicant's applications over a natural month (FACTS §2.1)."""
    found = [q for q in parse_quantities(text) if q.unit == "件"]
    if len(found) >= 2 and _MORE_ITEMS.search(_norm(text)):
        return Quantity(found[0].count + found[1].count, "件")
    return parse_quantity(text)


# --- a described history (deadline calculator) -----------------------------------------------------

_CLAUSE = re.compile(r"[，,。；;！!？?\n、]|然后|后来|之后|接着")
_DAY_ONLY = re.compile(rf"(?<![\d{_CN}月/.\-])(\d{{1,2}}|[{_CN}]{{1,3}})\s*[号日](?![期子])")
_CORRECTION_WORDS = re.compile(r"补正|补交|补充材料|补齐|补全|重新提交|补材料|(?:让|叫|通知|要|要求)我?补")
_NOTICE_WORDS = re.compile(r"通知|要求|告知|让我|叫我")
# the citizen has supplied the 补正 (「我11月2号补上了」), whatever notice words came before it
_CORRECTION_DONE = re.compile(r"(?:补上|补好|补完|补齐|补交|补过去|交上)了|已经?补")
# the day of the date told just before (「11月2号补上了 他们当天就确认收到了」)
_SAME_DAY = re.compile(r"当天|当日|同一天|同天")
# the agency tells it has the application: 「他们9号回邮件说收到了」「区里来电话说收着了」
_THEY_GOT = re.compile(r"(?:他们|人家|对方|那边|机关|局里|区里|市里|回邮件|来电话|打电话|短信)"
                       r"[^，。]{0,8}(?:收到|收着|收的|收了)")
_AGENCY_GOT = re.compile(r"签收|确认|收到了?(?:我的)?(?:补正|材料|申请)|机关收到|他们收到|对方收到")
_SENT_WORDS = re.compile(r"寄|邮|递交|提交|交的|交了|交到|送|发的|发了|发出|发送|申请的|当面|窗口|网上|传真|交")
_REPLY_WORDS = re.compile(r"答复|回复|答覆|告知书|决定书|回函|回信")
_REPLY_RECEIVED = re.compile(r"收到|拿到|接到|领到|寄到|看到|签收|送达")
# 「那张纸是10月9号给我的」: what the agency gave the citizen is its reply
_GIVEN_TO_ME = re.compile(r"(?:(?<![说带])给|寄给|发给|交给|送给)我的")  # not 「说回我的事」
_REVIEW_DECISION = re.compile(r"复议决定")
_FEE_NOTICE = re.compile(r"(?:收费|缴费|交费|付费)通知")
# the message is about paying (「钱最晚哪天交」): its bare 「通知」 is the fee notice
_FEE_TALK = re.compile(r"收费|缴费|交费|缴纳|付费|处理费|交钱|缴钱|钱.{0,6}(?:交|缴|付)")
_CONSULT = re.compile(r"征求|第三方")
_EXTENSION = re.compile(r"延期|延长")
# 「最晚啥时候答复我」: a question about when (with a date told, a due-date calculation)
_WHEN = re.compile(r"哪天|哪一天|几号|什么时候|啥时候|最晚|最迟|到期|截止|截至|何日|何时")
_HYPOTHETICAL = re.compile(r"如果|假如|要是|的话|万一|会不会|能不能|可不可以")
_NOT_STATED = re.compile(r"(?:没有?|未)(?:告知|写|说明|提到?)(?:.{0,6})(?:复议|救济|权利|期限)")
_CORRECTIVE = re.compile(r"不对|错了|更正|改成|应该是|其实是|说错")
_REPLY_TYPES = (
    ("partially_disclosed", re.compile(r"部分公开")),
    ("withheld", re.compile(r"不予公开|不公开|拒绝公开|不给公开")),
    ("not_exist", re.compile(r"不存在|没有该信息|不掌握|没有这个信息")),
    ("not_our_agency", re.compile(r"不属于本机关|不归他们|不属于.*负责")),
    ("disclosed", re.compile(r"予以公开|同意公开|已公开")),
)


_FULL_YEAR = re.compile(r"\d{4}\s*(?:年|[-./]\s*\d)")
# A yearless date after 「2026年11月3日…」 belongs near that date, not to the year of today: read it as
# the most recent such date up to ~10 months after the anchor (so 「1月3日」 after December is January).
_ANCHOR_WINDOW = dt.timedelta(days=300)


def _clause_dates(clause: str, today: dt.date, month_hint: Optional[Tuple[int, int]],
                  anchor: Optional[dt.date] = None, told: Optional[dt.date] = None) -> List[dt.date]:
    reference = anchor + _ANCHOR_WINDOW if anchor is not None else today
    dates = [value for _, value in _explicit_dates(clause, reference)]
    if dates:
        return dates
    if told is not None and _SAME_DAY.search(clause):
        return [told]
    m = _RELATIVE.search(clause)
    if m:
        return [today - dt.timedelta(days=_RELATIVE_DAYS[m.group(0)])]
    m = _DAY_ONLY.search(clause)
    if m and month_hint is not None:
        day = chinese_number(m.group(1))
        if day is not None:
            try:
                return [dt.date(month_hint[0], month_hint[1], day)]
            except ValueError:
                return []
    return []


def parse_history(text: str, today: dt.date, known: Optional[dict] = None) -> dict:
    """The facts of an application's history a message states, as ``bot.rules.timeline.Timeline`` field
    names → values (dates, the channel, the reply type, ``remedy_stated``), plus ``corrective``
    (True when the message corrects an earlier fact: 「不对，是13号签收的」).

    Clause by clause: a date is what the words around it say it is (寄出 → submitted, 签收 → the
    agency signed, 补正通知 → the 补正 request, 收到答复 → the reply received …). ``known`` (facts
    from earlier turns) decides what a bare 「13号」 or 「签收」 refers to: after a 补正 request a
    signing is the corrected application's, and a day without a month takes the month of the fact
    it corrects.
    """
    norm = _norm(text)
    known = dict(known or {})
    facts: dict = {}
    channel = parse_channel(norm)
    if channel is None and _ANY_MAIL.search(norm):
        channel = "mail"  # bot.rules.timeline.ANY_MAIL: posted, kind not said
    if channel is not None:
        facts["channel"] = channel
    for name, pattern in _REPLY_TYPES:
        if pattern.search(norm):
            facts["reply_type"] = name
            break
    if _NOT_STATED.search(norm):
        facts["remedy_stated"] = False
    if _CORRECTIVE.search(norm):
        facts["corrective"] = True
    correction_seen = bool(known.get("correction_requested_on"))
    fee_talk = bool(_FEE_TALK.search(norm))
    consultations: List[List[Optional[dt.date]]] = []
    anchor: Optional[dt.date] = None
    told: Optional[dt.date] = None  # the date of the clause before
    for clause in _clauses(norm, today):
        if _CORRECTION_WORDS.search(clause) or _CORRECTION_DONE.search(clause):
            correction_seen = True
        field = _classify(clause, facts, known, correction_seen, fee_talk)
        if field is None:
            continue
        hint_from = facts.get(field) or known.get(field) or _latest(facts, known)
        hint = (hint_from.year, hint_from.month) if isinstance(hint_from, dt.date) else (today.year, today.month)
        dates = _clause_dates(clause, today, hint, anchor, told)
        if not dates:
            continue
        told = dates[-1]
        if _FULL_YEAR.search(clause):
            anchor = dates[0]
        if field == "consultation_sent":
            consultations.append([dates[0], dates[1] if len(dates) > 1 else None])
        elif field == "consultation_replied":
            if consultations and consultations[-1][1] is None:
                consultations[-1][1] = dates[0]
            else:
                consultations.append([None, dates[0]])
        else:
            facts[field] = dates[0]
            if field == "correction_requested_on":
                correction_seen = True
    if consultations:
        facts["consultations"] = [tuple(c) for c in consultations]
    return facts


# Between two words (not inside 「2026 年 3 月」), a space separates clauses as a comma does.
_WORD_GAP = re.compile(r"(?<=[^\d\s年月日号./-])\s+(?=[^\s年月日号./-])")


def _clauses(text: str, today: dt.date) -> List[str]:
    """The message cut so that each piece holds at most one date with the words that describe it:
    at punctuation and word gaps, then before every further date (「3月2日寄出3月5日签收」). A piece
    without a date is kept as the start of the next one (「补正通知 11月10日收到」)."""
    pieces: List[str] = []
    pending = ""
    for chunk in _CLAUSE.split(_WORD_GAP.sub("，", text)):
        if not chunk.strip():
            continue
        starts = sorted([start for start, _ in _explicit_dates(chunk, today)]
                        + [m.start() for m in _DAY_ONLY.finditer(chunk)])[1:]
        cuts = [0] + starts + [len(chunk)]
        for a, b in zip(cuts, cuts[1:]):
            piece = pending + chunk[a:b]
            if (_explicit_dates(piece, today) or _RELATIVE.search(piece) or _DAY_ONLY.search(piece)
                    or (pieces and _SAME_DAY.search(piece))):
                pieces.append(piece)
                pending = ""
            else:
                pending = piece
    return pieces


def _latest(facts: dict, known: dict) -> Optional[dt.date]:
    days = [v for v in list(facts.values()) + list(known.values()) if isinstance(v, dt.date)]
    return max(days) if days else None


def _classify(clause: str, facts: dict, known: dict, correction_seen: bool,
              fee_talk: bool = False) -> Optional[str]:
    """Which Timeline field a date in ``clause`` fills (None: the clause is not about a date).
    ``fee_talk``: the message is about paying the fee, so a bare 「通知」 is the fee notice."""
    if _REVIEW_DECISION.search(clause):
        return "review_decision_received_on"
    if _FEE_NOTICE.search(clause) or (fee_talk and "通知" in clause and not _CORRECTION_WORDS.search(clause)
                                      and not _EXTENSION.search(clause)):
        return "fee_notice_received_on"
    if _CONSULT.search(clause):
        return "consultation_replied" if re.search(r"回复|答复|回函|意见回来", clause) else "consultation_sent"
    if _EXTENSION.search(clause) and not _HYPOTHETICAL.search(clause):
        return "extension_on"
    if _CORRECTION_WORDS.search(clause) or _CORRECTION_DONE.search(clause):
        if _NOTICE_WORDS.search(clause) and not _CORRECTION_DONE.search(clause):
            return "correction_requested_on"
        if _AGENCY_GOT.search(clause):
            return "correction_received_on"
        return "correction_sent_on"
    if (re.search(r"签收|确认", clause) or _THEY_GOT.search(clause)) and not re.search(r"答复书|决定书|告知书", clause):
        after_correction = correction_seen and (facts.get("correction_sent_on") or known.get("correction_sent_on")
                                                or facts.get("correction_requested_on")
                                                or known.get("correction_requested_on"))
        return "correction_received_on" if after_correction else "received_on"
    if _REPLY_WORDS.search(clause) and not re.search(r"最晚|最迟|哪天|几号|什么时候|何时|期限|到期|截止", clause):
        return "reply_received_on" if _REPLY_RECEIVED.search(clause) or _GIVEN_TO_ME.search(clause) else "reply_on"
    if _GIVEN_TO_ME.search(clause):
        return "reply_received_on"
    if _SENT_WORDS.search(clause) or "submitted_on" not in facts:
        if correction_seen and (facts.get("correction_requested_on") or known.get("correction_requested_on")):
            return "correction_sent_on"
        return "submitted_on"
    return None
