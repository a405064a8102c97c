"""Annual-report figures by agency, year and category (bot.content.reports)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import answer_in_context, answer_report


class ActionAnnualReport(Action):
    def name(self) -> Text:
        return "action_annual_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)  # 「那23年呢」: the same item
        if followed is not None:
            return followed
        return answer_report(dispatcher, tracker)
