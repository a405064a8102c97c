"""Tables of the case store: applications (``Case``), what happened to them (``CaseEvent``),
status look-ups by chat users (``LookupAttempt``, for the lock-outs) and the lock-outs themselves
(``LookupLock``, for the desk).

Closed vocabularies are CHECK constraints (codes in ``bot.cases.vocab``), except the agency, which
is checked on input so that a new agency needs no migration. Only what is used is kept: the
applicant's phone masked (``138****0001``, what an agent reads to a caller) and as a keyed hash of
the full number (the desk's search by the caller's number), and the query code as a keyed hash
(``bot.cases.verification``); the full phone number and the code are not stored.
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
from bot.core.db import Base, UTCDateTime, utcnow


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
    phone_masked = Column(String(32), nullable=False)  # bot.rules.privacy.mask_phone
    # HMAC of the full number (verification.phone_digest), for the desk's search; None for cases
    # imported before it existed (0008) until they are imported again
    phone_hmac = Column(String(64), index=True)
    query_code_hmac = Column(String(64))  # None: the case has no query code (no online look-up)
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
    """One verification by a chat user: failures are counted per case number, sender, connection
    and client address (``bot.cases.store``). The address and connection are keyed hashes."""

    __tablename__ = "lookup_attempts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    succeeded = Column(Boolean, nullable=False)
    case_number = Column(String(20))  # as typed, canonical; also for numbers of no case
    channel = Column(String(16))
    connection_key = Column(String(32))
    address_key = Column(String(32))

    __table_args__ = (
        Index("ix_lookup_attempts_sender_at", "sender_id", "at"),
        Index("ix_lookup_attempts_case_at", "case_number", "at"),
        Index("ix_lookup_attempts_connection_at", "connection_key", "at"),
        Index("ix_lookup_attempts_address_at", "address_key", "at"),
    )


LOCK_SCOPES = ("case", "sender", "connection", "address")


class LookupLock(Base):
    """A lock-out that started: which case number (or sender, connection, address) and until when.
    For the desk and for analytics (``CaseStore.locks``); the lock itself is the attempts' count."""

    __tablename__ = "lookup_locks"

    id = Column(Integer, primary_key=True)
    scope = Column(String(16), nullable=False)
    subject = Column(String(128), nullable=False)  # case number, sender id, or a keyed hash
    channel = Column(String(16))
    locked_at = Column(UTCDateTime, nullable=False)
    locked_until = Column(UTCDateTime, nullable=False)

    __table_args__ = (
        CheckConstraint(one_of("scope", LOCK_SCOPES), name="scope"),
        Index("ix_lookup_locks_locked_at", "locked_at"),
    )
