"""From a described history of one application to every statutory date it implies, with steps.

Pure and typed: no Rasa, no database, no I/O at import. The citizen (or the agent on the phone)
describes what happened — how and when it was submitted, when the agency signed for it or
confirmed it, a 补正 request and when the corrected application arrived, consultations, an
extension, the reply and when it was received — and :func:`compute` returns:

* the dates the law fixes (:class:`Deadline`, keyed by :data:`DEADLINE_KEYS`), and
* the steps (:class:`Step`: date, event, rule, article), so a lawyer can check the chain in ten
  seconds.

The rules (FACTS.md §1.4–1.7, §3, §4; article numbers as there):

* Receipt date, 条例第三十一条: in person → that day; post that is signed for → the day the agency
  signs; ordinary letters, e-mail, online platform, fax → the day of confirmation. An unknown
  signing / confirmation day is estimated (post: 3 days after posting; electronic: the sending day)
  and every date that depends on it is labelled as an estimate.
* Reply, 条例第三十三条: 20 working days after the receipt date (that day not counted; the reading
  of bot/rules/deadlines.py); an extension adds at most 20; consultation time does not count (read as in
  bot/rules/deadlines.py: the working days after sending up to the reply, at most 15).
* 补正, 条例第三十条: asked for within 7 working days of receipt; the period starts again, in full,
  from the day the agency receives the corrected application.
* Remedies, counted from the day the citizen received the reply (知道之日): 行政复议 60 days
  (复议法第二十条第一款), natural days, periods by the 民事诉讼法 rules (复议法第八十八条第一款): the
  start day is not counted and a last day that is a holiday or weekend moves to the next working
  day; 1 year at most when the reply did not state the remedy (复议法第二十条第三款); 行政诉讼
  6 months directly (行诉法第四十六条第一款) except that 不予公开 must go to 复议 first
  (复议法第二十三条第一款第（四）项); 15 days after the 复议 decision (行诉法第四十五条). Complaints
  have no period (条例 sets none).
* Where the year's holiday arrangement is unknown, dates are estimated counting weekends only
  (:meth:`bot.rules.workdays.WorkdayCalendar.day_kind`) and flagged ``estimated``.

Impossible timelines (signed before sent, reply before receipt …) give :attr:`TimelineResult.problem`
— a polite question — and no dates.
"""

from __future__ import annotations

import calendar as _monthdays
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from bot.rules.deadlines import (
    CORRECTION_NOTICE_WORKDAYS,
    EXTENSION_WORKDAYS,
    FEE_PAYMENT_WORKDAYS,
    REPLY_WORKDAYS,
    consultation_days,
    count_workdays,
    format_date_zh,
)
from bot.rules.vocab import ANSWER_TYPES, CHANNELS
from bot.rules.workdays import WorkdayCalendar, default_calendar, plain_date

__all__ = [
    "DEADLINE_KEYS",
    "MAIL_DAYS_ESTIMATE",
    "Consultation",
    "Deadline",
    "Step",
    "Timeline",
    "TimelineResult",
    "compute",
    "date_zh",
    "headline_zh",
    "missing_fact",
    "render_zh",
    "sources_zh",
    "steps_table_md",
    "timeline_from_facts",
    "UNKNOWN_YEAR_NOTE",
]

# 「11月2号邮寄的」: posted, but whether signed for (挂号) or confirmed (平信) is not said; the
# receipt is the day the agency signs for or confirms it either way (条例第三十一条第（二）项)
ANY_MAIL = "mail"
ANY_MAIL_NAME = "邮寄，未说明挂号信还是平信"
_SIGNED_CHANNELS = ("registered_mail",)
_CONFIRMED_CHANNELS = ("ordinary_mail", "email", "online", "fax")
_POSTED_CHANNELS = ("registered_mail", "ordinary_mail", ANY_MAIL)

MAIL_DAYS_ESTIMATE = 3  # 「先按寄出后第3天估算」: an assumption, always labelled
REVIEW_DAYS = 60  # 复议法第二十条第一款
SUIT_MONTHS = 6  # 行诉法第四十六条第一款；行诉解释第六十六条
SUIT_AFTER_REVIEW_DAYS = 15  # 行诉法第四十五条

DEADLINE_KEYS: Tuple[str, ...] = (
    "correction_notice_limit",  # last day the agency could ask for 补正
    "reply_due",
    "extended_reply_due",
    "review",  # 行政复议, 60 days
    "review_cap",  # 1 year when the remedy was not stated
    "suit_direct",  # 行政诉讼 directly, 6 months
    "suit_after_review",  # 15 days after the 复议 decision
)

