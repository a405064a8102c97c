"""Caller mode's case look-up: an authenticated agent reads a case's status for a caller on the
phone. No verification factor (the agent is accountable instead): every look-up is logged with the
agent and the case number only, never the applicant's data."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Optional

from bot import knowledge
from bot.cases import status
from bot.cases.numbers import normalize_case_number
from bot.cases.store import CaseStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseView:
    case_number: str
    status_text: str
    applicant: str  # masked name
    phone: str  # masked


def lookup(store: CaseStore, number: str, agent: str, today: dt.date,
           kb: knowledge.KnowledgeBase) -> Optional[CaseView]:
    canonical = normalize_case_number(number or "")
    record = store.get(canonical) if canonical else None
    log.info("desk case lookup: agent=%s case=%s found=%s", agent,
             canonical or "(malformed)", "yes" if record else "no")
    if record is None:
        return None
    return CaseView(record.case_number, status.describe(record, today, kb),
                    record.masked_name, record.masked_phone)
