"""Statutory reply deadline for an application under 《政府信息公开条例》 (2019; "条例").

The rules and how this module reads them:

* Receipt date (条例第三十一条): handed in → that day; post that must be signed for (挂号, EMS,
  courier) → the day the agency signs; ordinary letters → the day the office confirms with the
  applicant; e-mail, online platform, fax → the day both sides confirm. Only the first is known
  to the citizen in advance; :func:`receipt_info` says so instead of guessing.
* Reply period (条例第三十三条第二款): "自收到申请之日起20个工作日内予以答复". We count the
  working days after the receipt date: the receipt day itself is not counted. This follows the
  usual rule for computing periods (FACTS.md §3 notes that periods follow the 民事诉讼法 rules,
  whose 期间 start on the next day); it is our reading, not a sentence of the regulation.
  The due date is the last day on which a reply is still on time.
* Extension (条例第三十三条第二款): approved by the head of the disclosure office and notified
  to the applicant; at most 20 more working days, so 40 in all. Only one extension is counted.
* 补正 (条例第三十条): while a correction is pending there is no due date; the period starts
  again, in full, from the day the agency receives the corrected application (that day not
  counted). Everything before the restart (extension, consultations) no longer matters.
* Consultation of a third party or another agency (条例第三十二条、第三十四条、第三十三条第三款):
  the time it takes is not counted. Our reading: the working days after the day the consultation
  is sent, up to and including the day the reply comes back, are skipped — but no more than the
  15 working days the consulted party has to reply. The law starts those 15 days when the party
  receives the letter; we only know when it was sent, so we count from sending. A consultation
  without a reply is assumed to take the full 15 days, which gives the latest lawful due date.
* Fee notice (信息处理费): whether the time until payment counts towards the period is
  未核实 (FACTS.md §2.3). The clock is NOT paused for it; the result says so in ``notes``.
  The payment period itself is :func:`fee_payment_due`.

Input is a receipt date plus plain events (see :data:`EVENT_KINDS`); output is a frozen
:class:`DeadlineResult`. A date in a year without a known holiday schedule raises
:class:`bot.rules.workdays.CalendarUnknownError`; callers never refuse the date for it: they compute
again on ``calendar.estimating()`` (weekends only) and label the date an estimate (bot/cases/status.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import AbstractSet, Any, Callable, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.rules import vocab
from bot.rules.workdays import CalendarUnknownError, WorkdayCalendar, default_calendar
from bot.rules.workdays import plain_date as _plain_date

__all__ = [
    "CHANNELS",
    "EVENT_KINDS",
    "REPLY_WORKDAYS",
    "EXTENSION_WORKDAYS",
    "CONSULTATION_WORKDAYS",
    "CORRECTION_NOTICE_WORKDAYS",
    "FEE_PAYMENT_WORKDAYS",
    "CalendarUnknownError",
    "DeadlineInputError",
    "Event",
    "ReceiptInfo",
    "DeadlineResult",
    "receipt_info",
    "reply_due",
    "fee_payment_due",
    "compute_deadline",
    "consultation_days",
    "count_workdays",
    "format_date_zh",
]

# The codes of the application's vocabularies (bot/rules/vocab.py, where their labels are).
CHANNELS: Tuple[str, ...] = tuple(vocab.CHANNELS)
EVENT_KINDS: Tuple[str, ...] = tuple(vocab.EVENT_KINDS)

REPLY_WORKDAYS = 20  # 条例第三十三条第二款
EXTENSION_WORKDAYS = 20  # 条例第三十三条第二款, the maximum
CONSULTATION_WORKDAYS = 15  # 条例第三十二条、第三十四条
CORRECTION_NOTICE_WORKDAYS = 7  # 条例第三十条
FEE_PAYMENT_WORKDAYS = 20  # [川财通知] restating 国办函〔2020〕109号 (article number 未核实)

BASIS_REPLY = "条例第三十三条第二款：不能当场答复的，自收到申请之日起20个工作日内答复"
BASIS_EXTENSION = "条例第三十三条第二款：需要延长的，经政府信息公开工作机构负责人同意并告知申请人，最长延长20个工作日"
BASIS_CORRECTION = "条例第三十条：答复期限自行政机关收到补正的申请之日起计算"
BASIS_CONSULTATION = "条例第三十三条第三款：征求第三方和其他机关意见所需时间不计算在答复期限内"
BASIS_CONSULTATION_PERIOD = "条例第三十二条、第三十四条：被征求意见方应自收到征求意见书之日起15个工作日内提出意见"
BASIS_RECEIPT = {
    "in_person": "条例第三十一条第（一）项：当面提交的，以提交之日为收到申请之日",
    "registered_mail": "条例第三十一条第（二）项：以邮寄方式提交的，以行政机关签收之日为收到申请之日",
    "ordinary_mail": ("条例第三十一条第（二）项：以平常信函等无需签收的方式邮寄的，工作机构应于收到当日与申请人确认，"
                      "确认之日为收到申请之日"),
    "email": "条例第三十一条第（三）项：通过互联网渠道或者传真提交的，以双方确认之日为收到申请之日",
    "online": "条例第三十一条第（三）项：通过互联网渠道或者传真提交的，以双方确认之日为收到申请之日",
    "fax": "条例第三十一条第（三）项：通过互联网渠道或者传真提交的，以双方确认之日为收到申请之日",
}

NOTE_COUNTING = "收到申请的当天不计入，从第二天起按工作日计算（周末、法定节假日不算，调休上班日算）。"
NOTE_FEE = (
    "机关发出了收费通知。发出收费通知到缴费这段时间是否计入答复期限，我们尚未核实，"
    "这里没有扣除这段时间，请以机关的告知为准。"
)
NOTE_FEE_PAYMENT = "缴费期限：收到收费通知的次日起20个工作日内，逾期未缴视为放弃申请。"


class DeadlineInputError(ValueError):
    """The events contradict each other or the receipt date (a data problem, not a legal one)."""


def format_date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- receipt date -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptInfo:
    """What can be said about the receipt date for a channel and the date the citizen knows."""

    channel: str
    known_date: Optional[dt.date]  # handed in / posted / sent, as the citizen tells it
    receipt_date: Optional[dt.date]  # set only when the law makes it that very day (in person)
    fixed: bool  # False: the receipt date depends on the agency (signing, confirmation)
    explanation: str  # Chinese, for the citizen
    basis: str


_RECEIPT_EXPLANATION = {
    "registered_mail": (
        "挂号信、EMS、快递等需要签收的邮件，以机关签收之日为收到申请之日。寄出的日期不是收到日期，"
        "签收日要等邮件送达才能确定，可以用邮件单号查询签收时间。"
    ),
    "ordinary_mail": (
        "平信等不需要签收的邮件，机关的信息公开工作机构应在收到当天与您确认，以确认之日为收到申请之日。"
        "寄出的日期不是收到日期，请留意机关的确认。"
    ),
    "email": "通过电子邮件申请的，以您和机关双方确认之日为收到申请之日。请留意并回复机关的确认，以便起算日期明确。",
    "online": ("通过网上申请平台申请的，以您和机关双方确认之日为收到申请之日。"
               "请留意并回复机关的确认，以便起算日期明确。"),
    "fax": "通过传真申请的，以您和机关双方确认之日为收到申请之日。请留意机关的确认，以便起算日期明确。",
}


def receipt_info(channel: str, known_date: Optional[dt.date] = None) -> ReceiptInfo:
    """The receipt date for ``channel`` given the day the citizen handed in / posted / sent it.

    Only ``in_person`` fixes the receipt date; for the other channels it depends on the agency
    signing or confirming, so ``receipt_date`` is None and ``explanation`` says why.
    """
    _check_channel(channel)
    known = _plain_date(known_date) if known_date is not None else None
    if channel == "in_person":
        if known is None:
            explanation = "当面递交的，递交当天就是收到申请之日。"
        else:
            explanation = f"当面递交的，递交当天就是收到申请之日，即{format_date_zh(known)}。"
        return ReceiptInfo(channel, known, known, known is not None, explanation, BASIS_RECEIPT[channel])
    return ReceiptInfo(channel, known, None, False, _RECEIPT_EXPLANATION[channel], BASIS_RECEIPT[channel])


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")


# --- simple periods -----------------------------------------------------------------------------


def reply_due(received_on: dt.date, *, calendar: Optional[WorkdayCalendar] = None) -> dt.date:
    """The ordinary reply due date: 20 working days after the receipt date."""
    return (calendar or default_calendar()).add_workdays(_plain_date(received_on), REPLY_WORKDAYS)


def fee_payment_due(notice_received: dt.date, *, calendar: Optional[WorkdayCalendar] = None) -> dt.date:
    """Last day to pay an information-processing fee: 20 working days counted from the day after
    the applicant received the fee notice ([川财通知] restating 109号; article number 未核实)."""
    return (calendar or default_calendar()).add_workdays(_plain_date(notice_received), FEE_PAYMENT_WORKDAYS)


# --- the full computation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing that happened to an application; ``kind`` is one of :data:`EVENT_KINDS`."""

    kind: str
    date: dt.date


