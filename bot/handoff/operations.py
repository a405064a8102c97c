"""What an agent does to a hand-off, end to end: the state change in the database, the matching
events in the Rasa conversation (pause stays / resume), and the message to the citizen on their
channel. The desk's routes call these and only translate the result to HTTP.

Order of work: a take or reply is claimed in the database first (two agents clicking at once: one
wins), then delivered. A hand-back or close is checked first, delivered (the conversation resumes)
and only then recorded, so a Rasa failure never leaves a hand-off marked ended while the bot is
still silent.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Union

from bot.content import knowledge
from bot.core import clock, history
from bot.core.errors import RefusedError
from bot.core.threads import in_thread
from bot.feedback import ratings
from bot.handoff import buttons, hours, suggest, transcript
from bot.handoff import state as machine
from bot.handoff.delivery import Channels, deliver
from bot.handoff.rasa_client import RasaClient, RasaError
from bot.handoff.state import Status, TransitionError
from bot.handoff.store import HandoffRecord, HandoffStore, NotFound, TicketRecord
from bot.rules.workdays import default_calendar

log = logging.getLogger(__name__)

MAX_REPLY = 2000
SYSTEM = "system"  # who ended a hand-off nobody took before office hours ended
LISTEN = {"event": "action", "name": "action_listen"}


class ReplyError(RefusedError):
    """An agent's reply cannot be sent as written (empty, too long)."""


@dataclass(frozen=True)
class Agent:
    username: str
    display_name: str




