"""The assistant's own turns: greeting, out-of-scope, not understood (the second time in a row
hands the conversation to a person: actions/handoff.py). A follow-up of the conversation's topic
that the classifiers took for out-of-scope or not understood is answered in the topic first."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context, feedback, metrics
from actions.calculators import asks_due_date, compute_due_date
from actions.common import agency_for, kb
from actions.faq import (
    ActionAnswerFaq,
    agreed,
    answer_faq,
    answer_in_context,
    ask_options,
    decide,
    faq_ranking,
    suggestion_buttons,
)
from actions.handoff import asks_for_person, start_handoff
from bot.content.knowledge import fold
from bot.core import clock, history
from bot.handoff import buttons

# Not understood this many times in a row: hand off instead of asking to rephrase again.
FALLBACKS_BEFORE_HANDOFF = 2


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)  # 「能催一下吗」 heard as a greeting
        if followed is not None:
            return followed
        dispatcher.utter_message(text=kb().message("greeting", agency_for(tracker)))
        return []


# A question, not a goodbye or thanks: 「那是不是就不用补了」「谢谢，那复议要钱吗」.
QUESTION_WORDS = re.compile(r"吗|呢|[?？]|咋|怎么|如何|什么|啥|哪|几|多少|多久|能不能|可不可以|"
                            r"是不是|会不会|要不要|行不行|有没有|算不算|"
                            r"(?<=[能会要行可有是收])[^，。,]{0,12}(?:不|没有?)\s*[。.!！]*$")  # 「能发邮件投诉不」
SMALL_TALK_RESPONSES = {"goodbye": "utter_goodbye", "thank": "utter_you_are_welcome",
                        "stop": "utter_anything_else"}
SMALL_TALK_LENGTH = 6  # characters (folded): longer messages with a question word are questions


def asks_something(text: str) -> bool:
    folded = fold(text)
    return len(folded) > SMALL_TALK_LENGTH and bool(QUESTION_WORDS.search(text))


class ActionSmallTalk(Action):
    """goodbye, thank and stop (outside a look-up): the citizen's words are a follow-up or a
    question more often than the classifier thinks (「都过了一个礼拜了也没通知 那是不是就不用补了」
    heard as "stop"); only what is really a goodbye or thanks gets the polite reply."""

    def name(self) -> Text:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)
        if followed is not None:
            return followed
        text = tracker.latest_message.get("text") or ""
        if asks_something(text):
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=SMALL_TALK_RESPONSES.get(intent or "", "utter_anything_else"))
        return []


# words only a question about government information disclosure uses
DISCLOSURE_WORDS = re.compile(r"信息公开|政府信息|公开申请|依申请公开|主动公开")


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)
        if followed is not None:
            return followed
        agency_id = agency_for(tracker)
        text = tracker.latest_message.get("text") or ""
        if DISCLOSURE_WORDS.search(text):
            # 「以信息公开申请的形式反映物业乱收费…对方说不作为申请处理，对吗」: near misses in topic
            # (信访, 物业) read as out of scope, but the question is about a disclosure application
            kind, faq_id = decide(faq_ranking(tracker), text, first_question=True)
            if kind == "answer":
                return await answer_faq(dispatcher, tracker, faq_id, agency_id, text)
        # marked in the bot event's metadata: counted by the desk's analytics
        dispatcher.utter_message(text=kb().message("out_of_scope", agency_id) + "\n"
                                 + kb().message("contact", agency_id), **{history.OUT_OF_SCOPE: True})
        if history.is_typed(text):  # the desk's review queue: was it really out of scope?
            await feedback.record("add_review_item", "out_of_scope", tracker.sender_id,
                                  feedback.channel_of(tracker), agency_id, text, None, None,
                                  clock.now())
        return []


def fallbacks_in_a_row(tracker: Tracker) -> int:
    """How many of the citizen's latest messages, counting back from this one (being handled as
    not understood right now), were not understood: each earlier one counts if this action
    replied to it without an answer (a follow-up it answered in the topic does not count),
    whether the NLU or the dialogue policy fell back. Empty messages do not count;
    a hand-back or a new session starts afresh."""
    count = 0
    answered_by_fallback = True  # the current message: this very action is answering it
    answered = False  # a reply of the action looked at answered (a follow-up in its topic)
    for event in history.newest_first(tracker.events, history.HANDOFF_BREAKS):
        kind = history.kind(event)
        metadata = history.metadata(event)
        if metadata.get(history.TOPIC) or metadata.get(history.FAQ_ID):
            answered = True
        if kind == history.ACTION and event.get("name") == history.FALLBACK_ACTION:
            answered_by_fallback = not answered
        elif kind == history.USER:
            answered = False
            if not answered_by_fallback:
                break
            if history.text(event):
                count += 1
            answered_by_fallback = False
    return count


class ActionHandleFallback(Action):
    """Not understood: ask to rephrase; if the message resembles known questions, offer the
    closest ones; always offer a person. The second time in a row, hand off."""

    def name(self) -> Text:
        return history.FALLBACK_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            metrics.FALLBACKS.labels("not_understood").inc()
            dispatcher.utter_message(text=kb().message("empty_message", agency_id))
            return []
        if asks_for_person(text):
            return await start_handoff(dispatcher, tracker, "request")
        followed = await answer_in_context(dispatcher, tracker)
        if followed is not None:
            return followed
        ranking = [c for c in faq_ranking(tracker) if c["confidence"] >= 0.1]
        agreed_faq = agreed(ranking, text)
        if agreed_faq:  # the intent was unclear, but the retrieval and the wording agree
            return await answer_faq(dispatcher, tracker, agreed_faq, agency_id, text)
        if asks_due_date(text):  # a date of their own and a question when: compute it
            return compute_due_date(dispatcher, tracker)
        metrics.FALLBACKS.labels("not_understood").inc()
        if history.is_typed(text):  # for the desk's review queue
            best = ranking[0] if ranking else {}
            await feedback.record("add_review_item", "fallback", tracker.sender_id,
                                  feedback.channel_of(tracker), agency_id, text,
                                  best.get("faq_id"), best.get("confidence"), clock.now())
        if fallbacks_in_a_row(tracker) >= FALLBACKS_BEFORE_HANDOFF:
            return await start_handoff(dispatcher, tracker, "fallback")
        if ranking:
            dispatcher.utter_message(text=kb().message("rephrase", agency_id) + "\n"
                                     + kb().message("did_you_mean", agency_id),
                                     buttons=suggestion_buttons(ask_options(ranking, text), agency_id))
        else:
            dispatcher.utter_message(text=kb().message("rephrase", agency_id),
                                     buttons=context.numbered([buttons.human(kb(), agency_id,
                                                                             after_options=True)]))
        return []
