"""Caller mode: an authenticated agent helps a caller on the phone.

* Case look-up: reads a case's status. No verification factor (the agent is accountable
  instead): every look-up is logged with the agent and the case number only, never the
  applicant's data. It also says whether the case's online look-up is paused after too many
  wrong query codes (bot/cases/store.py), and until when: the caller may be the applicant who
  was locked out, or the case may be under attack.
* Deadline calculator: the caller's described history → every statutory date with its steps,
  from the same pure module the assistant uses (bot/rules/timeline.py), as table rows for the page.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional

from bot.cases import status
from bot.cases.numbers import normalize_case_number
from bot.cases.store import CaseStore
from bot.content import knowledge
from bot.core.clock import CHINA
from bot.rules import textparse, timeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseView:
    case_number: str
    status_text: str
    applicant: str  # masked name
    phone: str  # masked
    online_paused_until: str = ""  # Beijing time when the online look-up is locked, else ""


def lookup(store: CaseStore, number: str, agent: str, today: dt.date,
           kb: knowledge.KnowledgeBase) -> Optional[CaseView]:
    canonical = normalize_case_number(number or "")
    record = store.get(canonical) if canonical else None
    log.info("desk case lookup: agent=%s case=%s found=%s", agent,
             canonical or "(malformed)", "yes" if record else "no")
    if record is None:
        return None
    until = store.locked_until(case_number=record.case_number)
    paused = f"{until.astimezone(CHINA):%Y-%m-%d %H:%M}" if until else ""
    return CaseView(record.case_number, status.describe(record, today, kb),
                    record.masked_name, record.masked_phone, paused)


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