def bot_event(text: str, metadata: Dict[str, Any], buttons: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
    event = {"event": "bot", "text": text, "metadata": metadata}
    if buttons:
        event["data"] = {"buttons": buttons}
    return event


KnowledgeSource = Union[knowledge.KnowledgeBase, Callable[[], knowledge.KnowledgeBase]]


class HandoffOperations:
    """``kb``: the knowledge base, or (what the desk passes) a function giving the one served now
    (``knowledge.cached``), so a staff member's edit reaches the agents' messages and suggestions
    as it reaches the bot's answers."""

    def __init__(self, store: HandoffStore, rasa: RasaClient, channels: Channels,
                 kb: KnowledgeSource, now: Callable[[], dt.datetime] = clock.now):
        self.store, self.rasa, self.channels, self.now = store, rasa, channels, now
        self._kb = kb

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        return self._kb if isinstance(self._kb, knowledge.KnowledgeBase) else self._kb()

    async def get(self, handoff_id: int) -> HandoffRecord:
        record = await in_thread(self.store.get, handoff_id)
        if record is None:
            raise NotFound(handoff_id)
        return record

    async def take(self, handoff_id: int, agent: Agent) -> HandoffRecord:
        before, after = await in_thread(self.store.take, handoff_id, agent.username, self.now())
        if before.status is not after.status:
            notice = self.kb.message("handoff_taken", after.agency_id)
            await self._send(after, [bot_event(notice, transcript.desk_metadata())])
            log.info("hand-off %d taken by %s", after.id, agent.username)
        return after

    async def reply(self, handoff_id: int, agent: Agent, text: str) -> tuple:
        """(record, pushed): pushed is False when the citizen's client must collect the reply."""
        text = (text or "").strip()
        if not text:
            raise ReplyError("回复内容不能为空。")
        if len(text) > MAX_REPLY:
            raise ReplyError(f"回复不能超过{MAX_REPLY}个字。")
        _, after = await in_thread(self.store.reply, handoff_id, agent.username, self.now())
        prefix = self.kb.message("agent_reply_prefix", after.agency_id, agent_name=agent.display_name)
        event = bot_event(prefix + text, transcript.desk_metadata(agent.username, agent.display_name))
        pushed = await self._send(after, [event])
        log.info("hand-off %d: reply by %s (%d chars, %s)", after.id, agent.username, len(text),
                 "pushed" if pushed else "waiting for the client to collect")
        return after, pushed

    async def hand_back(self, handoff_id: int, agent: Agent) -> HandoffRecord:
        record = await self.get(handoff_id)
        machine.hand_back(record.state, agent.username)  # raises before anything is sent
        await self._resume(record)
        _, after = await in_thread(self.store.hand_back, handoff_id, agent.username, self.now())
        log.info("hand-off %d handed back to the bot by %s", handoff_id, agent.username)
        return after

    async def close(self, handoff_id: int, agent: Agent, note: str) -> HandoffRecord:
        record = await self.get(handoff_id)
        machine.close(record.state, agent.username, note)
        await self._resume(record)
        _, after = await in_thread(self.store.close, handoff_id, agent.username, note, self.now())
        log.info("hand-off %d closed by %s", handoff_id, agent.username)
        return after

    async def release_waiting(self) -> List[int]:
        """Outside office hours, hand-offs nobody took go back to the bot, which tells the citizen
        when agents are back and offers a callback (the same words as a request made then).
        Taken ones stay with their agent. Safe with several web-app instances doing it at once:
        the database decides who releases each; the others skip it."""
        now = self.now()
        shifts = hours.configured_hours()
        duty = hours.duty(now, shifts, default_calendar().is_workday)
        if duty.on_duty:
            return []
        released = []
        for record in await in_thread(self.store.queue):
            if record.status is not Status.WAITING:
                continue
            try:
                await in_thread(self.store.hand_back, record.id, SYSTEM, now, "非人工服务时间，无人接入，自动转回助手")
            except TransitionError:
                continue  # taken or released meanwhile
            text = self.kb.message("handoff_off_hours", record.agency_id,
                                   **hours.when_back(duty, shifts, now))
            try:
                await self._send(record, [{"event": "resume"},
                                          bot_event(text, transcript.desk_metadata(),
                                                    [buttons.callback(self.kb, record.agency_id)]),
                                          LISTEN])
            except RasaError as failure:
                log.error("hand-off %d released but the conversation not resumed: %s", record.id, failure)
                continue
            log.info("hand-off %d: nobody took it before office hours ended, back to the bot", record.id)
            released.append(record.id)
        return released

    async def conversation(self, record: HandoffRecord) -> Dict[str, Any]:
        """This hand-off's part of the transcript (transcript.handoff_window) and whether the bot
        is paused, from the tracker store via Rasa. ``found`` is False when the conversation does
        not show the hand-off (its events were deleted): then nothing is shown."""
        tracker = await self.rasa.tracker(record.sender_id, all_events=True)
        window = transcript.handoff_window(tracker, await in_thread(self.store.ordinal, record))
        asked = suggest.questions(window["events"]) if window else []
        return {
            "entries": [e.as_dict() for e in transcript.entries(window)] if window else [],
            # an ended hand-off is not what pauses the bot now (a later one may be)
            "paused": record.status.is_open and transcript.is_paused(tracker),
            # the citizen's questions in the window, newest first (not 「人呢」 or 「转人工」)
            "questions": [q.as_dict() for q in asked],
            "found": window is not None,
        }

    async def ticket_conversation(self, ticket: TicketRecord) -> Dict[str, Any]:
        """The conversation that led to a callback ticket (transcript.ticket_window), its phone and
        ID numbers masked; ``found`` is False when the conversation does not show the ticket."""
        tracker = await self.rasa.tracker(ticket.sender_id, all_events=True)
        window = transcript.ticket_window(tracker, ticket.id)
        shown = [transcript.masked(e) for e in transcript.entries(window)] if window else []
        return {"entries": shown, "found": window is not None}

    async def suggestions(self, text: str, agency_id: str) -> List[suggest.Suggestion]:
        if not (text or "").strip():
            return []
        parse = await self.rasa.parse(text)
        return suggest.suggestions(parse, self.kb, agency_id, text=text)

    async def _resume(self, record: HandoffRecord) -> None:
        notice = self.kb.message("handoff_returned", record.agency_id)
        events = [{"event": "resume"}, bot_event(notice, transcript.desk_metadata())]
        if record.taken_at is not None:
            # an agent served the citizen: offer the 好差评 rating (actions/feedback.py stores it)
            events.append(bot_event(self.kb.message("rating_ask", record.agency_id),
                                    {**transcript.desk_metadata(), history.RATING_FOR: record.id},
                                    ratings.buttons()))
        # action_listen after resume: the next message is read as a fresh turn, so the rules
        # (which all start after action_listen) apply again
        await self._send(record, events + [LISTEN])

    async def _send(self, record: HandoffRecord, events: List[Dict[str, Any]]) -> bool:
        return await deliver(self.rasa, self.channels, record.sender_id, record.channel, events)