ART_RECEIPT = "条例第三十一条"
ART_CORRECTION = "条例第三十条"
ART_REPLY = "条例第三十三条第二款"
ART_CONSULTATION = "条例第三十二条、第三十四条、第三十三条第三款"
ART_REVIEW = "复议法第二十条第一款、第八十八条第一款"
ART_REVIEW_CAP = "复议法第二十条第三款"
ART_SUIT = "行诉法第四十六条第一款"
ART_SUIT_SILENCE = "行诉解释第六十六条"
ART_SUIT_AFTER_REVIEW = "行诉法第四十五条"
ART_PRIOR_REVIEW = "复议法第二十三条第一款第（四）项"
ART_FREE = "复议法第八十七条"
ART_COMPLAINT = "条例第四十七条、第五十一条"
# FACTS §2.3: the rule is 109号's, known from the 川财通知 restating it; 109号's article is 未核实
ART_FEE_PAYMENT = "国办函〔2020〕109号（条号未核实，四川省财政厅等通知复述）"


def date_zh(day: dt.date) -> str:
    return format_date_zh(day)


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class Consultation:
    """A consultation of a third party or another agency (条例第三十二条、第三十四条)."""

    sent_on: dt.date
    replied_on: Optional[dt.date] = None


@dataclass(frozen=True)
class Timeline:
    """What the citizen says happened. Every field is optional; ``compute`` says what is missing."""

    channel: Optional[str] = None  # a key of CHANNELS
    submitted_on: Optional[dt.date] = None  # handed in / posted / sent
    received_on: Optional[dt.date] = None  # the agency signed for it / confirmed it
    correction_requested_on: Optional[dt.date] = None  # the 补正 notice (as the citizen dates it)
    correction_sent_on: Optional[dt.date] = None  # the corrected application posted / handed in
    correction_received_on: Optional[dt.date] = None  # … and received (signed) by the agency
    consultations: Tuple[Consultation, ...] = ()
    extension_on: Optional[dt.date] = None  # the extension notice
    reply_on: Optional[dt.date] = None  # the date on the reply
    reply_received_on: Optional[dt.date] = None  # the day the citizen received it
    reply_type: Optional[str] = None  # bot.rules.vocab.ANSWER_TYPES key, e.g. "withheld"
    remedy_stated: Optional[bool] = None  # the reply stated the 复议 right, body and period
    review_decision_received_on: Optional[dt.date] = None
    fee_notice_received_on: Optional[dt.date] = None  # the citizen received the fee notice


@dataclass(frozen=True)
class Step:
    """One line a lawyer can check: on ``day``, ``event``, because ``rule`` (``article``)."""

    day: dt.date
    event: str
    rule: str = ""
    article: str = ""
    estimated: bool = False

    def line_zh(self) -> str:
        text = f"{date_zh(self.day)}{'（估算）' if self.estimated else ''}：{self.event}"
        if self.rule:
            text += f"。{self.rule}"
        if self.article:
            text += f"【{self.article}】"
        return text


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str  # Chinese, e.g. 答复期限
    day: dt.date
    article: str
    estimated: bool = False


@dataclass(frozen=True)
class TimelineResult:
    timeline: Timeline
    today: dt.date
    steps: Tuple[Step, ...] = ()
    deadlines: Dict[str, Deadline] = field(default_factory=dict)
    notes: Tuple[str, ...] = ()  # caveats, 未核实 items, assumptions
    problem: str = ""  # a polite question: the timeline cannot be right as told
    unknown_years: FrozenSet[int] = frozenset()  # years whose arrangement was estimated
    paused: bool = False  # 补正 asked for, corrected application not yet received
    silence: bool = False  # no reply and the (extended) due date has passed

    def day(self, key: str) -> Optional[dt.date]:
        found = self.deadlines.get(key)
        return found.day if found else None

    @property
    def estimated(self) -> bool:
        return any(d.estimated for d in self.deadlines.values())


class _Counter:
    """Counts on one calendar and remembers which unknown years it had to estimate."""

    def __init__(self, calendar: WorkdayCalendar) -> None:
        self.cal = calendar
        self.unknown: Set[int] = set()

    def workday(self, day: dt.date) -> bool:
        kind = self.cal.day_kind(day)
        if kind.estimated:
            self.unknown.add(day.year)
        return kind.workday

    def add(self, start: dt.date, n: int, excluded: FrozenSet[dt.date] = frozenset()) -> Tuple[dt.date, bool]:
        """The n-th counted working day after ``start``; True when an unknown year was crossed."""
        day, _ = count_workdays(self.workday, start, n, excluded)
        return day, self.estimated_between(start, day)

    def estimated_between(self, start: dt.date, end: dt.date) -> bool:
        return any(not self.cal.is_known(year) for year in range(start.year, end.year + 1))

    def period_end(self, last: dt.date) -> Tuple[dt.date, str, bool]:
        """A natural-day period's last day, moved past holidays and weekends (民事诉讼法 rules via
        复议法第八十八条第一款). Returns the day, why it moved ("" if not) and whether estimated."""
        kind = self.cal.day_kind(last)
        estimated = kind.estimated
        if estimated:
            self.unknown.add(last.year)
        if kind.workday:
            return last, "", estimated
        reason = kind.reason
        day = last
        while True:
            day += dt.timedelta(days=1)
            kind = self.cal.day_kind(day)
            estimated = estimated or kind.estimated
            if kind.workday:
                if kind.estimated:
                    self.unknown.add(day.year)
                return day, reason, estimated


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, _monthdays.monthrange(year, month)[1]))


