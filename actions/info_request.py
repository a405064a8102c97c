"""「我想要X，怎么申请 / 找谁要」: whether X can be asked for, who holds it, how to apply
(bot.content.info_requests over data/kb/info_subjects.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb
from actions.faq import answer_faq, answer_in_context, faq_ranking, is_unsure
from bot.content import info_requests
from bot.core import history
from bot.nlp.normalize import normalize_text

# A message read as an information request that names no subject, while the FAQ retrieval is at
# least this sure of one FAQ (and surer than the intent), is that FAQ's question:
# 「想让审批局帮我统计下去年批了多少家饭店」 asks whether the agency compiles figures (no_processing).
FAQ_OVER_REQUEST = 0.8


def faq_instead(tracker: Tracker) -> Optional[str]:
    """The FAQ that answers the message better than the general request answer, or None."""
    text = normalize_text(tracker.latest_message.get("text") or "")
    if info_requests.find_subject(kb(), text) is not None:
        return None
    ranking = faq_ranking(tracker)
    intent = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    if not ranking or is_unsure(ranking):
        return None
    top = ranking[0]
    return top["faq_id"] if top["confidence"] >= max(FAQ_OVER_REQUEST, intent) else None


class ActionInfoRequest(Action):
    def name(self) -> Text:
        return "action_info_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = await answer_in_context(dispatcher, tracker)  # 「我想催办，找谁」 after a look-up
        if followed is not None:
            return followed
        agency_id = agency_for(tracker)
        text = normalize_text(tracker.latest_message.get("text") or "")
        instead = faq_instead(tracker)
        if instead is not None:
            return await answer_faq(dispatcher, tracker, instead, agency_id, text)
        # 「那找谁要」 after 「我想要拆迁补偿方案」: the subject of the conversation carries over
        subject = (info_requests.find_subject(kb(), text)
                   or info_requests.subject_by_id(kb(), tracker.get_slot("info_subject")))
        answer = info_requests.answer(kb(), text, agency_id, subject)
        # subject/agency/sources in the BotUttered metadata, as FAQ answers carry them (the desk)
        dispatcher.utter_message(text=answer.full_text, **{
            history.INFO_SUBJECT: answer.subject_id, history.AGENCY: agency_id,
            history.SOURCES: list(answer.sources)})
        # the conversation goes on about the agency the citizen is sent to: 「他们电话多少」
        target = info_requests.holder(kb(), subject, agency_id) or agency_id
        return [SlotSet("agency", target), SlotSet("info_subject", answer.subject_id)]
