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
from typing import Any, Collection, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb, latest_entity
from bot.core import bootstrap, clock, history
from bot.core.threads import in_thread
from bot.feedback import ratings
from bot.feedback.store import FeedbackStore
from bot.handoff import buttons

log = logging.getLogger(__name__)

FEEDBACK_GAP = 3  # the citizen's messages between two feedback prompts, at least
FEEDBACK_INTENTS = ("helpful", "not_helpful")


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


# ---- pure helpers over the tracker's events ------------------------------------------------------

def should_ask(events: List[Mapping[str, Any]], topic: str) -> bool:
    """Whether the FAQ answer being given now may carry the feedback prompt (module docstring)."""
    messages = 0  # the citizen's messages since, this one included
    for event in history.newest_first(events):
        metadata = history.metadata(event)
        if history.kind(event) == history.USER:
            messages += 1
        elif history.kind(event) == history.BOT and metadata.get(history.FEEDBACK_PROMPT):
            if metadata.get(history.FEEDBACK_TOPIC) == topic or messages < FEEDBACK_GAP:
                return False
    return True


def pending_prompt(events: List[Mapping[str, Any]], key: str = history.FEEDBACK_PROMPT,
                   answers: Collection[str] = FEEDBACK_INTENTS) -> Optional[Dict[str, Any]]:
    """The latest prompt of this session not yet answered, with the question it followed:
    {"value": metadata[key], "question": text}; None if there is none. The current message
    (the newest user event) is the answer being handled now, so it does not count."""
    answered = False
    seen_current = False
    found: Optional[Dict[str, Any]] = None
    for event in history.newest_first(events):
        kind = history.kind(event)
        if kind == history.USER:
            if found is not None:
                question = history.typed_text(event)
                if question:
                    found["question"] = question
                    return found
                continue
            if seen_current and history.intent(event) in answers:
                answered = True
            seen_current = True
        elif kind == history.BOT and found is None:
            value = history.metadata(event).get(key)
            if value is not None:
                if answered:
                    return None
                found = {"value": value, "question": None}
    return found


def feedback_buttons(faq_id: str) -> List[Dict[str, str]]:
    entity = json.dumps({"faq_id": faq_id}, separators=(",", ":"))
    return [{"title": "有帮助", "payload": f"/helpful{entity}"},
            {"title": "没帮助", "payload": f"/not_helpful{entity}"}]


def prompt_fields(faq_id: str, agency_id: str, text: str) -> Dict[str, Any]:
    """utter_message arguments for an FAQ answer's last message carrying the prompt."""
    return {"text": f"{text}\n{kb().message('feedback_ask', agency_id)}",
            "buttons": feedback_buttons(faq_id), history.FEEDBACK_PROMPT: faq_id,
            history.FEEDBACK_TOPIC: kb().faqs[faq_id].topic}


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
                                 buttons=[buttons.human(kb(), agency_id)])
    return []


async def record_rating(dispatcher: CollectingDispatcher, tracker: Tracker,
                        value: Any) -> List[Dict[Text, Any]]:
    """The 好差评 rating ``value`` of the hand-off just ended (the desk's prompt names it)."""
    agency_id = agency_for(tracker)
    rating = ratings.parse(value)
    prompt = pending_prompt(tracker.events, history.RATING_FOR, (ratings.INTENT,))
    if rating is None:
        dispatcher.utter_message(text=kb().message("rating_ask", agency_id),
                                 buttons=ratings.buttons())
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
        from actions.faq import answer_in_context  # so does faq

        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "helpful"
        if not helpful:  # 「不对，我问的是枣庄」: unhelpful, and a correction to answer
            followed = await answer_in_context(dispatcher, tracker)
            if followed is not None:
                await record_answer_feedback(dispatcher, tracker, False, None, reply=False)
                return followed
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
