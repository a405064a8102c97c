"""The assistant's own turns: greeting, out-of-scope, not understood (the second time in a row
hands the conversation to a person: actions/handoff.py). A follow-up of the conversation's topic
that the classifiers took for out-of-scope or not understood is answered in the topic first."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context, feedback, metrics
from actions.common import agency_for, kb
from actions.faq import agreed, answer_faq, answer_in_context, ask_options, faq_ranking, suggestion_buttons
from actions.handoff import asks_for_person, start_handoff
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


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)
        if followed is not None:
            return followed
        agency_id = agency_for(tracker)
        # marked in the bot event's metadata: counted by the desk's analytics
        dispatcher.utter_message(text=kb().message("out_of_scope", agency_id) + "\n"
                                 + kb().message("contact", agency_id), **{history.OUT_OF_SCOPE: True})
        text = tracker.latest_message.get("text")
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
