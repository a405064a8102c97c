"""What the desk shows of hand-offs and callback tickets: plain dictionaries for the templates and
the live streams. Everything a citizen typed goes through ``mask_text`` here (the store already
masks, this is the second lock), and stays plain text: the page escapes it or sets textContent."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from bot.cases.vocab import AGENCIES
from bot.core.clock import CHINA
from bot.handoff import suggest
from bot.handoff.store import HandoffRecord, TicketRecord
from bot.rules.privacy import mask_phone, mask_text


def local_time(moment: Optional[dt.datetime]) -> str:
    return moment.astimezone(CHINA).strftime("%m-%d %H:%M") if moment else ""


def wait_seconds(since: dt.datetime, now: dt.datetime) -> int:
    return max(int((now - since).total_seconds()), 0)


def queue_question(record: HandoffRecord) -> str:
    """The citizen's question as the queue shows it. Hand-offs opened before the action server
    used the desk's rule (bot.handoff.suggest.is_question) may have stored 「取消」 or 「转人工」:
    those show as no question rather than as one (suggest.says_nothing)."""
    question = mask_text(record.first_question or "")
    if record.reason != "fallback" and suggest.says_nothing(question):
        question = ""
    return question or "（未描述问题）"


def handoff_row(record: HandoffRecord, now: dt.datetime,
                names: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    return {
        "id": record.id,
        "status": record.status.value,
        "status_label": record.status.label,
        "agent": (names or {}).get(record.agent, record.agent) if record.agent else None,
        "channel": record.channel_label,
        "agency": AGENCIES.get(record.agency_id, record.agency_id),
        "reason": record.reason_label,
        "question": queue_question(record),
        "created": local_time(record.created_at),
        "wait_seconds": wait_seconds(record.created_at, now),
        "url": f"/desk/handoffs/{record.id}",
    }


def recent_row(record: HandoffRecord, now: dt.datetime,
               names: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """A finished hand-off in the list, with the agent's closing note, which may quote the
    citizen's number ("已回电 138…"), so it is masked like the question."""
    return handoff_row(record, now, names) | {"note": mask_text(record.note or "")}


def ticket_row(ticket: TicketRecord, now: dt.datetime) -> Dict[str, Any]:
    return {
        "id": ticket.id,
        "phone": mask_phone(ticket.phone),
        "channel": ticket.channel_label,
        "agency": AGENCIES.get(ticket.agency_id, ticket.agency_id),
        "question": mask_text(ticket.description or "") or "（未留言）",
        "created": local_time(ticket.created_at),
        "wait_seconds": wait_seconds(ticket.created_at, now),
        "url": f"/desk/callbacks/{ticket.id}",
    }


def queue(handoffs: List[HandoffRecord], tickets: List[TicketRecord], now: dt.datetime,
          names: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    return {
        "handoffs": [handoff_row(r, now, names) for r in handoffs],
        "tickets": [ticket_row(t, now) for t in tickets],
    }


WHO = {"user": "群众", "bot": "助手", "agent": "坐席", "notice": "工作台", "marker": ""}


def transcript_row(entry) -> Dict[str, Any]:
    """One message of a conversation (bot.handoff.transcript.Entry) for a page rendered on the
    server: who, when (Beijing time), the text."""
    return {"kind": entry.kind, "who": entry.agent or WHO.get(entry.kind, ""), "text": entry.text,
            "time": dt.datetime.fromtimestamp(entry.timestamp, CHINA).strftime("%H:%M:%S"),
            "buttons": " ｜ ".join(entry.buttons)}


def wait_text(seconds: int) -> str:
    """For pages rendered on the server: 45秒 / 3分钟 / 1小时5分钟."""
    if seconds < 60:
        return f"{seconds}秒"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}分钟"
    return f"{minutes // 60}小时{minutes % 60}分钟"