@dataclass(frozen=True)
class DeadlineResult:
    received_on: dt.date
    clock_start: dt.date  # the receipt date, or the day the corrected application arrived
    restarted: bool  # the period was restarted by a correction (补正)
    due_date: Optional[dt.date]  # None while paused
    limit_workdays: int  # 20, or 40 with an extension
    extended: bool
    paused: bool  # a correction was requested and has not come back: no due date
    consultation_pending: bool  # due_date assumes the full 15-day reply period
    excluded_workdays: int  # working days skipped for consultations
    fee_notice_sent: bool  # the clock was NOT paused for it (未核实), see notes
    fee_paid: bool
    answered_on: Optional[dt.date]
    today: dt.date
    overdue: Optional[bool]  # by ``answered_on`` if answered, else by ``today``; None while paused
    days_overdue: Optional[int]  # calendar days past the due date (0 if not overdue)
    workdays_remaining: Optional[int]  # working days after today up to the due date, if still open
    basis: Tuple[str, ...]  # short Chinese citations the assistant can show
    notes: Tuple[str, ...]  # short Chinese remarks: reading of the rules, caveats, irregularities

    def period_zh(self) -> str:
        """How the period runs, e.g. 自2026年2月5日收到申请起算20个工作日."""
        start_what = "收到补正后的申请" if self.restarted else "收到申请"
        period = "20个工作日，经延长再加20个工作日" if self.extended else "20个工作日"
        return f"自{format_date_zh(self.clock_start)}{start_what}起算{period}"

    def exclusion_zh(self) -> str:
        """What the due date leaves out for consultations ("" when nothing)."""
        if self.consultation_pending:
            return "征求意见尚未回复，按对方用满15个工作日计算，这是最晚的日期"
        if self.excluded_workdays:
            return f"已扣除征求意见的{self.excluded_workdays}个工作日"
        return ""

    def summary_zh(self) -> str:
        """One plain sentence for the citizen."""
        if self.paused or self.due_date is None:
            return "机关已通知补正，答复期限暂停计算；机关收到补正后的申请后，重新计算20个工作日。"
        text = f"{self.period_zh()}，答复期限到{format_date_zh(self.due_date)}"
        if self.exclusion_zh():
            text += f"（{self.exclusion_zh()}）"
        if self.answered_on is not None:
            when = format_date_zh(self.answered_on)
            return text + (f"；机关于{when}答复，超过了期限。" if self.overdue else f"；机关于{when}已按期答复。")
        if self.overdue:
            return text + f"，目前已超过期限{self.days_overdue}天。"
        if self.workdays_remaining == 0:
            return text + "，今天是最后一天。"
        return text + f"，还剩{self.workdays_remaining}个工作日。"


