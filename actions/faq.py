"""Answers to knowledge-base questions, rendered for the agency in question, and the
「您是不是想问」 suggestions when the retrieval is unsure."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback, metrics
from actions.calculators import due_date_answer, fee_answer
from actions.common import agency_for, kb, latest_entity
from bot import clock, textparse
from bot.nlp.normalize import normalize_text
from bot.settings import settings

RETRIEVAL_INTENT = "faq"
HUMAN_BUTTON = {"title": "都不是，转人工", "payload": "/request_human"}


def faq_ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    """The ResponseSelector's candidates for the latest message, best first:
    [{"faq_id": ..., "confidence": ...}]."""
    selector = (tracker.latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = []
    for candidate in selector.get("ranking") or []:
        key = candidate.get("intent_response_key") or ""
        faq_id = key.split("/", 1)[1] if key.startswith(f"{RETRIEVAL_INTENT}/") else None
        if faq_id in kb().faqs:
            ranking.append({"faq_id": faq_id, "confidence": float(candidate.get("confidence", 0))})
    return ranking


def suggestion_buttons(ranking: List[Dict[str, Any]], limit: int = 3) -> List[Dict[str, str]]:
    buttons = [{"title": kb().faqs[c["faq_id"]].title,
                "payload": f'/choose_faq{{"faq_id":"{c["faq_id"]}"}}'} for c in ranking[:limit]]
    return buttons + [HUMAN_BUTTON]


# FAQ answers that state a rule; when the question also carries the citizen's own figure, the
# computed result for that figure follows the rule.
FEE_FAQS = {"fee_principle", "fee_per_item", "fee_per_page"}
DEADLINE_FAQS = {"reply_deadline", "receipt_date", "extension", "correction_request"}


def worked_example(faq_id: str, text: str, agency_name: str) -> Optional[str]:
    text = normalize_text(text)
    if faq_id in FEE_FAQS and textparse.parse_quantity(text):
        return fee_answer(text)
    if faq_id in DEADLINE_FAQS and textparse.parse_date(text, clock.today()):
        return due_date_answer(text, agency_name)
    return None


def is_unsure(ranking: List[Dict[str, Any]]) -> bool:
    if not ranking:
        return True
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return top < settings.faq_confidence or top - second < settings.faq_margin


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency_id = agency_for(tracker)
        chosen: Optional[str] = latest_entity(tracker, "faq_id")
        if chosen not in kb().faqs:
            ranking = faq_ranking(tracker)
            if is_unsure(ranking):
                metrics.FALLBACKS.labels("did_you_mean").inc()
                # unsure=True in the bot event's metadata: counted by the desk's analytics
                dispatcher.utter_message(text=kb().message("did_you_mean", agency_id),
                                         buttons=suggestion_buttons(ranking), unsure=True)
                text = tracker.latest_message.get("text")
                if feedback.is_question(text):  # for the desk's review queue
                    best = ranking[0] if ranking else {}
                    await feedback.record("add_review_item", "unsure", tracker.sender_id,
                                          feedback.channel_of(tracker), agency_id, text,
                                          best.get("faq_id"), best.get("confidence"), clock.now())
                return [SlotSet("agency", agency_id)]
            chosen = ranking[0]["faq_id"]
        answer = kb().render(chosen, agency_id)
        # faq_id/agency/sources land in the BotUttered event's metadata: the desk shows them
        messages = [{"text": answer.full_text, "faq_id": chosen, "agency": agency_id,
                     "sources": list(answer.sources)}]
        example = worked_example(chosen, tracker.latest_message.get("text") or "",
                                 kb().agency(agency_id)["name"])
        if example:
            messages.append({"text": "按您说的情况计算：\n" + example})
        if feedback.should_ask(tracker.events, kb().faqs[chosen].topic):
            # on the last message, so WeChat shows 「1. 有帮助 2. 没帮助」 under the whole answer
            messages[-1].update(feedback.prompt_fields(chosen, agency_id, messages[-1]["text"]))
        for message in messages:
            dispatcher.utter_message(**message)
        return [SlotSet("agency", agency_id)]
