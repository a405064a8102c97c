"""Tables of the case store: applications (``Case``), what happened to them (``CaseEvent``), and
status look-ups by chat users (``LookupAttempt``, for the lock-out).

Closed vocabularies are CHECK constraints (codes in ``bot.cases.vocab``), except the agency, which
is checked on input so that a new agency needs no migration. The applicant's phone is kept for
agents; checking a citizen's answer uses only ``phone_last4_hmac`` (see ``bot.cases.verification``).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.cases.stages import STAGES
from bot.cases.vocab import ANSWER_TYPES, CHANNELS, EVENT_KINDS
from bot.db import Base, UTCDateTime, utcnow


def one_of(column: str, codes) -> str:
    """SQL for "column is one of codes" (codes are fixed identifiers, safe to inline)."""
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


ANSWERED_HAS_TYPE = (
    "(kind = 'answered' AND answer_type IS NOT NULL) OR (kind <> 'answered' AND answer_type IS NULL)"
)


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    case_number = Column(String(20), nullable=False, unique=True)
    agency_id = Column(String(32), nullable=False)
    applicant_name = Column(String(100), nullable=False)
    applicant_phone = Column(String(32), nullable=False)
    phone_last4_hmac = Column(String(64), nullable=False)
    applicant_email = Column(String(254))
    channel = Column(String(20), nullable=False)
    submitted_on = Column(Date, nullable=False)
    received_on = Column(Date)  # 收到申请之日 (条例第三十一条); unknown until confirmed
    stage = Column(String(20), nullable=False)
    answer_type = Column(String(20))
    subject = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    events = relationship(
        "CaseEvent",
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="(CaseEvent.occurred_on, CaseEvent.id)",
    )

    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("stage", STAGES), name="stage"),
        CheckConstraint(
            f"answer_type IS NULL OR {one_of('answer_type', ANSWER_TYPES)}", name="answer_type"
        ),
        Index("ix_cases_agency_stage", "agency_id", "stage"),
    )

    def __repr__(self) -> str:
        return f"<Case {self.case_number} {self.stage}>"


class CaseEvent(Base):
    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(30), nullable=False)
    occurred_on = Column(Date, nullable=False)
    actor = Column(String(100))  # who at the agency did it, as the case system names them
    recorded_at = Column(UTCDateTime, nullable=False, default=utcnow)  # when we learnt of it
    note = Column(Text)
    answer_type = Column(String(20))

    case = relationship("Case", back_populates="events")

    __table_args__ = (
        # one event of a kind per case and day: re-sending it updates, never duplicates
        UniqueConstraint("case_id", "kind", "occurred_on"),
        CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),
        CheckConstraint(
            f"answer_type IS NULL OR {one_of('answer_type', ANSWER_TYPES)}", name="answer_type"
        ),
        CheckConstraint(ANSWERED_HAS_TYPE, name="answered_has_type"),
    )

    def __repr__(self) -> str:
        return f"<CaseEvent {self.kind} {self.occurred_on}>"


class LookupAttempt(Base):
    """One verification by a chat user; failures within an hour lock the sender out."""

    __tablename__ = "lookup_attempts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    succeeded = Column(Boolean, nullable=False)

    __table_args__ = (Index("ix_lookup_attempts_sender_at", "sender_id", "at"),)
