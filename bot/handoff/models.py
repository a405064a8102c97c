"""Tables of the hand-off queue: conversations handed to an agent (``Handoff``) and callback
messages left outside office hours (``CallbackTicket``).

At most one open hand-off per conversation: ``open_sender`` holds the sender id while the hand-off
is waiting or taken and is NULL afterwards, under a unique constraint (NULLs never collide), so two
web-app or action-server processes cannot open two for the same citizen. The citizen's first
question is stored masked (``bot.rules.privacy``); the full transcript stays in Rasa's tracker store.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text

from bot.core.db import Base, UTCDateTime, utcnow

HANDOFF_STATUSES = ("waiting", "taken", "returned", "closed")
HANDOFF_REASONS = ("request", "dispute", "fallback")
TICKET_STATUSES = ("open", "done")


def one_of(column: str, codes) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False)
    open_sender = Column(String(128), unique=True)  # = sender_id while open, else NULL
    channel = Column(String(32), nullable=False)  # Rasa's latest_input_channel: rest, socketio, …
    agency_id = Column(String(32), nullable=False)
    reason = Column(String(16), nullable=False)
    first_question = Column(Text)  # masked
    status = Column(String(10), nullable=False, default="waiting")
    agent = Column(String(64))  # username of the agent holding it, or who ended it
    note = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    taken_at = Column(UTCDateTime)
    ended_at = Column(UTCDateTime)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("status", HANDOFF_STATUSES), name="status"),
        CheckConstraint(one_of("reason", HANDOFF_REASONS), name="reason"),
        Index("ix_handoffs_status_created", "status", "created_at"),
        Index("ix_handoffs_sender", "sender_id"),
    )

    def __repr__(self) -> str:
        return f"<Handoff {self.id} {self.status}>"


class CallbackTicket(Base):
    __tablename__ = "callback_tickets"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    agency_id = Column(String(32), nullable=False)
    phone = Column(String(32), nullable=False)  # the number to call back: shown to agents only
    description = Column(Text)  # masked
    status = Column(String(8), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    done_at = Column(UTCDateTime)
    done_by = Column(String(64))
    done_note = Column(Text)

    __table_args__ = (
        CheckConstraint(one_of("status", TICKET_STATUSES), name="status"),
        Index("ix_callback_tickets_status_created", "status", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<CallbackTicket {self.id} {self.status}>"
