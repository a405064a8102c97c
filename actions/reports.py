"""Annual-report figures by agency, year and category (bot.content.reports)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb
from actions.faq import answer_in_context
from bot.content import reports
from bot.core import clock
from bot.nlp.normalize import normalize_text


class ActionAnnualReport(Action):
    def name(self) -> Text:
        return "action_annual_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)  # 「那23年呢」: the same item
        if followed is not None:
            return followed
        text = normalize_text(tracker.latest_message.get("text") or "")
        # 张店那边 / 区里 / 市里那个局: the directory's short names, even where the NER missed them
        agency_id = kb().find_agency(text) or agency_for(tracker)
        dispatcher.utter_message(text=reports.answer(kb(), text, agency_id, clock.today()))
        return [SlotSet("agency", agency_id)]
