"""Where an application stands, derived from its events (never entered by hand).

| stage                | label              | when                                                    |
| -------------------- | ------------------ | ------------------------------------------------------- |
| ``submitted``        | 已提交（待确认收到） | no receipt date yet (e.g. 平信 or e-mail not confirmed)   |
| ``received``         | 已受理              | received, nothing below pending                         |
| ``correction_pending`` | 待补正            | 补正 requested, the material not yet received            |
| ``corrected``        | 已补正              | 补正 received: the 20 working days start again           |
| ``consultation``     | 征求意见中          | third party / other agency consulted, no reply yet      |
| ``extended``         | 已延期              | extension approved (at most 20 more working days)        |
| ``fee_pending``      | 待缴费              | 收费通知 sent, not yet paid                              |
| ``answered``         | 已答复              | answered (the answer type says how)                     |

When several things are open at once the one that needs the applicant comes first: 待补正, then
待缴费, then 征求意见中, then 已延期, then 已补正, then 已受理. 已答复 overrides everything.
"""
from __future__ import annotations

from datetime import date
from typing import Dict, Iterable, Optional, Tuple

from bot.cases.vocab import EVENT_KINDS

STAGES: Dict[str, str] = {
    "submitted": "已提交（待确认收到）",
    "received": "已受理",
    "correction_pending": "待补正",
    "corrected": "已补正",
    "consultation": "征求意见中",
    "extended": "已延期",
    "fee_pending": "待缴费",
    "answered": "已答复",
}

_KIND_ORDER = {kind: index for index, kind in enumerate(EVENT_KINDS)}


def event_sort_key(kind: str, occurred_on: date) -> Tuple[date, int]:
    """Chronological order; on the same day, the natural order of the procedure."""
    if kind not in _KIND_ORDER:
        raise ValueError(f"unknown event kind {kind!r}")
    return occurred_on, _KIND_ORDER[kind]


def derive_stage(received_on: Optional[date], events: Iterable[Tuple[str, date]]) -> str:
    """The stage of an application received on ``received_on`` with ``events`` (kind, date)."""
    received = received_on is not None
    answered = correction_open = corrected = consultation_open = extended = fee_open = False
    for kind, _ in sorted(events, key=lambda e: event_sort_key(*e)):
        if kind == "received":
            received = True
        elif kind == "correction_requested":
            correction_open = True
        elif kind == "correction_received":
            correction_open, corrected = False, True
        elif kind == "consultation_sent":
            consultation_open = True
        elif kind == "consultation_replied":
            consultation_open = False
        elif kind == "extension_approved":
            extended = True
        elif kind == "fee_notice_sent":
            fee_open = True
        elif kind == "fee_paid":
            fee_open = False
        elif kind == "answered":
            answered = True
    if answered:
        return "answered"
    if not received:
        return "submitted"
    for is_open, stage in (
        (correction_open, "correction_pending"),
        (fee_open, "fee_pending"),
        (consultation_open, "consultation"),
        (extended, "extended"),
        (corrected, "corrected"),
    ):
        if is_open:
            return stage
    return "received"