def compute_deadline(
    received_on: Optional[dt.date],
    events: Iterable[Any] = (),
    *,
    today: dt.date,
    calendar: Optional[WorkdayCalendar] = None,
) -> DeadlineResult:
    """The reply due date of one application on ``today``.

    ``received_on`` is the receipt date (条例第三十一条); None takes it from a ``received`` event.
    ``events`` are :class:`Event` objects, ``{"kind": ..., "date": ...}`` mappings, ``(kind, date)``
    pairs or any object with ``kind`` and ``date`` attributes, in any order (same-day events keep
    their given order). Events after ``answered`` are ignored.

    Raises :class:`DeadlineInputError` for contradictory input and
    :class:`~bot.rules.workdays.CalendarUnknownError` when a needed year has no holiday schedule.
    """
    cal = calendar or default_calendar()
    today = _plain_date(today)
    evs = sorted((_coerce_event(e) for e in events), key=lambda e: e.date)
    received_on = _resolve_receipt(received_on, evs)
    early = [e for e in evs if e.date < received_on]
    if early:
        raise DeadlineInputError(f"event {early[0].kind} on {early[0].date} is before the receipt date {received_on}")

    notes: List[str] = [NOTE_COUNTING]
    start = received_on
    restarted = False
    extended = False
    extension_on: Optional[dt.date] = None
    correction_pending = False
    consultations: List[Tuple[dt.date, Optional[dt.date]]] = []  # (sent, replied or None), in order sent
    fee_notice = fee_paid = False
    answered_on: Optional[dt.date] = None

    for ev in evs:
        if ev.kind == "received":
            continue
        if ev.kind == "correction_requested":
            if restarted or correction_pending:
                notes.append("条例要求机关一次性告知补正事项；本申请出现了不止一次补正通知。")
            notice_due = cal.add_workdays(start, CORRECTION_NOTICE_WORKDAYS)
            if ev.date > notice_due:
                notes.append(
                    f"补正通知（{format_date_zh(ev.date)}）晚于收到申请后7个工作日（{format_date_zh(notice_due)}），"
                    "条例第三十条要求在7个工作日内一次性告知。"
                )
            correction_pending = True
        elif ev.kind == "correction_received":
            if not correction_pending:
                raise DeadlineInputError(f"correction_received on {ev.date} without a correction_requested")
            # 条例第三十条: the period runs anew from here; earlier extension/consultations lapse.
            correction_pending = False
            restarted = True
            start = ev.date
            extended, extension_on = False, None
            consultations = []
        elif ev.kind == "consultation_sent":
            consultations.append((ev.date, None))
        elif ev.kind == "consultation_replied":
            # Replies close the earliest open consultation (the events carry no consultation id).
            open_ = [i for i, (_, replied) in enumerate(consultations) if replied is None]
            if not open_:
                raise DeadlineInputError(f"consultation_replied on {ev.date} without an open consultation_sent")
            consultations[open_[0]] = (consultations[open_[0]][0], ev.date)
        elif ev.kind == "extension_approved":
            if extended:
                notes.append("条例规定延长的期限最长不超过20个工作日；再次延长不计入。")
            else:
                extended, extension_on = True, ev.date
        elif ev.kind == "fee_notice_sent":
            fee_notice = True
        elif ev.kind == "fee_paid":
            if not fee_notice:
                raise DeadlineInputError(f"fee_paid on {ev.date} without a fee_notice_sent")
            fee_paid = True
        elif ev.kind == "answered":
            answered_on = ev.date
            break

    basis: List[str] = [BASIS_REPLY]
    if restarted or correction_pending:
        basis.append(BASIS_CORRECTION)
    if fee_notice:
        notes.append(NOTE_FEE)
        if not fee_paid:
            notes.append(NOTE_FEE_PAYMENT)

    if correction_pending:
        notes.append("机关已通知补正：在机关收到补正后的申请之前，答复期限暂停，没有到期日。")
        return DeadlineResult(
            received_on=received_on, clock_start=start, restarted=restarted, due_date=None,
            limit_workdays=REPLY_WORKDAYS, extended=False, paused=True, consultation_pending=False,
            excluded_workdays=0, fee_notice_sent=fee_notice, fee_paid=fee_paid, answered_on=answered_on,
            today=today, overdue=None, days_overdue=None, workdays_remaining=None,
            basis=tuple(basis), notes=tuple(notes),
        )

    excluded = consultation_days(cal.is_workday, consultations)

    limit = REPLY_WORKDAYS + (EXTENSION_WORKDAYS if extended else 0)
    due, skipped = count_workdays(cal.is_workday, start, limit, excluded)
    if extended:
        basis.append(BASIS_EXTENSION)
        original_due, _ = count_workdays(cal.is_workday, start, REPLY_WORKDAYS, excluded)
        if extension_on is not None and extension_on > original_due:
            notes.append(
                f"延长通知（{format_date_zh(extension_on)}）晚于原答复期限（{format_date_zh(original_due)}）；"
                "条例要求在期限内经负责人同意并告知申请人。"
            )

    # A consultation sent only after the due date changes nothing, so it is not mentioned.
    relevant = [(sent, replied) for sent, replied in consultations if sent < due]
    consultation_pending = answered_on is None and any(replied is None for _, replied in relevant)
    if relevant:
        basis += [BASIS_CONSULTATION, BASIS_CONSULTATION_PERIOD]
        notes.append(
            "征求意见期间按我们的理解计算：从发出征求意见的次日起到收到回复之日止的工作日不计入，"
            "最多15个工作日。"
        )
    if consultation_pending:
        notes.append("征求意见尚未收到回复，到期日按对方用满15个工作日计算；提前回复的，到期日相应提前。")

    reference = answered_on or today
    overdue = reference > due
    remaining = None
    if answered_on is None and not overdue:
        remaining = cal.workdays_between(today, due)
    return DeadlineResult(
        received_on=received_on, clock_start=start, restarted=restarted, due_date=due,
        limit_workdays=limit, extended=extended, paused=False, consultation_pending=consultation_pending,
        excluded_workdays=skipped, fee_notice_sent=fee_notice, fee_paid=fee_paid, answered_on=answered_on,
        today=today, overdue=overdue, days_overdue=(reference - due).days if overdue else 0,
        workdays_remaining=remaining, basis=tuple(basis), notes=tuple(notes),
    )