def _add_years(day: dt.date, years: int) -> dt.date:
    return _add_months(day, 12 * years)


# --- checks -----------------------------------------------------------------------------------------


def _problem(t: Timeline) -> str:
    """A polite question when the dates cannot all be right; "" when they can."""
    pairs = [
        (t.submitted_on, t.received_on, "寄出（提交）", "签收或确认"),
        (t.received_on, t.correction_requested_on, "机关收到申请", "补正通知"),
        (t.submitted_on, t.correction_requested_on, "提交申请", "补正通知"),
        (t.correction_requested_on, t.correction_sent_on, "补正通知", "补正材料寄出（提交）"),
        (t.correction_requested_on, t.correction_received_on, "补正通知", "机关收到补正材料"),
        (t.correction_sent_on, t.correction_received_on, "补正材料寄出（提交）", "机关签收补正材料"),
        (t.received_on, t.extension_on, "机关收到申请", "延期通知"),
        (t.submitted_on, t.reply_on, "提交申请", "答复"),
        (t.received_on, t.reply_on, "机关收到申请", "答复"),
        (t.reply_on, t.reply_received_on, "答复书落款", "您收到答复"),
        (t.submitted_on, t.reply_received_on, "提交申请", "您收到答复"),
        (t.reply_received_on, t.review_decision_received_on, "收到答复", "收到复议决定"),
    ]
    for c in t.consultations:
        pairs.append((c.sent_on, c.replied_on, "征求意见", "对方回复"))
    for earlier, later, first, second in pairs:
        if earlier is not None and later is not None and later < earlier:
            return (f"您说的{second}是{date_zh(later)}，却早于{first}的{date_zh(earlier)}，"
                    f"这两个日期应该有一个记错了。能再核对一下吗？")
    if t.channel is not None and t.channel not in CHANNELS and t.channel != ANY_MAIL:
        return "请问申请是通过哪种方式递交的？当面、挂号信/EMS、平信、电子邮件、网上平台还是传真？"
    return ""


# --- the computation --------------------------------------------------------------------------------


