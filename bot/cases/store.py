"""The case store: applications and their events, and the ownership check for status look-ups.

Every write goes through ``bot.cases.validation`` (fields first, then the rules across events on
the case as it will be after the write) and is idempotent: an event is identified by
(case, kind, occurred_on), so sending the same data twice changes nothing, timestamps included.
The stage, the answer type and a missing receipt date are derived from the events on every write.

Look-ups by chat users (``verify``): a wrong query code and an unknown case number give the same
result and do the same work. Failures are counted, each in a rolling window (``LIMITS``):

    per case number    5 in 24 hours   across all senders: the case's online look-up is locked
                                       (numbers of no case too, so a lock reveals nothing)
    per sender         5 in 1 hour
    per connection     5 in 1 hour     socket.io connection / WeChat openid (``Origin``)
    per client address 20 in 1 hour    REST and the web widget (not WeChat: every WeChat message
                                       comes from Tencent's servers)

A scope is locked until the oldest of its counted failures leaves the window. A success does not
reset a count (else someone who owns one case could probe others between their own look-ups);
attempts while locked are not checked and not counted. Every lock that starts is recorded
(``LookupLock``; ``locks()`` lists them for the desk). The counts live in the database, so several
server processes agree; the check and the count of one case number are serialised (SQLite: the
write lock taken first; PostgreSQL: an advisory lock on the number), so parallel guesses cannot
slip past the limit.

Synchronous (SQLAlchemy sessions): from async code call it in a thread, e.g.
``await loop.run_in_executor(None, store.verify, number, origin, code)``.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, selectinload

from bot.cases.models import Case, CaseEvent, LookupAttempt, LookupLock
from bot.cases.numbers import normalize_case_number
from bot.cases.records import CaseRecord, EventRecord
from bot.cases.stages import derive_stage, event_sort_key
from bot.cases.validation import (
    CaseDataError,
    CaseInput,
    EventInput,
    Problem,
    check_case,
    merge_events,
    parse_cases,
    parse_events,
)
from bot.cases.verification import code_digest, code_matches, keyed_hash, phone_digest, secret_key
from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope, utcnow
from bot.rules.privacy import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    max_failures: int
    window: timedelta


LIMITS: Dict[str, Limit] = {
    "case": Limit(5, timedelta(hours=24)),
    "sender": Limit(5, timedelta(hours=1)),
    "connection": Limit(5, timedelta(hours=1)),
    "address": Limit(20, timedelta(hours=1)),
}
# Channels whose client address is the citizen's own (WeChat's is Tencent's, shared by everyone).
ADDRESS_CHANNELS = ("rest", "socketio")
# How long look-up records are kept (``purge``): attempts well past the longest window, lock
# records long enough for the desk to follow up an attack (documented in docs/case-import.md).
ATTEMPTS_KEPT = timedelta(days=30)
LOCKS_KEPT = timedelta(days=180)
_ADVISORY_LOCK_CLASS = 4_826_002  # with the number's hash: one look-up of a number at a time


@dataclass(frozen=True)
class Origin:
    """Who looks a case up, as the channel edge saw it (the ``gongkai_origin`` message metadata).
    Without it (older edge, a forged call) only the sender and the case number are counted."""

    sender_id: str
    channel: Optional[str] = None  # rest, socketio, wechat
    connection: Optional[str] = None  # socket.io sid, WeChat openid; '' / None for REST
    address: Optional[str] = None  # the client's address or the edge's keyed hash of it

    @classmethod
    def from_metadata(cls, sender_id: str, metadata: Any) -> Origin:
        origin = metadata.get("gongkai_origin") if isinstance(metadata, Mapping) else None
        if not isinstance(origin, Mapping):
            return cls(sender_id)

        def field(name: str, limit: int) -> Optional[str]:
            value = origin.get(name)
            return value[:limit] if isinstance(value, str) and value.strip() else None

        return cls(sender_id, field("channel", 16), field("connection", 256), field("address", 256))


class Change(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class VerifyStatus(str, Enum):
    OK = "ok"
    WRONG = "wrong"  # wrong factor, unknown or malformed case number: deliberately one answer
    LOCKED = "locked"


@dataclass(frozen=True)
class VerifyResult:
    status: VerifyStatus
    case: Optional[CaseRecord] = None  # only when OK
    attempts_left: int = 0  # failures still allowed before a lock (the tightest scope)
    locked_until: Optional[datetime] = None  # only when LOCKED
    locked_scope: Optional[str] = None  # only when LOCKED: case, sender, connection or address

    @property
    def ok(self) -> bool:
        return self.status is VerifyStatus.OK


@dataclass
class SaveSummary:
    """What one write did, per case and in total."""

    cases: Dict[str, Change] = field(default_factory=dict)
    events: Counter = field(default_factory=Counter)  # Change → number of events

    def case_counts(self) -> Counter:
        return Counter(self.cases.values())

    def as_dict(self) -> Dict[str, Any]:
        return {
            "cases": {change.value: n for change, n in self.case_counts().items()},
            "events": {change.value: n for change, n in self.events.items()},
        }


class CaseNotFound(LookupError):
    pass


class CaseStore:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        key: Optional[bytes] = None,
        limits: Optional[Mapping[str, Limit]] = None,
    ):
        self._sessions = session_factory
        self._key = key if key is not None else secret_key()
        self.limits: Dict[str, Limit] = {**LIMITS, **(limits or {})}

    @classmethod
    def from_url(cls, url: Optional[str] = None, **kwargs) -> CaseStore:
        """A store on ``url`` (default: ``GONGKAI_DATABASE_URL`` / the SQLite file)."""
        return cls(make_session_factory(make_engine(url)), **kwargs)

    def ping(self) -> None:
        """Raises if the database cannot be reached (the web app's /health)."""
        from sqlalchemy import text

        with session_scope(self._sessions) as session:
            session.execute(text("SELECT 1"))

    # ---- reading ------------------------------------------------------------------------------

    def get(self, case_number: str) -> Optional[CaseRecord]:
        """The case with this number (typed any way ``normalize_case_number`` reads), or None.

        No ownership check: for agents and the case system. Citizens go through ``verify``."""
        number = normalize_case_number(case_number)
        if number is None:
            return None
        with session_scope(self._sessions) as session:
            case = _find(session, number, with_events=True)
            return _record(case) if case else None

    def find_by_phone(self, phone: str, limit: int = 20) -> List[CaseRecord]:
        """The cases whose applicant gave this phone number (compared by its keyed hash, the only
        form the full number is kept in), newest submission first. No ownership check: for
        authenticated agents, who log every search (bot.desk.audit)."""
        digest = phone_digest(phone, self._key)
        with session_scope(self._sessions) as session:
            cases = session.scalars(
                select(Case).where(Case.phone_hmac == digest)
                .options(selectinload(Case.events))
                .order_by(Case.submitted_on.desc(), Case.id.desc()).limit(limit)).all()
            return [_record(case) for case in cases]

    def history(self, case_number: str) -> List[EventRecord]:
        """The case's events, oldest first; ``CaseNotFound`` if there is no such case."""
        record = self.get(case_number)
        if record is None:
            raise CaseNotFound(case_number)
        return list(record.events)

    # ---- ownership check ----------------------------------------------------------------------

    def verify(
        self, case_number: str, origin: Union[str, Origin], code: str,
        now: Optional[datetime] = None,
    ) -> VerifyResult:
        """Check that ``origin`` (or a sender id) knows the query code of ``case_number``."""
        now = now or utcnow()
        origin = origin if isinstance(origin, Origin) else Origin(origin)
        number = normalize_case_number(case_number) or ""
        attempt = self._attempt(number, origin, now)
        with session_scope(self._sessions) as session:
            # written first: on SQLite this takes the write lock, so look-ups run one at a time
            session.add(attempt)
            session.flush()
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(:number))"),
                                {"cls": _ADVISORY_LOCK_CLASS, "number": number})
            # no upper bound on the time: a look-up that took its clock reading after this one
            # but committed first must count too
            counted = {scope: _failure_times(session, column, value, now - self.limits[scope].window,
                                             None, attempt.id)
                       for scope, column, value in _scopes(attempt)}
            for scope, failures in counted.items():
                limit = self.limits[scope]
                if len(failures) >= limit.max_failures:
                    session.delete(attempt)  # not checked, not counted
                    log.info("case look-up refused: %s locked", scope)
                    return VerifyResult(VerifyStatus.LOCKED, locked_scope=scope,
                                        locked_until=_unlock_at(failures, limit))
            # the same query, HMAC and comparison whether or not the case exists
            case = _find(session, number, with_events=False)
            ok = code_matches(code, case.query_code_hmac if case else None, self._key)
            attempt.succeeded = ok
            left = min(self.limits[scope].max_failures - len(failures) - (0 if ok else 1)
                       for scope, failures in counted.items())
            if not ok:
                for scope, _column, value in _scopes(attempt):
                    failures = sorted(counted[scope] + [now])
                    limit = self.limits[scope]
                    if len(failures) == limit.max_failures:
                        self._record_lock(session, scope, attempt, value,
                                          _unlock_at(failures, limit), now)
                log.info("case look-up failed verification (%d attempts left)", max(left, 0))
                return VerifyResult(VerifyStatus.WRONG, attempts_left=max(left, 0))
            assert case is not None  # a code matches only an existing case's HMAC
            return VerifyResult(VerifyStatus.OK, case=_record(case), attempts_left=max(left, 0))

    def _attempt(self, number: str, origin: Origin, now: datetime) -> LookupAttempt:
        channel = origin.channel if origin.channel else None
        address = (keyed_hash("address", origin.address, self._key)
                   if origin.address and channel in ADDRESS_CHANNELS else None)
        connection = (keyed_hash("connection", f"{channel}:{origin.connection}", self._key)
                      if origin.connection else None)
        return LookupAttempt(sender_id=origin.sender_id[:128], at=now, succeeded=False,
                             case_number=number[:20], channel=channel,
                             connection_key=connection, address_key=address)

    def _record_lock(self, session: Session, scope: str, attempt: LookupAttempt, subject: str,
                     until: datetime, now: datetime) -> None:
        session.add(LookupLock(scope=scope, subject=subject[:128], channel=attempt.channel,
                               locked_at=now, locked_until=until))
        # case numbers are no personal data; the other subjects are ids or keyed hashes
        log.warning("case look-up locked: scope=%s%s until %s", scope,
                    f" case={subject}" if scope == "case" else "", until.isoformat())

    def locked_until(self, case_number: Optional[str] = None, sender_id: Optional[str] = None,
                     now: Optional[datetime] = None) -> Optional[datetime]:
        """When the lock of this case number (or sender) ends, or None if it is not locked."""
        now = now or utcnow()
        scope, column, value = (("case", LookupAttempt.case_number,
                                 normalize_case_number(case_number or "") or "")
                                if case_number is not None
                                else ("sender", LookupAttempt.sender_id, sender_id or ""))
        limit = self.limits[scope]
        with session_scope(self._sessions) as session:
            failures = _failure_times(session, column, value, now - limit.window, now)
        return _unlock_at(failures, limit) if len(failures) >= limit.max_failures else None

    def is_locked(self, sender_id: str, now: Optional[datetime] = None) -> bool:
        """Whether ``sender_id`` has used up its failures."""
        return self.locked_until(sender_id=sender_id, now=now) is not None

    def locks(self, since: datetime) -> List[Dict[str, Any]]:
        """The lock-outs that started since ``since``, newest first (for the desk)."""
        with session_scope(self._sessions) as session:
            rows = session.execute(select(LookupLock).where(LookupLock.locked_at >= since)
                                   .order_by(LookupLock.locked_at.desc())).scalars()
            return [{"scope": r.scope, "subject": r.subject, "channel": r.channel,
                     "locked_at": r.locked_at, "locked_until": r.locked_until} for r in rows]

    def purge_attempts(self, before: datetime) -> int:
        """Delete look-up attempts older than ``before`` (they no longer count); how many."""
        with session_scope(self._sessions) as session:
            result = session.execute(delete(LookupAttempt).where(LookupAttempt.at < before))
            return result.rowcount or 0

    def purge(self, now: Optional[datetime] = None) -> Dict[str, int]:
        """Retention: attempts older than ``ATTEMPTS_KEPT``, lock records older than
        ``LOCKS_KEPT``; how many of each were deleted."""
        now = now or utcnow()
        attempts = self.purge_attempts(now - ATTEMPTS_KEPT)
        with session_scope(self._sessions) as session:
            locks = session.execute(
                delete(LookupLock).where(LookupLock.locked_at < now - LOCKS_KEPT)).rowcount or 0
        return {"lookup_attempts": attempts, "lookup_locks": locks}

    # ---- writing ------------------------------------------------------------------------------

    def save_cases(
        self,
        cases: Sequence[CaseInput],
        today: Optional[date] = None,
        now: Optional[datetime] = None,
        dry_run: bool = False,
    ) -> SaveSummary:
        """Insert or update ``cases`` with their events in one transaction: all or nothing.

        Raises ``CaseDataError`` (nothing stored) if a case, merged with the events already
        stored, breaks a rule of ``check_case``. ``dry_run`` checks and counts, then rolls back."""
        return self._write(lambda session: list(cases), today, now, dry_run)

    def add_events(
        self,
        case_number: str,
        events: Sequence[EventInput],
        today: Optional[date] = None,
        now: Optional[datetime] = None,
    ) -> SaveSummary:
        """Add or update ``events`` of an existing case (``CaseNotFound`` otherwise)."""
        number = normalize_case_number(case_number)

        def the_case_with(session: Session) -> List[CaseInput]:
            case = _find(session, number, with_events=False) if number else None
            if case is None:
                raise CaseNotFound(case_number)
            return [CaseInput(
                case_number=case.case_number,
                agency_id=case.agency_id,
                applicant_name=case.applicant_name,
                applicant_phone=None,  # keep the stored (masked) phone and query code
                channel=case.channel,
                submitted_on=case.submitted_on,
                subject=case.subject,
                received_on=case.received_on,
                applicant_email=case.applicant_email,
                events=tuple(events),
            )]

        return self._write(the_case_with, today, now, dry_run=False)

    def _write(
        self,
        inputs: Callable[[Session], List[CaseInput]],
        today: Optional[date],
        now: Optional[datetime],
        dry_run: bool,
    ) -> SaveSummary:
        now = now or utcnow()
        summary = SaveSummary()
        session = self._sessions()
        try:
            problems: List[Problem] = []
            for case_input in inputs(session):
                case = _find(session, case_input.case_number, with_events=True)
                problems.extend(check_case(_as_it_will_be(case_input, case), today))
                if problems:
                    continue  # keep checking the rest, but write nothing more
                case, change = self._upsert(session, case, case_input, now)
                events_changed = False
                for event in case_input.events:
                    event_change = _put_event(case, event, now)
                    summary.events[event_change] += 1
                    events_changed |= event_change is not Change.UNCHANGED
                derived_changed = _refresh(case)
                if change is Change.UNCHANGED and (events_changed or derived_changed):
                    change = Change.UPDATED
                if change is not Change.UNCHANGED:
                    case.updated_at = now
                summary.cases[case.case_number] = change
                session.flush()
            if problems:
                raise CaseDataError(problems)
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return summary
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upsert_case(self, case_number: str, **fields: Any) -> Change:
        """Insert or update one case (fields as in ``docs/case-import.md``, dates as ``date``
        or text; ``events`` optional). Raises ``CaseDataError`` on bad data."""
        (case_input,) = parse_cases([{"case_number": case_number, **fields}])
        return self.save_cases([case_input]).cases[case_input.case_number]

    def add_event(
        self,
        case_number: str,
        kind: str,
        occurred_on: date,
        *,
        actor: Optional[str] = None,
        note: Optional[str] = None,
        answer_type: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> Change:
        """Record one event; the same (kind, occurred_on) again updates actor/note/answer_type."""
        raw = {"kind": kind, "occurred_on": occurred_on, "actor": actor, "note": note,
               "answer_type": answer_type}
        (event,) = parse_events([raw])
        summary = self.add_events(case_number, [event], now=now)
        (change,) = [c for c, n in summary.events.items() if n]
        return change

    def _upsert(self, session: Session, case: Optional[Case], data: CaseInput, now: datetime):
        values = {
            "agency_id": data.agency_id,
            "applicant_name": data.applicant_name,
            "applicant_email": data.applicant_email,
            "channel": data.channel,
            "submitted_on": data.submitted_on,
            "subject": data.subject,
        }
        # only the masked phone is kept; a code or phone not sent keeps the stored one
        if data.applicant_phone is not None:
            values["phone_masked"] = mask_phone(data.applicant_phone)
            values["phone_hmac"] = phone_digest(data.applicant_phone, self._key)
        if data.query_code is not None:
            values["query_code_hmac"] = code_digest(data.query_code, self._key)
        if case is None:
            case = Case(
                case_number=data.case_number,
                received_on=data.received_on,
                stage="submitted",
                created_at=now,
                updated_at=now,
                **values,
            )
            session.add(case)
            return case, Change.CREATED
        # a receipt date already known (e.g. from a received event) is kept when none is sent
        if data.received_on is not None:
            values["received_on"] = data.received_on
        changed = _assign(case, values)
        return case, Change.UPDATED if changed else Change.UNCHANGED


# ---- helpers --------------------------------------------------------------------------------


def _find(session: Session, number: str, with_events: bool) -> Optional[Case]:
    query = select(Case).where(Case.case_number == number)
    if with_events:
        query = query.options(selectinload(Case.events))
    return session.execute(query).scalar_one_or_none()


def _as_it_will_be(data: CaseInput, case: Optional[Case]) -> CaseInput:
    """``data`` merged with what is stored: the events it does not re-send, the receipt date."""
    if case is None:
        return data
    merged = merge_events(data, [_record_event(e).as_input() for e in case.events])
    if merged.received_on is None and case.received_on is not None:
        merged = replace(merged, received_on=case.received_on)
    return merged


def _scopes(attempt: LookupAttempt):
    """(scope, column, value) for every scope this attempt is counted in."""
    scopes = [("case", LookupAttempt.case_number, attempt.case_number),
              ("sender", LookupAttempt.sender_id, attempt.sender_id)]
    if attempt.connection_key:
        scopes.append(("connection", LookupAttempt.connection_key, attempt.connection_key))
    if attempt.address_key:
        scopes.append(("address", LookupAttempt.address_key, attempt.address_key))
    return scopes


def _failure_times(session: Session, column, value: str, since: datetime,
                   until: Optional[datetime], exclude_id: Optional[int] = None) -> List[datetime]:
    query = (
        select(LookupAttempt.at)
        .where(column == value, LookupAttempt.succeeded.is_(False), LookupAttempt.at > since)
        .order_by(LookupAttempt.at)
    )
    if until is not None:
        query = query.where(LookupAttempt.at <= until)
    if exclude_id is not None:
        query = query.where(LookupAttempt.id != exclude_id)
    return list(session.execute(query).scalars())


def _unlock_at(failures: Sequence[datetime], limit: Limit) -> datetime:
    # the lock ends when only max_failures - 1 failures remain inside the window
    return failures[len(failures) - limit.max_failures] + limit.window


def _assign(obj: Any, values: Mapping[str, Any]) -> bool:
    """Set only the attributes that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _put_event(case: Case, event: EventInput, now: datetime) -> Change:
    for stored in case.events:
        if (stored.kind, stored.occurred_on) == event.key:
            changed = _assign(
                stored, {"actor": event.actor, "note": event.note, "answer_type": event.answer_type}
            )
            return Change.UPDATED if changed else Change.UNCHANGED
    case.events.append(
        CaseEvent(
            kind=event.kind,
            occurred_on=event.occurred_on,
            actor=event.actor,
            note=event.note,
            answer_type=event.answer_type,
            recorded_at=now,
        )
    )
    return Change.CREATED


def _refresh(case: Case) -> bool:
    """Re-derive receipt date, stage and answer type from the events; whether any changed."""
    events = sorted(case.events, key=lambda e: event_sort_key(e.kind, e.occurred_on))
    received = [e.occurred_on for e in events if e.kind == "received"]
    answered = [e for e in events if e.kind == "answered"]
    received_on = case.received_on or (received[0] if received else None)
    return _assign(
        case,
        {
            "received_on": received_on,
            "stage": derive_stage(received_on, [(e.kind, e.occurred_on) for e in events]),
            "answer_type": answered[-1].answer_type if answered else None,
        },
    )


def _record_event(event: CaseEvent) -> EventRecord:
    return EventRecord(
        kind=event.kind,
        occurred_on=event.occurred_on,
        actor=event.actor,
        note=event.note,
        answer_type=event.answer_type,
        recorded_at=event.recorded_at,
    )


def _record(case: Case) -> CaseRecord:
    events = sorted(
        case.events, key=lambda e: (*event_sort_key(e.kind, e.occurred_on), e.recorded_at)
    )
    return CaseRecord(
        case_number=case.case_number,
        agency_id=case.agency_id,
        channel=case.channel,
        submitted_on=case.submitted_on,
        received_on=case.received_on,
        stage=case.stage,
        answer_type=case.answer_type,
        subject=case.subject,
        created_at=case.created_at,
        updated_at=case.updated_at,
        events=tuple(_record_event(e) for e in events),
        applicant_name=case.applicant_name,
        masked_phone=case.phone_masked,
        applicant_email=case.applicant_email,
        has_query_code=case.query_code_hmac is not None,
    )
