"""The case store: applications and their events, and the ownership check for status look-ups.

Every write goes through ``bot.cases.validation`` (fields first, then the rules across events on
the case as it will be after the write) and is idempotent: an event is identified by
(case, kind, occurred_on), so sending the same data twice changes nothing, timestamps included.
The stage, the answer type and a missing receipt date are derived from the events on every write.

Look-ups by chat users (``verify``): a wrong phone digit and an unknown case number give the same
result and do the same work. Five failures by one sender within a rolling hour lock that sender
until the oldest of them is an hour old; a success does not reset the count (else someone who owns
one case could probe others between their own look-ups). Attempts while locked are not counted.
The count lives in the database, so several server processes agree.

Synchronous (SQLAlchemy sessions): from async code call it in a thread, e.g.
``await loop.run_in_executor(None, store.verify, number, sender, factor)``.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from bot.cases.models import Case, CaseEvent, LookupAttempt
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
from bot.cases.verification import factor_matches, phone_digest, secret_key
from bot.db import SessionFactory, make_engine, make_session_factory, session_scope, utcnow

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_WINDOW = timedelta(hours=1)


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
    attempts_left: int = 0  # failures this sender may still make before the lock
    locked_until: Optional[datetime] = None  # only when LOCKED

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
        max_failures: int = MAX_FAILURES,
        lock_window: timedelta = LOCK_WINDOW,
    ):
        self._sessions = session_factory
        self._key = key if key is not None else secret_key()
        self.max_failures = max_failures
        self.lock_window = lock_window

    @classmethod
    def from_url(cls, url: Optional[str] = None, **kwargs) -> "CaseStore":
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

    def history(self, case_number: str) -> List[EventRecord]:
        """The case's events, oldest first; ``CaseNotFound`` if there is no such case."""
        record = self.get(case_number)
        if record is None:
            raise CaseNotFound(case_number)
        return list(record.events)

    # ---- ownership check ----------------------------------------------------------------------

    def verify(
        self, case_number: str, sender_id: str, factor: str, now: Optional[datetime] = None
    ) -> VerifyResult:
        """Check that ``sender_id`` knows the last four phone digits of ``case_number``."""
        now = now or utcnow()
        number = normalize_case_number(case_number) or ""
        with session_scope(self._sessions) as session:
            failures = _failure_times(session, sender_id, now - self.lock_window, now)
            if len(failures) >= self.max_failures:
                log.info("case look-up refused: sender locked out")
                return VerifyResult(VerifyStatus.LOCKED, locked_until=self._unlock_at(failures))
            # the same query, HMAC and comparison whether or not the case exists
            case = _find(session, number, with_events=False)
            ok = factor_matches(factor, case.phone_last4_hmac if case else None, self._key)
            session.add(LookupAttempt(sender_id=sender_id, at=now, succeeded=ok))
            if not ok:
                left = max(self.max_failures - len(failures) - 1, 0)
                log.info("case look-up failed verification (%d attempts left)", left)
                return VerifyResult(VerifyStatus.WRONG, attempts_left=left)
            return VerifyResult(
                VerifyStatus.OK,
                case=_record(case),
                attempts_left=self.max_failures - len(failures),
            )

    def is_locked(self, sender_id: str, now: Optional[datetime] = None) -> bool:
        """Whether ``sender_id`` has used up its failures in the hour before ``now``."""
        return self.locked_until(sender_id, now) is not None

    def locked_until(self, sender_id: str, now: Optional[datetime] = None) -> Optional[datetime]:
        """When the sender's lock ends, or None if it is not locked."""
        now = now or utcnow()
        with session_scope(self._sessions) as session:
            failures = _failure_times(session, sender_id, now - self.lock_window, now)
        return self._unlock_at(failures) if len(failures) >= self.max_failures else None

    def _unlock_at(self, failures: Sequence[datetime]) -> datetime:
        # the lock ends when only max_failures - 1 failures remain inside the window
        return failures[len(failures) - self.max_failures] + self.lock_window

    def purge_attempts(self, before: datetime) -> int:
        """Delete look-up attempts older than ``before`` (they no longer count); how many."""
        with session_scope(self._sessions) as session:
            result = session.execute(delete(LookupAttempt).where(LookupAttempt.at < before))
            return result.rowcount or 0

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
                applicant_phone=case.applicant_phone,
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
            "applicant_phone": data.applicant_phone,
            "phone_last4_hmac": phone_digest(data.applicant_phone, self._key),
            "applicant_email": data.applicant_email,
            "channel": data.channel,
            "submitted_on": data.submitted_on,
            "subject": data.subject,
        }
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


def _failure_times(session: Session, sender_id: str, since: datetime, now: datetime) -> List[datetime]:
    query = (
        select(LookupAttempt.at)
        .where(
            LookupAttempt.sender_id == sender_id,
            LookupAttempt.succeeded.is_(False),
            LookupAttempt.at > since,
            LookupAttempt.at <= now,
        )
        .order_by(LookupAttempt.at)
    )
    return list(session.execute(query).scalars())


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
        applicant_phone=case.applicant_phone,
        applicant_email=case.applicant_email,
    )