def compute(timeline: Timeline, *, today: dt.date,
            calendar: Optional[WorkdayCalendar] = None) -> TimelineResult:
    """Every statutory date ``timeline`` implies, with its steps (see the module docstring)."""
    t = timeline
    today = plain_date(today)
    problem = _problem(t)
    if problem:
        return TimelineResult(t, today, problem=problem)
    counter = _Counter(calendar or default_calendar())
    steps: List[Step] = []
    notes: List[str] = []
    deadlines: Dict[str, Deadline] = {}

    def deadline(key: str, label: str, day: dt.date, article: str, estimated: bool) -> None:
        deadlines[key] = Deadline(key, label, day, article, estimated)

    channel = t.channel
    if channel is None and t.received_on is None and t.submitted_on is not None:
        channel = "in_person"
        notes.append("您没有说明递交方式，以下按当面递交（递交当天即收到申请之日）计算。")

    receipt, receipt_estimated = _receipt(t, channel, steps, notes)
    if receipt is not None:
        _note_non_workday(counter, receipt, "机关收到申请", steps, receipt_estimated)
        limit, est = counter.add(receipt, CORRECTION_NOTICE_WORKDAYS)
        est = est or receipt_estimated
        deadline("correction_notice_limit", "机关告知补正的最后一天", limit, ART_CORRECTION, est)

    start, start_estimated, restarted = receipt, receipt_estimated, False
    paused = False
    corrected_told = t.correction_sent_on is not None or t.correction_received_on is not None
    if t.correction_requested_on is not None or corrected_told:
        limit_d = deadlines.get("correction_notice_limit")
        if t.correction_requested_on is not None:
            event, rule = "补正通知", "机关应在收到申请后7个工作日内一次性告知补正事项"
            if limit_d is not None:
                rule = (f"机关最晚应在{_md(limit_d.day)}{'（估算）' if limit_d.estimated else ''}"
                        "（收到申请次日起第7个工作日）一次性告知补正事项")
                if not limit_d.estimated:
                    event += "（晚于期限）" if t.correction_requested_on > limit_d.day else "（在期限内）"
            steps.append(Step(t.correction_requested_on, event, rule, ART_CORRECTION))
        if (limit_d is not None and not limit_d.estimated and t.correction_requested_on is not None
                and t.correction_requested_on > limit_d.day):
            notes.append(f"补正通知（{date_zh(t.correction_requested_on)}）晚于收到申请后7个工作日"
                         f"（{date_zh(limit_d.day)}），条例第三十条要求在7个工作日内一次性告知。")
        corrected, corrected_estimated = _corrected_receipt(t, channel, steps)
        if corrected is None:
            paused = True
            notes.append("补正期间答复期限暂停：机关收到补正后的申请之日起，重新计算20个工作日【条例第三十条】。"
                         "请告诉我补正材料是哪天送到（签收）的，我再算出答复期限。")
        else:
            start, start_estimated, restarted = corrected, corrected_estimated, True
            _note_non_workday(counter, corrected, "机关收到补正后的申请", steps, corrected_estimated)

    due: Optional[dt.date] = None
    due_estimated = False
    if start is not None and not paused:
        excluded, consult_note = _consultation_days(counter, t.consultations, start, steps)
        if consult_note:
            notes.append(consult_note)
        due, est = counter.add(start, REPLY_WORKDAYS, excluded)
        est = est or start_estimated
        what = "收到补正后的申请" if restarted else "收到申请"
        rule = f"自{_md(start)}{what}的次日起算20个工作日（周末、法定节假日不算，调休上班日算）"
        if excluded:
            rule += f"，扣除征求意见的{len([d for d in excluded if d > start and d <= due])}个工作日"
        steps.append(Step(due, "答复期限最后一天", rule,
                          ART_REPLY + ("、" + ART_CORRECTION if restarted else ""), est))
        deadline("reply_due", "答复期限", due, ART_REPLY, est)
        due_estimated = est
        ext, ext_est = counter.add(start, REPLY_WORKDAYS + EXTENSION_WORKDAYS, excluded)
        ext_est = ext_est or start_estimated
        deadline("extended_reply_due", "延长后的答复期限（最长）", ext, ART_REPLY, ext_est)
        if t.extension_on is not None:
            steps.append(Step(t.extension_on, "延期通知", "经负责人同意并告知申请人，最长延长20个工作日", ART_REPLY))
            if t.extension_on > due:
                notes.append(f"延期通知（{date_zh(t.extension_on)}）晚于原答复期限（{date_zh(due)}），"
                             "条例要求在期限内经负责人同意并告知申请人。")
            steps.append(Step(ext, "延长后的答复期限最后一天", "原期限再加20个工作日", ART_REPLY, ext_est))
            due, due_estimated = ext, ext_est

    known = t.reply_received_on or t.reply_on
    silence = False
    if known is not None:
        if t.reply_received_on is None:
            notes.append("您没有说收到答复的日期，救济期限按答复书落款当天收到估算；实际应从您收到（知道）答复之日起算。")
        if t.reply_on is not None:
            steps.append(Step(t.reply_on, "机关作出答复"
                              + (f"（{ANSWER_TYPES.get(t.reply_type, '')}）" if t.reply_type in ANSWER_TYPES else "")))
            if due is not None and t.reply_on > due:
                notes.append(f"答复日期{date_zh(t.reply_on)}晚于答复期限{date_zh(due)}，属于逾期答复。")
        if t.reply_received_on is not None:
            steps.append(Step(t.reply_received_on, "您收到答复，救济期限从这一天起算（当天不计入）",
                              "", "复议法第二十条第一款"))
        _remedies_after_reply(counter, t, known, t.reply_received_on is None, steps, notes, deadline)
    elif t.review_decision_received_on is not None:
        # only the review decision told (a lawyer's 「复议决定书11月18日收到，最晚哪天起诉」): its 15 days
        _suit_after_review(counter, t.review_decision_received_on, steps, deadline)
    elif due is not None and today > due:
        silence = True
        _remedies_after_silence(counter, due, due_estimated, steps, notes, deadline)

    if t.fee_notice_received_on is not None:
        _fee_payment(counter, t.fee_notice_received_on, steps, deadline)

    steps.sort(key=lambda s: s.day)
    unknown = frozenset(counter.unknown)
    return TimelineResult(t, today, tuple(steps), deadlines, tuple(notes), "", unknown, paused, silence)


