"""A conversation as people read it, from Rasa's tracker JSON (``GET /conversations/<id>/tracker``).

Pure functions over the tracker dictionary (its events read with ``bot.core.history``). An agent
sees only the window of one hand-off (``handoff_window``), never the whole conversation. Messages the
desk pushed into the conversation are marked in their bot event's metadata
(``desk_metadata``): an agent's reply also names the agent, a notice (已接入 / 已转回助手)
does not.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Dict, List, Mapping, Optional

from bot.core import history
from bot.rules.privacy import mask_text

# Rasa's own control events, shown as one line each in the transcript
MARKERS = {
    history.PAUSE: "对话已转人工，助手暂停自动回复",
    history.RESUME: "对话已转回助手",
    history.SESSION_STARTED: "新的会话开始",
}


@dataclass(frozen=True)
class Entry:
    kind: str  # user | bot | agent | notice | marker
    text: str
    timestamp: float
    agent: Optional[str] = None  # the agent's display name, for agent replies
    intent: Optional[str] = None  # for user messages: what the bot understood
    buttons: tuple = ()

    def as_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["buttons"] = list(self.buttons)
        return data


def desk_metadata(agent: Optional[str] = None, agent_name: Optional[str] = None) -> Dict[str, str]:
    """The metadata of a bot event the desk writes (an agent's reply, or a notice)."""
    metadata = {history.SOURCE: history.DESK_SOURCE}
    if agent:
        metadata[history.AGENT] = agent
        metadata[history.AGENT_NAME] = agent_name or agent
    return metadata


def handoff_window(tracker: Mapping[str, Any], ordinal: int) -> Optional[Dict[str, Any]]:
    """The part of the conversation an agent sees for its ``ordinal``-th hand-off (1 for the
    conversation's first, in the order the desk's database numbered them), as a tracker-shaped
    dictionary; None when the conversation does not show that hand-off.

    Every hand-off starts with the one ``pause`` event the hand-off action returns (while paused
    the bot runs no actions, so there is no other), so the n-th pause opens the n-th hand-off. The
    window runs from the start of the session it was opened in (the context the citizen brought)
    to its end: the first ``resume`` after the pause and the desk's closing messages that follow
    it, up to (not including) the citizen's next message. Whatever the citizen did after the
    hand-off — another question, a verified case look-up — is not shown. The pairing needs every
    event of the conversation (``include_events=ALL``: a /restart must not drop earlier pauses)."""
    events = list(tracker.get("events") or [])
    pauses = [i for i, event in enumerate(events) if history.kind(event) == history.PAUSE]
    if ordinal < 1 or len(pauses) < ordinal:
        return None
    opened = pauses[ordinal - 1]
    start = max((i for i in range(opened) if history.kind(events[i]) == history.SESSION_STARTED),
                default=0)
    end = len(events)
    resumed = next((i for i in range(opened + 1, len(events))
                    if history.kind(events[i]) == history.RESUME), None)
    if resumed is not None:
        end = next((i for i in range(resumed + 1, len(events))
                    if history.kind(events[i]) == history.USER), end)
    return {**tracker, "events": events[start:end]}


def ticket_window(tracker: Mapping[str, Any], ticket_id: int) -> Optional[Dict[str, Any]]:
    """The conversation that led to callback ticket ``ticket_id``, as a tracker-shaped dictionary:
    from the start of the session it was left in to the reply confirming it (the bot event whose
    metadata names the ticket, ``history.CALLBACK_TICKET``), nothing after. None when the
    conversation has no such reply (tickets stored before the replies named them)."""
    events = list(tracker.get("events") or [])
    saved = next((i for i, event in enumerate(events) if history.kind(event) == history.BOT
                  and history.metadata(event).get(history.CALLBACK_TICKET) == ticket_id), None)
    if saved is None:
        return None
    start = max((i for i in range(saved) if history.kind(events[i]) == history.SESSION_STARTED),
                default=0)
    return {**tracker, "events": events[start:saved + 1]}


def masked(entry: Entry) -> Entry:
    """``entry`` with phone and ID-card numbers masked (bot.rules.privacy), for lists that are not
    the live conversation itself (a callback ticket's conversation)."""
    return replace(entry, text=mask_text(entry.text))


def entries(tracker: Mapping[str, Any]) -> List[Entry]:
    """Every message and hand-off marker of the conversation, oldest first. A button the citizen
    clicked is shown as the button's title (「都不是，转人工」), never as its intent payload
    (``/request_human``); a payload no button offered (typed, or from a widget's own greeting,
    ``/greet``) is left out."""
    result: List[Entry] = []
    offered: Dict[str, str] = {}  # payload → title, of the buttons of the latest bot message
    for event in tracker.get("events") or []:
        kind = history.kind(event)
        stamp = float(event.get("timestamp") or 0)
        if kind == history.USER:
            said = event.get("text") or ""
            if said.strip().startswith("/"):
                title = offered.get(said.strip())
                if not title:
                    continue
                said = title
            result.append(Entry("user", said, stamp, intent=history.intent(event)))
        elif kind == history.BOT:
            metadata = history.metadata(event)
            buttons = tuple(b.get("title", "") for b in history.buttons(event))
            offered = {str(b.get("payload") or "").strip(): str(b.get("title") or "")
                       for b in history.buttons(event)} or offered
            if metadata.get(history.SOURCE) == history.DESK_SOURCE:
                who = "agent" if metadata.get(history.AGENT) else "notice"
                result.append(Entry(who, event.get("text") or "", stamp,
                                    agent=metadata.get(history.AGENT_NAME), buttons=buttons))
            else:
                result.append(Entry("bot", event.get("text") or "", stamp, buttons=buttons))
        elif kind in MARKERS:
            result.append(Entry("marker", MARKERS[kind], stamp))
    return result


def desk_messages_since(tracker: Mapping[str, Any], since: float) -> List[Dict[str, Any]]:
    """The desk's messages (agent replies and notices) after ``since``, for REST clients that
    cannot be pushed to: ``[{"text", "timestamp", "kind", "agent"}]``."""
    return [
        {"text": e.text, "timestamp": e.timestamp, "kind": e.kind, "agent": e.agent}
        for e in entries(tracker)
        if e.kind in ("agent", "notice") and e.timestamp > since
    ]


def is_paused(tracker: Mapping[str, Any]) -> bool:
    return bool(tracker.get("paused"))
