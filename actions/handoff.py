"""Hand-off to a human agent: the citizen asks for a person, asks for advice on their own dispute,
or was not understood twice in a row. In office hours the conversation joins the desk queue and
the bot falls silent (ConversationPaused) until an agent hands it back; outside them the bot says
when agents are back and offers to take a callback number (callback_form), never pretending that
someone is coming."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import context, feedback, metrics
from actions.common import agency_for, agency_named, kb
from bot.core import bootstrap, clock, history
from bot.core.threads import in_thread
from bot.handoff import buttons, hours, suggest
from bot.handoff.phone import normalize_phone
from bot.handoff.store import HandoffStore
from bot.rules.privacy import mask_phone
from bot.rules.workdays import default_calendar

log = logging.getLogger(__name__)

CANCEL_WORDS = ("取消", "不用了", "不用", "算了", "不需要", "不留了")
SKIP_WORDS = ("跳过", "没有", "无", "不用说明", "不说了", "略")
REASON_PREFIX = {"dispute": "handoff_dispute", "fallback": "handoff_fallback"}
# 「没用，我要找个人说话」: a complaint about the answer that asks for a person is a hand-off, even
# when the classifier hears only the complaint (not_helpful) or nothing it knows (nlu_fallback).
PERSON_WORDS = re.compile(r"人工|真人|活人|找个人|找人|换个人|换人|工作人员|客服")


# the closing courtesy of a written question (「……麻烦工作人员告知，谢谢」) asks for the answer, not a person
POLITE_CLOSING = re.compile(r"(?:麻烦|烦请|请|恳请|希望|望)(?:相关)?工作人员(?:帮忙|给予)?"
                            r"(?:告知|答复|回复|解答|解释|说明|指导|查一下|核实)")


def asks_for_person(text: Optional[str]) -> bool:
    text = (text or "").strip()
    return not text.startswith("/") and bool(PERSON_WORDS.search(POLITE_CLOSING.sub("", text)))


# A short question leaning on the previous answer (「要是不给我呢」「那22年的呢」), not frustration
QUESTION_CUES = re.compile(r"呢|如果|要是|万一|假如|^那")
FRUSTRATION_WORDS = re.compile(r"没用|没有用|垃圾|太差|气死|算了|机器人|听不懂|废话|糊弄|敷衍|不解决")


def asks_about_topic(text: Optional[str]) -> bool:
    text = (text or "").strip()
    return bool(QUESTION_CUES.search(text)) and not FRUSTRATION_WORDS.search(text)


def asks_what_topic_answers(tracker: Tracker, text: str) -> bool:
    """The message asks a follow-up the conversation's topic answers (「信息公开这种的是不是能快点」
    after the review: its simple procedure), however the classifier heard it."""
    topic = context.topic_of(tracker.events)
    return topic is not None and context.kind_of(text, topic.name, context.followups()) is not None


def store() -> HandoffStore:
    """The hand-off store of the process's composition root (bot.core.bootstrap)."""
    return bootstrap.root().handoffs


def first_question(tracker: Tracker, reason: str) -> Optional[str]:
    """What the citizen wants help with, for the agents' queue: the message that triggered the
    hand-off if it is itself a question, else the last message before it that was one (the desk's
    rule, bot.handoff.suggest.is_question: not 「转人工」, 「取消」, 「人呢」, a number). After two
    fallbacks, the two messages not understood, whatever they were."""
    texts = []
    for event in history.newest_first(tracker.events, history.HANDOFF_BREAKS):
        said = history.typed_text(event)
        if said and (suggest.is_question(said, history.intent(event)) if reason != "fallback"
                     else history.intent(event) not in suggest.NOT_A_QUESTION):
            texts.append(said)
            if reason != "fallback" or len(texts) == 2:
                break
    return " / ".join(reversed(texts)) or None


def with_prefix(reason: str, agency_id: str, text: str) -> str:
    name = REASON_PREFIX.get(reason)
    return f"{kb().message(name, agency_id)}\n{text}" if name else text