def _receipt(t: Timeline, channel: Optional[str], steps: List[Step],
             notes: List[str]) -> Tuple[Optional[dt.date], bool]:
    """The receipt date (条例第三十一条) and whether it is an estimate."""
    if channel is None:
        if t.received_on is None:
            return None, False
        # The agency signed for it / confirmed it on a day the citizen knows: that day, whatever the channel.
        steps.append(Step(t.received_on, "机关签收或确认，这一天是收到申请之日", "", ART_RECEIPT))
        return t.received_on, False
    name = CHANNELS.get(channel, ANY_MAIL_NAME)
    if t.submitted_on is not None and channel != "in_person":
        steps.append(Step(t.submitted_on, f"申请寄出/发出（{name}）",
                          "寄出或发送的日期不是收到申请之日", ART_RECEIPT))
    if channel == "in_person":
        day = t.submitted_on or t.received_on
        if day is not None:
            steps.append(Step(day, "当面递交申请，当天即收到申请之日", "", ART_RECEIPT + "第（一）项"))
        return day, False
    how = "签收" if channel in _SIGNED_CHANNELS else "签收或确认" if channel == ANY_MAIL else "确认"
    item = "第（二）项" if channel in _POSTED_CHANNELS else "第（三）项"
    if t.received_on is not None:
        steps.append(Step(t.received_on, f"机关{how}，这一天是收到申请之日", "", ART_RECEIPT + item))
        return t.received_on, False
    if t.submitted_on is None:
        return None, False
    if channel in _POSTED_CHANNELS:
        day = t.submitted_on + dt.timedelta(days=MAIL_DAYS_ESTIMATE)
        notes.append(f"机关{how}的日期还不知道，先按寄出后第{MAIL_DAYS_ESTIMATE}天（{date_zh(day)}）估算；"
                     f"请用邮件单号查询{how}日期，告诉我后再准确计算。")
    else:
        day = t.submitted_on
        notes.append(f"双方确认的日期还不知道，先按发送当天（{date_zh(day)}）估算；"
                     "请留意并回复机关的确认，告诉我确认日期后再准确计算。")
    steps.append(Step(day, f"估算的{how}日（收到申请之日）", "", ART_RECEIPT + item, True))
    return day, True


def _corrected_receipt(t: Timeline, channel: Optional[str], steps: List[Step]) -> Tuple[Optional[dt.date], bool]:
    if t.correction_sent_on is not None and t.correction_sent_on != t.correction_received_on:
        steps.append(Step(t.correction_sent_on, "补正材料寄出（提交）"))
    if t.correction_received_on is not None:
        steps.append(Step(t.correction_received_on, "机关收到（签收）补正后的申请，答复期限从这一天重新计算",
                          "", ART_CORRECTION))
        return t.correction_received_on, False
    if t.correction_sent_on is None:
        return None, False
    if channel in _POSTED_CHANNELS:
        day = t.correction_sent_on + dt.timedelta(days=MAIL_DAYS_ESTIMATE)
        steps.append(Step(day, f"估算：补正材料寄出后第{MAIL_DAYS_ESTIMATE}天送达机关", "", ART_CORRECTION, True))
        return day, True
    steps.append(Step(t.correction_sent_on, "机关收到补正后的申请，答复期限从这一天重新计算", "", ART_CORRECTION))
    return t.correction_sent_on, False


def _note_non_workday(counter: _Counter, day: dt.date, what: str, steps: List[Step],
                      day_estimated: bool = False) -> None:
    """A step naming the holiday (or weekend) the count starts on and the first day it counts;
    an estimate when the day itself is (an unknown signing / confirmation day) or its year is."""
    kind = counter.cal.day_kind(day)
    if kind.workday:
        return
    first = day
    while True:
        first += dt.timedelta(days=1)
        if counter.workday(first):
            break
    steps.append(Step(day, f"{what}的这一天是{kind.reason}（非工作日），当天不计入，"
                           f"从{_md(first)}（之后第一个工作日）开始计算", "", "",
                      kind.estimated or day_estimated))


def _consultation_days(counter: _Counter, consultations: Sequence[Consultation], start: dt.date,
                       steps: List[Step]) -> Tuple[FrozenSet[dt.date], str]:
    # A consultation before the clock (re)started is history: the period runs anew (条例第三十条).
    relevant = [c for c in consultations if c.sent_on >= start]
    for c in relevant:
        steps.append(Step(c.sent_on, "机关征求第三方或其他机关意见", "征求意见的时间不计入答复期限", ART_CONSULTATION))
        if c.replied_on is not None:
            steps.append(Step(c.replied_on, "收到征求意见的回复"))
    if not relevant:
        return frozenset(), ""
    excluded = consultation_days(counter.workday, [(c.sent_on, c.replied_on) for c in relevant])
    note = ("征求意见的时间按我们的理解扣除：从发出征求意见的次日起到收到回复之日止的工作日，最多15个工作日"
            "（条例规定对方自收到征求意见书之日起15个工作日内回复）。")
    if any(c.replied_on is None for c in relevant):
        note += "对方尚未回复的，按用满15个工作日计算，这是最晚的日期；提前回复的，期限相应提前。"
    return excluded, note


