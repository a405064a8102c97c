"""A typed number picks one of the options of the assistant's last message, on every channel
(WeChat's channel maps numbers itself, before Rasa; the widget and REST come here): the
OptionNumberClassifier (bot/nlp/components.py) marks 「3」「第2个」 as ``choose_option``, and this
action does what the option's button would have done."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import context, faq, feedback, handoff
from actions.common import agency_for, kb, resolve_agency
from bot.nlp.options import option_number


class ActionChooseOption(Action):
    def name(self) -> Text:
        return "action_choose_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        number = option_number(tracker.latest_message.get("text"))
        options = context.last_options(tracker.events)
        if not options or number is None:
            dispatcher.utter_message(text=kb().message("no_options", agency_id))
            return []
        if number > len(options):  # a slip of the finger: the same options again
            numbers = "/".join(str(n) for n in range(1, len(options) + 1))
            dispatcher.utter_message(text=kb().message("option_out_of_range", agency_id,
                                                       numbers=numbers), buttons=options)
            return []
        intent, entities = context.parse_payload(options[number - 1].get("payload") or "")
        if intent == "choose_faq" and entities.get("faq_id") in kb().faqs:
            # 「请问您问的是哪个机构？」: the option names the agency
            agency_id = resolve_agency(entities.get("agency")) or agency_id
            return await faq.answer_faq(dispatcher, tracker, entities["faq_id"], agency_id,
                                        faq.previous_question(tracker) or "")
        if intent == "request_human":
            return await handoff.start_handoff(dispatcher, tracker, "request")
        if intent in feedback.FEEDBACK_INTENTS:
            return await feedback.record_answer_feedback(dispatcher, tracker, intent == "helpful",
                                                         entities.get("faq_id"))
        if intent == "rate_service":
            return await feedback.record_rating(dispatcher, tracker, entities.get("rating"))
        if intent == "leave_callback":
            return [FollowupAction("callback_form")]
        dispatcher.utter_message(text=kb().message("no_options", agency_id))
        return []