async def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker,
                        reason: str) -> List[Dict[Text, Any]]:
    """Hand the conversation to the desk (office hours) or offer a callback (outside them)."""
    metrics.HANDOFFS.labels(reason).inc()
    agency_id = agency_for(tracker)
    now = clock.now()
    question = first_question(tracker, reason)
    if reason != "fallback" and question:  # fallbacks are queued by action_handle_fallback
        await feedback.record("add_review_item", "handoff", tracker.sender_id,
                              feedback.channel_of(tracker), agency_id, question, None, None, now)
    shifts = hours.configured_hours()
    duty = hours.duty(now, shifts, default_calendar().is_workday)
    if not duty.on_duty:
        text = kb().message("handoff_off_hours", agency_id, **hours.when_back(duty, shifts, now))
        dispatcher.utter_message(text=with_prefix(reason, agency_id, text), buttons=[buttons.callback(kb(), agency_id)])
        return [SlotSet("agency", agency_id)]
    try:
        record, created = await in_thread(
            store().open, tracker.sender_id, tracker.get_latest_input_channel(), agency_id, reason,
            question, now)
    except SQLAlchemyError as error:
        log.error("hand-off not recorded (%s): telling the citizen to call", error.__class__.__name__)
        dispatcher.utter_message(text=with_prefix(reason, agency_id, kb().message(
            "handoff_unavailable", agency_id) + "\n" + kb().message("contact", agency_id)))
        return [SlotSet("agency", agency_id)]
    log.info("hand-off %d %s (%s)", record.id, "opened" if created else "already open", reason)
    dispatcher.utter_message(text=with_prefix(reason, agency_id,
                                              kb().message("handoff_connecting", agency_id)))
    return [SlotSet("agency", agency_id), ConversationPaused()]


class ActionRequestHandoff(Action):
    """request_human (typed, or the 「都不是，转人工」 button) and ask_dispute_advice."""

    def name(self) -> Text:
        return "action_request_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if not asks_for_person(text) and (agency_named(tracker)[0] or asks_about_topic(text)
                                          or asks_what_topic_answers(tracker, text)):
            # 「那枣庄的呢」 after a contact card, 「要是不给我呢」 after the deadline, 「我要是不补呢」
            # after 补正: the classifier can hear a short question leaning on the topic as asking
            # for a person or for advice on a dispute; the conversation's topic answers it
            from actions.faq import answer_in_context  # actions.faq imports this module
            followed = await answer_in_context(dispatcher, tracker)
            if followed is not None:
                return followed
        reason = "dispute" if intent == "ask_dispute_advice" else "request"
        return await start_handoff(dispatcher, tracker, reason)


class ActionAskCallbackPhone(Action):
    def name(self) -> Text:
        return "action_ask_callback_phone"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=kb().message("callback_ask_phone", agency_for(tracker)))
        return []


class ActionAskCallbackNote(Action):
    def name(self) -> Text:
        return "action_ask_callback_note"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=kb().message("callback_ask_note", agency_for(tracker)))
        return []


def _cancelled(text: str) -> bool:
    text = text.strip().strip("。.！!，, ")
    return text.startswith("/") or text in CANCEL_WORDS


class ValidateCallbackForm(FormValidationAction):
    """The callback number must be a phone number; 「取消」 ends the form with nothing stored (the
    submit action sees no number); the description is optional (「跳过」)."""

    def name(self) -> Text:
        return "validate_callback_form"

    async def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")
        if _cancelled(text):
            return {"callback_phone": None, "requested_slot": None}
        phone = normalize_phone(text)
        if phone is None:
            dispatcher.utter_message(text=kb().message("callback_bad_phone", agency_for(tracker)))
            return {"callback_phone": None}
        return {"callback_phone": phone}

    async def validate_callback_note(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = " ".join(str(value or "").split())
        if _cancelled(text):
            return {"callback_phone": None, "callback_note": None, "requested_slot": None}
        if text.strip("。.！! ") in SKIP_WORDS:
            return {"callback_note": ""}
        return {"callback_note": text[:300]}


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        reset = [SlotSet("callback_phone", None), SlotSet("callback_note", None)]
        phone = tracker.get_slot("callback_phone")
        if not phone:
            dispatcher.utter_message(text=kb().message("callback_cancelled", agency_id))
            return reset
        description = tracker.get_slot("callback_note") or None
        now = clock.now()
        try:
            ticket = await in_thread(store().add_ticket, tracker.sender_id,
                                     tracker.get_latest_input_channel(), agency_id, phone,
                                     description, now)
        except SQLAlchemyError as error:
            log.error("callback ticket not stored (%s)", error.__class__.__name__)
            dispatcher.utter_message(text=kb().message("handoff_unavailable", agency_id) + "\n"
                                     + kb().message("contact", agency_id))
            return reset
        log.info("callback ticket %d stored", ticket.id)
        shifts = hours.configured_hours()
        duty = hours.duty(now, shifts, default_calendar().is_workday)
        dispatcher.utter_message(text=kb().message("callback_saved", agency_id, phone=mask_phone(phone),
                                                   **hours.when_back(duty, shifts, now)),
                                 **{history.CALLBACK_TICKET: ticket.id})  # the desk finds the ticket's talk
        return reset