def _remedies_after_reply(counter: _Counter, t: Timeline, known: dt.date, known_estimated: bool,
                          steps: List[Step], notes: List[str], deadline) -> None:
    last, moved, est = counter.period_end(known + dt.timedelta(days=REVIEW_DAYS))
    rule = f"自{_md(known)}次日起算60日（自然日）"
    if moved:
        rule += f"；第60日（{_md(known + dt.timedelta(days=REVIEW_DAYS))}）是{moved}，顺延到之后第一个工作日"
    steps.append(Step(last, "申请行政复议的最后一天（复议不收费）", rule, f"{ART_REVIEW}；{ART_FREE}",
                      est or known_estimated))
    deadline("review", "申请行政复议", last, ART_REVIEW, est or known_estimated)
    if t.remedy_stated is False:
        cap, moved, est = counter.period_end(_add_years(known, 1))
        steps.append(Step(cap, "答复书未告知复议权利、复议机关和期限时，申请复议的最晚期限",
                          "从知道这些事项之日起算60日，但自知道答复内容之日起最长不超过1年", ART_REVIEW_CAP, est))
        deadline("review_cap", "未告知复议权利时的最长期限", cap, ART_REVIEW_CAP, est)
        if t.reply_type != "withheld":
            notes.append("未告知起诉期限的，起诉期限从知道起诉期限之日起算，但自知道答复内容之日起最长不超过1年"
                         "【行诉解释第六十四条】。")
    elif t.remedy_stated is None:
        notes.append("如果答复书没有告知复议权利、复议机关和期限，复议期限从您知道这些事项之日起算，"
                     "但自知道答复内容之日起最长不超过1年【复议法第二十条第三款】。")
    if t.reply_type == "withheld":
        notes.append("“不予公开”属于复议前置：应当先申请行政复议，对复议决定不服再起诉，不能直接起诉"
                     f"【{ART_PRIOR_REVIEW}】。")
    else:
        suit, moved, est = counter.period_end(_add_months(known, SUIT_MONTHS))
        steps.append(Step(suit, "直接提起行政诉讼的最后一天",
                          f"自{_md(known)}起6个月", ART_SUIT, est or known_estimated))
        deadline("suit_direct", "直接提起行政诉讼", suit, ART_SUIT, est or known_estimated)
        if t.reply_type is None:
            notes.append("如果答复是“不予公开”，应当先申请行政复议，不能直接起诉"
                         f"【{ART_PRIOR_REVIEW}】，上面的直接起诉期限不适用。")
        what = "部分公开中不公开的部分" if t.reply_type == "partially_disclosed" else "其他答复"
        notes.append(f"{what}是否也必须先申请复议（复议前置），尚未核实；稳妥做法是先申请行政复议"
                     "（复议免费，复议后仍可在15日内起诉）。")
    if t.review_decision_received_on is not None:
        _suit_after_review(counter, t.review_decision_received_on, steps, deadline)
    else:
        notes.append("申请复议后，对复议决定不服的，可在收到复议决定书之日起15日内起诉【行诉法第四十五条】。")
    notes.append("投诉举报：条例没有规定期限，可以随时向上一级行政机关或政府信息公开工作主管部门反映"
                 f"【{ART_COMPLAINT}】；投诉不会停止复议、诉讼期限的计算（这是推论，尚未核实），请不要因此耽误。")


def _suit_after_review(counter: _Counter, got: dt.date, steps: List[Step], deadline) -> None:
    end, moved, est = counter.period_end(got + dt.timedelta(days=SUIT_AFTER_REVIEW_DAYS))
    steps.append(Step(got, "收到行政复议决定书"))
    steps.append(Step(end, "不服复议决定起诉的最后一天", f"自{_md(got)}次日起算15日",
                      ART_SUIT_AFTER_REVIEW, est))
    deadline("suit_after_review", "收到复议决定后起诉", end, ART_SUIT_AFTER_REVIEW, est)


def _fee_payment(counter: _Counter, got: dt.date, steps: List[Step], deadline) -> None:
    last, est = counter.add(got, FEE_PAYMENT_WORKDAYS)
    steps.append(Step(got, "您收到收费通知"))
    steps.append(Step(last, "缴纳信息处理费的最后一天",
                      f"自{_md(got)}次日起算20个工作日，逾期未缴视为放弃申请", ART_FEE_PAYMENT, est))
    deadline("fee_payment", "缴纳信息处理费的最后一天", last, ART_FEE_PAYMENT, est)