def count_workdays(is_workday: Callable[[dt.date], bool], start: dt.date, limit: int,
                   excluded: AbstractSet[dt.date] = frozenset()) -> Tuple[dt.date, int]:
    """The day on which the ``limit``-th counted working day after ``start`` falls, and how many
    working days in ``excluded`` were skipped on the way. ``is_workday`` is the calendar's exact
    test (raises for an unknown year) or bot.rules.timeline's estimating one."""
    day, counted, skipped = start, 0, 0
    while counted < limit:
        day += dt.timedelta(days=1)
        if not is_workday(day):
            continue
        if day in excluded:
            skipped += 1
        else:
            counted += 1
    return day, skipped


def consultation_days(is_workday: Callable[[dt.date], bool],
                      consultations: Iterable[Tuple[dt.date, Optional[dt.date]]]) -> FrozenSet[dt.date]:
    """The working days a consultation takes out of the reply period (条例第三十三条第三款), read as
    the module docstring says: after the day it is sent, up to and including the reply, at most the
    15 working days the consulted party has (no reply yet: all 15)."""
    excluded = set()
    for sent, replied in consultations:
        cap, _ = count_workdays(is_workday, sent, CONSULTATION_WORKDAYS)
        stop = cap if replied is None else min(replied, cap)
        day = sent
        while day < stop:
            day += dt.timedelta(days=1)
            if is_workday(day):
                excluded.add(day)
    return frozenset(excluded)


