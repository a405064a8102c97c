"""Who may read a hand-off's transcript, and the record of every reading (docs/desk.md, “查看权限与
查看记录”). Synchronous, on the desk's database: call it in a thread from async code.

* A hand-off that is waiting or being served: every agent on duty (they share the queue).
* One that has ended: the agent who served or ended it; any other agent only after writing a
  reason, which opens it to them for ``GRANT_LIFETIME``.
* Every reading — the transcript's JSON or a live stream opening — is recorded: agent, hand-off,
  when, and the reason if one was needed. Readings of the same hand-off by the same agent within
  ``SAME_VIEWING`` of each other are one row whose ``last_seen_at`` moves on (the page's stream
  reconnects every minute), so the record says "li read #12 from 10:02 to 10:31".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select

from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope
from bot.core.errors import RefusedError
from bot.desk.models import CaseLookup, TranscriptView
from bot.handoff.store import HandoffRecord

GRANT_LIFETIME = dt.timedelta(minutes=30)
SAME_VIEWING = dt.timedelta(minutes=10)
MIN_REASON = 4  # characters: 「复核投诉」 is enough, 「看看」 is not
MAX_REASON = 200


class ReasonError(RefusedError):
    """The reason given for viewing a conversation is not enough."""


@dataclass(frozen=True)
class View:
    id: int
    handoff_id: int
    agent: str
    reason: Optional[str]
    opened_at: dt.datetime
    last_seen_at: dt.datetime


def served_by(record: HandoffRecord, username: str) -> bool:
    return record.agent == username


class ViewLog:
    def __init__(self, session_factory: SessionFactory):
        self._sessions = session_factory

    @classmethod
    def from_url(cls, url: Optional[str] = None) -> ViewLog:
        return cls(make_session_factory(make_engine(url)))

    def may_read(self, record: HandoffRecord, username: str, now: dt.datetime) -> bool:
        if record.status.is_open or served_by(record, username):
            return True
        with session_scope(self._sessions) as session:
            return session.scalars(select(TranscriptView.id).where(
                TranscriptView.handoff_id == record.id, TranscriptView.agent == username,
                TranscriptView.reason.is_not(None),
                TranscriptView.opened_at > now - GRANT_LIFETIME).limit(1)).first() is not None

    def grant(self, record: HandoffRecord, username: str, reason: str, now: dt.datetime) -> View:
        """Open an ended hand-off to ``username`` for GRANT_LIFETIME, recording why."""
        reason = " ".join((reason or "").split())
        if len(reason) < MIN_REASON:
            raise ReasonError(f"请写明查看原因（至少{MIN_REASON}个字），例如「群众来电要求复核处理情况」。")
        with session_scope(self._sessions) as session:
            row = TranscriptView(handoff_id=record.id, agent=username, reason=reason[:MAX_REASON],
                                 opened_at=now, last_seen_at=now)
            session.add(row)
            session.flush()
            return _view(row)

    def record(self, record: HandoffRecord, username: str, now: dt.datetime) -> View:
        """Note one reading of the transcript (see the module docstring for how they merge)."""
        with session_scope(self._sessions) as session:
            row = session.scalars(select(TranscriptView).where(
                TranscriptView.handoff_id == record.id, TranscriptView.agent == username,
                TranscriptView.last_seen_at > now - SAME_VIEWING)
                .order_by(TranscriptView.last_seen_at.desc(), TranscriptView.id.desc()).limit(1)).first()
            if row is None:
                row = TranscriptView(handoff_id=record.id, agent=username, opened_at=now,
                                     last_seen_at=now)
                session.add(row)
            else:
                row.last_seen_at = max(row.last_seen_at, now)
            session.flush()
            return _view(row)

    def recent(self, limit: int = 200, handoff_id: Optional[int] = None) -> List[View]:
        with session_scope(self._sessions) as session:
            query = select(TranscriptView)
            if handoff_id is not None:
                query = query.where(TranscriptView.handoff_id == handoff_id)
            rows = session.scalars(query.order_by(TranscriptView.opened_at.desc(),
                                                  TranscriptView.id.desc()).limit(limit))
            return [_view(row) for row in rows]


@dataclass(frozen=True)
class Lookup:
    id: int
    agent: str
    at: dt.datetime
    by: str  # number | phone
    query: str  # the case number, or the phone number masked
    found: int


class CaseLookupLog:
    """Every case look-up in caller mode (desk_case_lookups): agents may read any case without the
    applicant's query code, so each look-up is accountable — who, when, by what. A phone number
    is recorded masked (138****0001): the record must not become a list of callers' numbers."""

    def __init__(self, session_factory: SessionFactory):
        self._sessions = session_factory

    def record(self, agent: str, by: str, query: str, found: int, now: dt.datetime) -> Lookup:
        with session_scope(self._sessions) as session:
            row = CaseLookup(agent=agent, at=now, by=by, query=query[:40], found=found)
            session.add(row)
            session.flush()
            return _lookup(row)

    def recent(self, limit: int = 200) -> List[Lookup]:
        with session_scope(self._sessions) as session:
            rows = session.scalars(select(CaseLookup).order_by(CaseLookup.at.desc(), CaseLookup.id.desc())
                                   .limit(limit))
            return [_lookup(row) for row in rows]


def _lookup(row: CaseLookup) -> Lookup:
    return Lookup(row.id, row.agent, row.at, row.by, row.query, row.found)


def _view(row: TranscriptView) -> View:
    return View(row.id, row.handoff_id, row.agent, row.reason, row.opened_at, row.last_seen_at)