def _remedies_after_silence(counter: _Counter, due: dt.date, due_estimated: bool,
                            steps: List[Step], notes: List[str], deadline) -> None:
    last, moved, est = counter.period_end(due + dt.timedelta(days=REVIEW_DAYS))
    steps.append(Step(last, "逾期不答复：申请行政复议的稳妥期限（复议不收费）",
                      f"复议期限60日；逾期不答复从哪天起算尚未核实，这里稳妥地从答复期限届满（{_md(due)}）起算",
                      f"{ART_REVIEW}；{ART_FREE}", est or due_estimated))
    deadline("review", "申请行政复议（稳妥期限）", last, ART_REVIEW, est or due_estimated)
    suit, moved, est = counter.period_end(_add_months(due, SUIT_MONTHS))
    steps.append(Step(suit, "逾期不答复：起诉的最后一天", "履行期限届满之日起6个月", ART_SUIT_SILENCE,
                      est or due_estimated))
    deadline("suit_direct", "起诉（不履行法定职责）", suit, ART_SUIT_SILENCE, est or due_estimated)
    notes.append("逾期不答复是否必须先申请复议（复议前置），尚未核实；稳妥做法是先申请行政复议（免费）。")
    notes.append(f"也可以随时投诉举报，条例没有规定期限【{ART_COMPLAINT}】。")


# --- the answer as text -----------------------------------------------------------------------------

_HEADLINE_ORDER = ("fee_payment", "reply_due", "extended_reply_due", "review", "review_cap",
                   "suit_direct", "suit_after_review")

UNKNOWN_YEAR_NOTE = ("标“估算”的日期落在{years}年，{years}年的法定节假日安排国务院办公厅尚未公布"
                     "（通常在11月或12月发布），这里只扣除了周末、没有扣除节假日，实际日期可能更晚；"
                     "安排公布后我会按正式安排计算，请届时再问一次。")


