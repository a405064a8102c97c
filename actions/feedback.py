"""Citizens' feedback and the review queue, from the action server's side.

When to ask 「这条答复对您有帮助吗？」 (never nagging): only under a direct FAQ answer (not under
「您是不是想问」, a calculation or a hand-off), at most once per topic (the data/kb/faq/<topic>.yml
the answer comes from) per conversation session, and never again within ``FEEDBACK_GAP`` of the
citizen's messages after the last time. The buttons carry the FAQ key, so the answer is attributed
even when the citizen typed something in between; typed 「有帮助」「没用」 refer to the latest
prompt. One feedback per prompt: a second click on the same prompt is thanked but not stored.

The 好差评 rating of a hand-off is offered by the desk when an agent ends it
(bot.handoff.operations); its prompt carries the hand-off id in the bot event's metadata.
"""
from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb, latest_entity
from bot.core import bootstrap, clock
from bot.feedback.store import FeedbackStore
from bot.handoff.operations import RATING_BUTTONS, RATING_KEY  # the desk writes the rating prompt
from bot.core.threads import in_thread

log = logging.getLogger(__name__)

FEEDBACK_GAP = 3  # the citizen's messages between two feedback prompts, at least
PROMPT_KEY = "feedback_prompt"  # bot event metadata: the FAQ key the prompt asks about
TOPIC_KEY = "feedback_topic"
FEEDBACK_INTENTS = ("helpful", "not_helpful")
HUMAN_BUTTON = {"title": "转人工", "payload": "/request_human"}
# 政务服务「好差评」: five levels, best first (the order of the buttons)
RATINGS = tuple((int(b["payload"].split('"')[-2]), b["title"]) for b in RATING_BUTTONS)
SESSION_BREAKS = ("session_started", "restart")


def store() -> FeedbackStore:
    """The feedback store of the process's composition root (bot.core.bootstrap)."""
    return bootstrap.root().feedback


async def record(method: str, *args: Any) -> Any:
    """Stores something; a database problem is logged and never spoils the citizen's answer."""
    try:
        return await in_thread(getattr(store(), method), *args)
    except Exception as error:  # noqa: BLE001 - feedback is best effort
        log.error("feedback: %s not stored (%s)", method, error.__class__.__name__)
        return None


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def is_question(text: Optional[str]) -> bool:
    text = (text or "").strip()
    return bool(text) and not text.startswith("/")


# ---- pure helpers over the tracker's events ------------------------------------------------------

