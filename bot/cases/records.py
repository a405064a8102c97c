"""What the case store hands out: frozen, detached snapshots (no database session behind them).

Personal data stays out of ``repr`` so a record that ends up in a log shows no name or phone;
``masked_phone`` (the only form of the phone the store keeps) / ``masked_name`` are for anything
but the owner's own view.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional, Tuple

from bot.cases.stages import STAGES
from bot.cases.validation import EventInput
from bot.cases.vocab import AGENCIES, ANSWER_TYPES, CHANNELS, EVENT_KINDS
from bot.rules.privacy import mask_name


@dataclass(frozen=True)
class EventRecord:
    kind: str
    occurred_on: date
    actor: Optional[str]
    note: Optional[str]
    answer_type: Optional[str]
    recorded_at: datetime

    @property
    def label(self) -> str:
        return EVENT_KINDS[self.kind]

    @property
    def answer_label(self) -> Optional[str]:
        return ANSWER_TYPES[self.answer_type] if self.answer_type else None

    def as_input(self) -> EventInput:
        return EventInput(self.kind, self.occurred_on, self.actor, self.note, self.answer_type)


@dataclass(frozen=True)
class CaseRecord:
    case_number: str
    agency_id: str
    channel: str
    submitted_on: date
    received_on: Optional[date]
    stage: str
    answer_type: Optional[str]
    subject: str
    created_at: datetime
    updated_at: datetime
    events: Tuple[EventRecord, ...]  # chronological
    applicant_name: str = field(repr=False)
    masked_phone: str = field(repr=False)  # 138****0001 (bot.rules.privacy.mask_phone)
    applicant_email: Optional[str] = field(repr=False, default=None)
    has_query_code: bool = False  # False: the case cannot be looked up online

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def answer_label(self) -> Optional[str]:
        return ANSWER_TYPES[self.answer_type] if self.answer_type else None

    @property
    def agency_name(self) -> str:
        return AGENCIES.get(self.agency_id, self.agency_id)

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]

    @property
    def masked_name(self) -> str:
        return mask_name(self.applicant_name)