def headline_zh(result: TimelineResult) -> List[str]:
    """The key dates, one short line each (答复期限、复议、诉讼 …)."""
    lines = []
    for key in _HEADLINE_ORDER:
        found = result.deadlines.get(key)
        if found is None:
            continue
        if key == "extended_reply_due" and result.timeline.extension_on is None and result.timeline.reply_on:
            continue
        label = found.label
        if key == "extended_reply_due" and result.timeline.extension_on is None:
            label = "如机关依法延长，最晚"
        if result.silence and key in ("review", "suit_direct"):
            label = "一直没有收到答复的：" + label  # no reply told: silence is an assumption
        passed = "（已经过了）" if found.day < result.today else ""
        lines.append(f"{label}：{date_zh(found.day)}{'（估算）' if found.estimated else ''}{passed}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def steps_table_md(steps: Sequence[Step]) -> List[str]:
    """The steps as a Markdown table (日期、计算步骤、依据): the website widget renders it as a
    small table (its Markdown reader knows GFM tables). Opened and closed by a blank line: Rasa's
    socket.io channel sends the parts between blank lines as separate messages, so the table is a
    message of its own and starts its Markdown document (a table cannot follow a line of text)."""
    rows = ["", "| 日期 | 计算步骤 | 依据 |", "|---|---|---|"]
    for step in steps:
        event = step.event + (f"。{step.rule}" if step.rule else "")
        day = date_zh(step.day) + ("（估算）" if step.estimated else "")
        rows.append(f"| {_cell(day)} | {_cell(event)} | {_cell(step.article)} |")
    return rows + [""]


# the steps' short law names, as the answers' 来源 lines name them (data/kb/sources.yml)
_LAW_NAMES = {"条例": "《政府信息公开条例》", "复议法": "《行政复议法》", "行诉法": "《行政诉讼法》",
              "行诉解释": "《最高人民法院关于适用〈行政诉讼法〉的解释》"}
_SHORT_LAW = re.compile(r"(行诉解释|行诉法|复议法|条例)(?=第)")


def sources_zh(steps: Sequence[Step]) -> str:
    """The 来源 line of a computed answer: every article its steps rest on, once, in order,
    grouped by law (「《行政复议法》第二十条第一款、第八十八条第一款」)."""
    by_law: Dict[str, List[str]] = {}
    for step in steps:
        for part in re.split(r"[；;]", step.article):
            law = ""
            for piece in part.strip().split("、"):  # 「复议法第二十条第一款、第八十八条第一款」
                found = _SHORT_LAW.match(piece)
                if found:
                    law, piece = _LAW_NAMES[found.group(1)], piece[found.end():]
                elif not piece.startswith("第"):
                    law, piece = piece, ""  # a source without articles (国办函〔2020〕109号 …)
                articles = by_law.setdefault(law, [])
                if piece and piece not in articles:
                    articles.append(piece)
    cited = [law + "、".join(articles) for law, articles in by_law.items() if law]
    return "来源：" + "；".join(cited) if cited else ""


def render_zh(result: TimelineResult, *, table: bool = False, sources: bool = True) -> str:
    """The whole answer: key dates, the steps, notes, then (``sources``) the 来源 line. The steps
    are numbered lines (WeChat, REST) or, with ``table``, a Markdown table (the website widget)."""
    if result.problem:
        return result.problem
    parts: List[str] = []
    head = headline_zh(result)
    if result.paused:
        head.insert(0, "补正期间答复期限暂停，机关收到补正后的申请后重新计算20个工作日。")
    parts.extend(head)
    if result.steps and table:
        parts.extend(steps_table_md(result.steps))  # its header names the steps
    elif result.steps:
        parts.append("计算步骤：")
        parts.extend(f"{i}. {step.line_zh()}" for i, step in enumerate(result.steps, 1))
    parts.extend(f"· {note}" for note in result.notes)
    if result.unknown_years:
        years = "、".join(str(y) for y in sorted(result.unknown_years))
        parts.append("· " + UNKNOWN_YEAR_NOTE.format(years=years))
    if sources and result.steps:
        parts.append(sources_zh(result.steps))
    return "\n".join(parts)


def extension_zh(result: TimelineResult) -> str:
    """「要是延期呢」 after a computed reply deadline: the latest day if the agency extends it (the
    original 20 working days plus at most 20 more), with the steps up to it; "" when the timeline
    has no reply deadline to extend (a correction awaited, a problem)."""
    extended = result.deadlines.get("extended_reply_due")
    if result.problem or extended is None:
        return ""
    steps = list(result.steps)
    last = next((i for i, step in enumerate(steps) if step.event == "延长后的答复期限最后一天"), None)
    if last is None:  # no extension told: the steps up to the original deadline, then the extension
        due = next((i for i, step in enumerate(steps) if step.event == "答复期限最后一天"), len(steps) - 1)
        steps = steps[:due + 1] + [Step(extended.day, "延长后的答复期限最后一天", "原期限再加20个工作日",
                                        ART_REPLY, extended.estimated)]
    else:
        steps = steps[:last + 1]
    estimated = "（估算）" if extended.estimated else ""
    parts = [f"如机关依法延长答复期限，最晚：{date_zh(extended.day)}{estimated}",
             "延长须经政府信息公开工作机构负责人同意并告知您，延长的期限最长不超过20个工作日。",
             "计算步骤："]
    parts.extend(f"{i}. {step.line_zh()}" for i, step in enumerate(steps, 1))
    years = sorted(y for y in result.unknown_years if any(s.estimated and s.day.year == y for s in steps))
    if years:
        parts.append("· " + UNKNOWN_YEAR_NOTE.format(years="、".join(str(y) for y in years)))
    parts.append(sources_zh(steps))
    return "\n".join(parts)


def missing_fact(result: TimelineResult) -> Optional[str]:
    """The one fact worth asking for next (a key of Timeline), or None."""
    t = result.timeline
    if result.problem:
        return None
    if not any((t.submitted_on, t.received_on, t.reply_received_on, t.reply_on,
                t.correction_sent_on, t.correction_received_on, t.review_decision_received_on,
                t.fee_notice_received_on)):
        return "submitted_on"
    if t.channel in _SIGNED_CHANNELS + _CONFIRMED_CHANNELS + (ANY_MAIL,) and t.received_on is None \
            and t.reply_on is None \
            and t.reply_received_on is None:
        return "received_on"
    if t.correction_sent_on is not None and t.correction_received_on is None and t.channel in _POSTED_CHANNELS:
        return "correction_received_on"
    if result.paused:
        return "correction_received_on"
    if result.silence:
        return "reply_received_on"  # the due date has passed: did a reply come, and when?
    return None


_DATE_FIELDS = ("submitted_on", "received_on", "correction_requested_on", "correction_sent_on",
                "correction_received_on", "extension_on", "reply_on", "reply_received_on",
                "review_decision_received_on", "fee_notice_received_on")


def timeline_from_facts(facts: Dict[str, object]) -> Timeline:
    """A :class:`Timeline` from parsed facts (bot.rules.textparse.parse_history); unknown keys ignored."""
    values: Dict[str, object] = {k: facts[k] for k in _DATE_FIELDS if isinstance(facts.get(k), dt.date)}
    channel = facts.get("channel")
    if channel in CHANNELS or channel == ANY_MAIL:
        values["channel"] = channel
    if isinstance(facts.get("reply_type"), str):
        values["reply_type"] = facts["reply_type"]
    if isinstance(facts.get("remedy_stated"), bool):
        values["remedy_stated"] = facts["remedy_stated"]
    consultations = []
    pairs = facts.get("consultations")
    for pair in pairs if isinstance(pairs, (list, tuple)) else ():
        sent, replied = (list(pair) + [None, None])[:2]
        if isinstance(sent, dt.date):
            consultations.append(Consultation(sent, replied if isinstance(replied, dt.date) else None))
    values["consultations"] = tuple(consultations)
    return Timeline(**values)  # type: ignore[arg-type]
