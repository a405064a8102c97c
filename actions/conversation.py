"""The assistant's own turns: greeting, out-of-scope, not understood, asking for a person."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb
from actions.faq import HUMAN_BUTTON, faq_ranking, suggestion_buttons


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=kb().message("greeting", agency_for(tracker)))
        return []


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        dispatcher.utter_message(text=kb().message("out_of_scope", agency_id) + "\n"
                                 + kb().message("contact", agency_id))
        return []


class ActionHandleFallback(Action):
    """Not understood: ask to rephrase; if the message resembles known questions, offer the
    closest ones; always offer a person."""

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(text=kb().message("empty_message", agency_id))
            return []
        ranking = [c for c in faq_ranking(tracker) if c["confidence"] >= 0.1]
        if ranking:
            dispatcher.utter_message(text=kb().message("rephrase", agency_id) + "\n"
                                     + kb().message("did_you_mean", agency_id),
                                     buttons=suggestion_buttons(ranking))
        else:
            dispatcher.utter_message(text=kb().message("rephrase", agency_id),
                                     buttons=[HUMAN_BUTTON])
        return []


class ActionContactHuman(Action):
    def name(self) -> Text:
        return "action_contact_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=kb().message("contact", agency_for(tracker)))
        return []