def _session(events: List[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """This session's events, newest first."""
    for event in reversed(events):
        if event.get("event") in SESSION_BREAKS:
            return
        yield event


def should_ask(events: List[Mapping[str, Any]], topic: str) -> bool:
    """Whether the FAQ answer being given now may carry the feedback prompt (module docstring)."""
    messages = 0  # the citizen's messages since, this one included
    for event in _session(events):
        if event.get("event") == "user":
            messages += 1
        elif event.get("event") == "bot" and (event.get("metadata") or {}).get(PROMPT_KEY):
            metadata = event["metadata"]
            if metadata.get(TOPIC_KEY) == topic or messages < FEEDBACK_GAP:
                return False
    return True


def pending_prompt(events: List[Mapping[str, Any]], key: str = PROMPT_KEY,
                   answers: Iterable[str] = FEEDBACK_INTENTS) -> Optional[Dict[str, Any]]:
    """The latest prompt of this session not yet answered, with the question it followed:
    {"value": metadata[key], "question": text}; None if there is none. The current message
    (the newest user event) is the answer being handled now, so it does not count."""
    answered = False
    seen_current = False
    found: Optional[Dict[str, Any]] = None
    for event in _session(events):
        kind = event.get("event")
        if kind == "user":
            if found is not None:
                if is_question(event.get("text")):
                    found["question"] = event["text"].strip()
                    return found
                continue
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if seen_current and intent in answers:
                answered = True
            seen_current = True
        elif kind == "bot" and found is None:
            value = (event.get("metadata") or {}).get(key)
            if value is not None:
                if answered:
                    return None
                found = {"value": value, "question": None}
    return found


def feedback_buttons(faq_id: str) -> List[Dict[str, str]]:
    entity = json.dumps({"faq_id": faq_id}, separators=(",", ":"))
    return [{"title": "有帮助", "payload": f"/helpful{entity}"},
            {"title": "没帮助", "payload": f"/not_helpful{entity}"}]


def rating_buttons() -> List[Dict[str, str]]:
    return list(RATING_BUTTONS)


def parse_rating(value: Any) -> Optional[int]:
    """5 … 1 from an entity value or typed text: "5", "５", "非常满意" …"""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().strip("。.！! ")
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    return next((number for number, label in RATINGS if label == text), None)


def prompt_fields(faq_id: str, agency_id: str, text: str) -> Dict[str, Any]:
    """utter_message arguments for an FAQ answer's last message carrying the prompt."""
    return {"text": f"{text}\n{kb().message('feedback_ask', agency_id)}",
            "buttons": feedback_buttons(faq_id), PROMPT_KEY: faq_id,
            TOPIC_KEY: kb().faqs[faq_id].topic}


# ---- the actions -----------------------------------------------------------------------------

async def record_answer_feedback(dispatcher: CollectingDispatcher, tracker: Tracker, helpful: bool,
                                 faq_id: Optional[str], reply: bool = True) -> List[Dict[Text, Any]]:
    """「有帮助」/「没帮助」 (typed, a button, or the option's number) about ``faq_id`` or, when
    none is given, the latest prompt; ``reply``: thank or say sorry."""
    agency_id = agency_for(tracker)
    prompt = pending_prompt(tracker.events)
    if prompt is not None and (faq_id is None or faq_id == prompt["value"]):
        faq_id = prompt["value"]
        await record("add_answer_feedback", tracker.sender_id, channel_of(tracker), agency_id,
                     faq_id, prompt["question"], helpful, clock.now())
        if not helpful:
            await record("add_review_item", "unhelpful", tracker.sender_id, channel_of(tracker),
                         agency_id, prompt["question"], faq_id, None, clock.now())
    if not reply:
        return []
    if helpful:
        dispatcher.utter_message(text=kb().message("feedback_thanks", agency_id))
    else:
        dispatcher.utter_message(text=kb().message("feedback_sorry", agency_id),
                                 buttons=[HUMAN_BUTTON])
    return []


async def record_rating(dispatcher: CollectingDispatcher, tracker: Tracker,
                        value: Any) -> List[Dict[Text, Any]]:
    """The 好差评 rating ``value`` of the hand-off just ended (the desk's prompt names it)."""
    agency_id = agency_for(tracker)
    rating = parse_rating(value)
    prompt = pending_prompt(tracker.events, RATING_KEY, ("rate_service",))
    if rating is None:
        dispatcher.utter_message(text=kb().message("rating_ask", agency_id),
                                 buttons=rating_buttons())
        return []
    if prompt is not None:
        handoff_id = prompt["value"]
        await record("add_rating", tracker.sender_id, channel_of(tracker), agency_id,
                     int(handoff_id) if str(handoff_id).isdigit() else None, rating, clock.now())
    dispatcher.utter_message(text=kb().message("rating_thanks", agency_id))
    return []


class ActionRecordFeedback(Action):
    """「有帮助」/「没帮助」: stored with the question and the FAQ key; 「没帮助」 also puts the
    question in the review queue and offers a person."""

    def name(self) -> Text:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        from actions import handoff  # handoff imports this module

        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "helpful"
        if not helpful and handoff.asks_for_person(tracker.latest_message.get("text")):
            await record_answer_feedback(dispatcher, tracker, False, None, reply=False)
            return await handoff.start_handoff(dispatcher, tracker, "request")
        return await record_answer_feedback(dispatcher, tracker, helpful,
                                            latest_entity(tracker, "faq_id"))


class ActionRecordRating(Action):
    """The 好差评 rating of the hand-off just ended (the desk's prompt names it)."""

    def name(self) -> Text:
        return "action_record_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return await record_rating(dispatcher, tracker, latest_entity(tracker, "rating"))