def _resolve_receipt(received_on: Optional[dt.date], events: Sequence[Event]) -> dt.date:
    stated = {e.date for e in events if e.kind == "received"}
    if len(stated) > 1:
        raise DeadlineInputError(f"several different received events: {sorted(stated)}")
    if received_on is None:
        if not stated:
            raise DeadlineInputError("no receipt date: pass received_on or a received event")
        return stated.pop()
    received_on = _plain_date(received_on)
    if stated and stated != {received_on}:
        raise DeadlineInputError(f"received_on {received_on} contradicts the received event {stated.pop()}")
    return received_on


def _coerce_event(raw: Any) -> Event:
    kind: Any
    day: Any
    if isinstance(raw, Event):
        kind, day = raw.kind, raw.date
    elif isinstance(raw, Mapping):
        kind, day = raw.get("kind"), raw.get("date")
    elif isinstance(raw, tuple) and len(raw) == 2:
        kind, day = raw
    elif hasattr(raw, "kind") and hasattr(raw, "date"):
        kind, day = raw.kind, raw.date
    else:
        raise DeadlineInputError(f"not an event: {raw!r}")
    if kind not in EVENT_KINDS:
        raise DeadlineInputError(f"unknown event kind {kind!r}; expected one of {', '.join(EVENT_KINDS)}")
    try:
        return Event(kind, _plain_date(day))
    except TypeError:
        raise DeadlineInputError(f"event {kind} has no date: {day!r}") from None

