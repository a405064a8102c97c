"""The hand-off queue in the database, shared by the action server (which opens hand-offs and
stores callback tickets) and every web-app instance (which the agents use).

Synchronous (SQLAlchemy sessions): from async code, call it in a thread executor. Every change
reads the row and writes it in one transaction (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
serialises writers), applying the pure transitions of ``bot.handoff.state``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, overload

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.channels.labels import channel_label
from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope
from bot.handoff import state as machine
from bot.handoff.models import CallbackTicket, Handoff
from bot.handoff.state import HandoffState, Status
from bot.rules.privacy import mask_text

MAX_QUESTION = 300
MAX_DESCRIPTION = 300
REASONS = {"request": "要求人工", "dispute": "具体案件咨询", "fallback": "连续两次未听懂"}


@dataclass(frozen=True)
class HandoffRecord:
    id: int
    sender_id: str
    channel: str
    agency_id: str
    reason: str
    first_question: Optional[str]  # masked
    status: Status
    agent: Optional[str]
    note: Optional[str]
    created_at: dt.datetime
    taken_at: Optional[dt.datetime]
    ended_at: Optional[dt.datetime]
    updated_at: dt.datetime

    @property
    def state(self) -> HandoffState:
        return HandoffState(self.status, self.agent, self.note)

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)


@dataclass(frozen=True)
class TicketRecord:
    id: int
    sender_id: str
    channel: str
    agency_id: str
    phone: str
    description: Optional[str]  # masked
    status: str
    created_at: dt.datetime
    done_at: Optional[dt.datetime]
    done_by: Optional[str]
    done_note: Optional[str]

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)


class NotFound(LookupError):
    pass


_UNSTORABLE = re.compile("[\ud800-\udfff]")  # lone UTF-16 surrogates: no encoding stores them


@overload
def storable(text: str, limit: Optional[int] = None) -> str: ...
@overload
def storable(text: None, limit: Optional[int] = None) -> None: ...
def storable(text: Optional[str], limit: Optional[int] = None) -> Optional[str]:
    """Text as any database can store it: lone surrogates (JSON's \\ud800 escapes produce them)
    replaced with U+FFFD, NUL characters (PostgreSQL refuses them) removed. None stays None."""
    if text is None:
        return None
    return _UNSTORABLE.sub("\ufffd", text[:limit] if limit else text).replace("\x00", "")


MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL; a larger id (typed into a URL) names no row


def _possible(row_id: int) -> bool:
    """Whether ``row_id`` can name a row at all: larger ones overflow the database's integer
    (SQLite's OverflowError, PostgreSQL's DataError) instead of simply finding nothing."""
    return 0 < row_id <= MAX_ID


Transition = Callable[[HandoffState], HandoffState]


class HandoffStore:
    def __init__(self, session_factory: SessionFactory):
        self._sessions = session_factory

    @classmethod
    def from_url(cls, url: Optional[str] = None) -> HandoffStore:
        """A store on ``url`` (default: ``GONGKAI_DATABASE_URL`` / the SQLite file)."""
        return cls(make_session_factory(make_engine(url)))

    # ---- hand-offs ----------------------------------------------------------------------------

    def open(self, sender_id: str, channel: Optional[str], agency_id: str, reason: str,
             first_question: Optional[str], now: dt.datetime) -> Tuple[HandoffRecord, bool]:
        """The conversation's open hand-off, created if there is none: (record, created)."""
        for _ in range(2):  # a concurrent open for the same sender wins the unique constraint
            try:
                with session_scope(self._sessions) as session:
                    existing = _open_for(session, sender_id)
                    if existing is not None:
                        return _handoff(existing), False
                    row = Handoff(
                        sender_id=sender_id, open_sender=sender_id, channel=storable(channel) or "unknown",
                        agency_id=agency_id, reason=reason,
                        first_question=_masked(first_question, MAX_QUESTION),
                        status=Status.WAITING.value, created_at=now, updated_at=now,
                    )
                    session.add(row)
                    session.flush()
                    return _handoff(row), True
            except IntegrityError:
                continue
        raise RuntimeError(f"could not open a hand-off for a conversation (id {len(sender_id)} chars)")

    def get(self, handoff_id: int) -> Optional[HandoffRecord]:
        if not _possible(handoff_id):
            return None
        with session_scope(self._sessions) as session:
            row = session.get(Handoff, handoff_id)
            return _handoff(row) if row else None

    def open_for(self, sender_id: str) -> Optional[HandoffRecord]:
        with session_scope(self._sessions) as session:
            row = _open_for(session, sender_id)
            return _handoff(row) if row else None

    def ordinal(self, record: HandoffRecord) -> int:
        """Which of its conversation's hand-offs ``record`` is: 1 for the first (by id)."""
        with session_scope(self._sessions) as session:
            return session.scalar(select(func.count(Handoff.id)).where(
                Handoff.sender_id == record.sender_id, Handoff.id <= record.id)) or 0

    def has_handoff(self, sender_id: str) -> bool:
        """Whether the conversation was ever handed to the desk."""
        with session_scope(self._sessions) as session:
            return session.scalars(
                select(Handoff.id).where(Handoff.sender_id == sender_id).limit(1)).first() is not None

    def queue(self) -> List[HandoffRecord]:
        """Open hand-offs: waiting ones first, then taken ones, oldest first within each."""
        with session_scope(self._sessions) as session:
            rows = session.scalars(
                select(Handoff).where(Handoff.open_sender.is_not(None))
                .order_by(Handoff.status.desc(), Handoff.created_at, Handoff.id)
            ).all()  # 'waiting' sorts after 'taken' ascending, so descending puts it first
            return [_handoff(row) for row in rows]

    def recent(self, limit: int = 20) -> List[HandoffRecord]:
        """The latest ended hand-offs, newest first."""
        with session_scope(self._sessions) as session:
            rows = session.scalars(
                select(Handoff).where(Handoff.open_sender.is_(None))
                .order_by(Handoff.ended_at.desc(), Handoff.id.desc()).limit(limit)
            ).all()
            return [_handoff(row) for row in rows]

    def change(self, handoff_id: int, transition: Transition,
               now: dt.datetime) -> Tuple[HandoffRecord, HandoffRecord]:
        """Apply ``transition`` (one of ``bot.handoff.state``'s, partially applied) in one
        transaction: (before, after). TransitionError leaves the row as it was."""
        if not _possible(handoff_id):
            raise NotFound(handoff_id)
        with session_scope(self._sessions) as session:
            row = session.scalars(
                select(Handoff).where(Handoff.id == handoff_id).with_for_update()
            ).one_or_none()
            if row is None:
                raise NotFound(handoff_id)
            before = _handoff(row)
            after = transition(before.state)
            if after == before.state:
                return before, before
            row.status = after.status.value
            row.agent = after.agent
            row.note = storable(after.note)
            row.updated_at = now
            if after.status is Status.TAKEN and before.status is not Status.TAKEN:
                row.taken_at = now
            if not after.status.is_open:
                row.ended_at = now
                row.open_sender = None
            session.flush()
            return before, _handoff(row)

    def take(self, handoff_id: int, agent: str, now: dt.datetime):
        return self.change(handoff_id, lambda s: machine.take(s, agent), now)

    def reply(self, handoff_id: int, agent: str, now: dt.datetime):
        return self.change(handoff_id, lambda s: machine.reply(s, agent), now)

    def hand_back(self, handoff_id: int, agent: str, now: dt.datetime, note: Optional[str] = None):
        return self.change(handoff_id, lambda s: machine.hand_back(s, agent, note), now)

    def close(self, handoff_id: int, agent: str, note: Optional[str], now: dt.datetime):
        return self.change(handoff_id, lambda s: machine.close(s, agent, note), now)

    # ---- callback tickets ---------------------------------------------------------------------

    def add_ticket(self, sender_id: str, channel: Optional[str], agency_id: str, phone: str,
                   description: Optional[str], now: dt.datetime) -> TicketRecord:
        with session_scope(self._sessions) as session:
            row = CallbackTicket(
                sender_id=sender_id, channel=storable(channel) or "unknown", agency_id=agency_id,
                phone=storable(phone), description=_masked(description, MAX_DESCRIPTION),
                status="open", created_at=now,
            )
            session.add(row)
            session.flush()
            return _ticket(row)

    def get_ticket(self, ticket_id: int) -> Optional[TicketRecord]:
        if not _possible(ticket_id):
            return None
        with session_scope(self._sessions) as session:
            row = session.get(CallbackTicket, ticket_id)
            return _ticket(row) if row else None

    def open_tickets(self) -> List[TicketRecord]:
        with session_scope(self._sessions) as session:
            rows = session.scalars(
                select(CallbackTicket).where(CallbackTicket.status == "open")
                .order_by(CallbackTicket.created_at, CallbackTicket.id)
            ).all()
            return [_ticket(row) for row in rows]

    def complete_ticket(self, ticket_id: int, agent: str, note: Optional[str],
                        now: dt.datetime) -> TicketRecord:
        """Mark a callback done (idempotent: a second call keeps the first agent and note)."""
        if not _possible(ticket_id):
            raise NotFound(ticket_id)
        with session_scope(self._sessions) as session:
            row = session.scalars(
                select(CallbackTicket).where(CallbackTicket.id == ticket_id).with_for_update()
            ).one_or_none()
            if row is None:
                raise NotFound(ticket_id)
            if row.status == "open":
                row.status = "done"
                row.done_at = now
                row.done_by = agent
                row.done_note = storable((note or "").strip()[: machine.MAX_NOTE]) or None
            session.flush()
            return _ticket(row)


def _open_for(session, sender_id: str) -> Optional[Handoff]:
    return session.scalars(select(Handoff).where(Handoff.open_sender == sender_id)).one_or_none()


def _masked(text: Optional[str], limit: int) -> Optional[str]:
    text = " ".join((storable(text) or "").split())
    return mask_text(text)[:limit] or None


def _handoff(row: Handoff) -> HandoffRecord:
    return HandoffRecord(
        id=row.id, sender_id=row.sender_id, channel=row.channel, agency_id=row.agency_id,
        reason=row.reason, first_question=row.first_question, status=Status(row.status),
        agent=row.agent, note=row.note, created_at=row.created_at, taken_at=row.taken_at,
        ended_at=row.ended_at, updated_at=row.updated_at,
    )


def _ticket(row: CallbackTicket) -> TicketRecord:
    return TicketRecord(
        id=row.id, sender_id=row.sender_id, channel=row.channel, agency_id=row.agency_id,
        phone=row.phone, description=row.description, status=row.status,
        created_at=row.created_at, done_at=row.done_at, done_by=row.done_by,
        done_note=row.done_note,
    )
