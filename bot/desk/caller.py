"""Caller mode: an authenticated agent helps a caller on the phone.

* Case look-up, by the case number or by the caller's phone number: reads a case's status. No
  verification factor (the agent is accountable instead): every look-up is recorded in the desk's
  audit log (``audit.CaseLookupLog``: agent, time, the case number or the phone number masked)
  and logged the same way, never with the applicant's data. The phone search compares keyed
  hashes: the cases table keeps no full number (``CaseStore.find_by_phone``). It also says
  whether the case's online look-up is paused after too many wrong query codes
  (bot/cases/store.py), and until when: the caller may be the applicant who was locked out,
  or the case may be under attack.
* Deadline calculator: the caller's described history → every statutory date with its steps,
  from the same pure module the assistant uses (bot/rules/timeline.py), as table rows for the page.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot.cases import status
from bot.cases.numbers import normalize_case_number
from bot.cases.store import CaseStore
from bot.content import knowledge
from bot.core.clock import CHINA
from bot.desk.audit import CaseLookupLog
from bot.handoff.phone import normalize_phone
from bot.rules import textparse, timeline
from bot.rules.privacy import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseView:
    case_number: str
    status_text: str
    applicant: str  # masked name
    phone: str  # masked
    online_paused_until: str = ""  # Beijing time when the online look-up is locked, else ""


def view(record, today: dt.date, kb: knowledge.KnowledgeBase, store: CaseStore) -> CaseView:
    until = store.locked_until(case_number=record.case_number)
    paused = f"{until.astimezone(CHINA):%Y-%m-%d %H:%M}" if until else ""
    return CaseView(record.case_number, status.describe(record, today, kb), record.masked_name,
                    record.masked_phone, paused)


def lookup(store: CaseStore, number: str, agent: str, today: dt.date,
           kb: knowledge.KnowledgeBase, audit_log: CaseLookupLog, now: dt.datetime) -> Optional[CaseView]:
    canonical = normalize_case_number(number or "")
    record = store.get(canonical) if canonical else None
    query = canonical or "(格式不对)"
    audit_log.record(agent, "number", query, 1 if record else 0, now)
    log.info("desk case lookup: agent=%s case=%s found=%s", agent,
             canonical or "(malformed)", "yes" if record else "no")
    return view(record, today, kb, store) if record else None


class PhoneError(ValueError):
    """What was typed is not one phone number (nothing was looked up or recorded)."""


def lookup_by_phone(store: CaseStore, phone: str, agent: str, today: dt.date,
                    kb: knowledge.KnowledgeBase, audit_log: CaseLookupLog,
                    now: dt.datetime) -> List[CaseView]:
    """The cases of the applicant with this phone number (mobile, or landline with area code),
    newest first. Recorded with the number masked."""
    number = normalize_phone(phone or "")
    if number is None:
        raise PhoneError(phone)
    records = store.find_by_phone(number)
    audit_log.record(agent, "phone", mask_phone(number), len(records), now)
    log.info("desk case lookup: agent=%s phone=%s found=%d", agent, mask_phone(number), len(records))
    return [view(record, today, kb, store) for record in records]


def deadline_view(history: str, today: dt.date, kb: knowledge.KnowledgeBase, agency_id: str) -> Dict[str, Any]:
    """The calculator's result for the desk page: key dates, step rows, notes and, once a reply (or
    silence) is known, where to apply for 复议. ``problem`` (a question) replaces the dates when the
    history cannot be right as told."""
    facts = textparse.parse_history(history, today)
    result = timeline.compute(timeline.timeline_from_facts(facts), today=today)
    if result.problem:
        return {"problem": result.problem, "headline": [], "steps": [], "notes": []}
    notes = list(result.notes)
    if result.unknown_years:
        years = "、".join(str(y) for y in sorted(result.unknown_years))
        notes.append(timeline.UNKNOWN_YEAR_NOTE.format(years=years))
    if "review" in result.deadlines:
        notes.append(kb.message("timeline_remedy_bodies", agency_id).strip())
    return {
        "problem": "",
        "headline": timeline.headline_zh(result),
        "steps": [{"date": timeline.date_zh(s.day), "estimated": s.estimated, "event": s.event,
                   "rule": s.rule, "article": s.article} for s in result.steps],
        "notes": notes,
        "text": timeline.render_zh(result),
    }

