"""「我的申请到哪一步了」: the look-up form (case number, then the query code on the 受理回执) and
the verified answer.

A wrong code and an unknown case number get the same answer, so nobody learns whether a case
exists. A wrong code can be typed again within the limits; failures are counted per case number
across all senders, per sender, and per connection and client address as the channel edge reports
them in the message metadata (``gongkai_origin``; see ``bot.cases.store``).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import context, metrics
from actions.common import agency_for, kb
from actions.faq import ActionAnswerFaq, answer_in_context
from bot.cases import status
from bot.cases.numbers import find_case_number
from bot.cases.store import CaseStore, Origin, VerifyStatus
from bot.cases.verification import find_query_code
from bot.core import bootstrap, clock
from bot.core.threads import in_thread
from bot.handoff import buttons
from bot.nlp.normalize import normalize_text

log = logging.getLogger(__name__)
FORM = "case_lookup_form"
# 「我没有编号」「忘了」「回执丢了」: said instead of a number or code, they end the look-up
_HAS_NONE = re.compile(r"没有|没|忘|不知道|不记得|找不到|找不着|丢|不清楚|不见|无")


def case_store() -> CaseStore:
    """The case store of the process's composition root (bot.core.bootstrap)."""
    return bootstrap.root().cases


def _text(value: Any) -> str:
    return normalize_text(value) if isinstance(value, str) else ""


def _has_none(text: str) -> bool:
    return not re.search(r"\d", text) and bool(_HAS_NONE.search(text))


def _asks_a_question(tracker: Tracker) -> bool:
    """The latest message is a knowledge question (answered once the look-up has ended)."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") == "faq"


def explain_where_to_find(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    dispatcher.utter_message(
        text=kb().message("case_where_to_find", agency_for(tracker)) + "\n"
             + kb().message("contact", agency_for(tracker)),
        buttons=[buttons.human(kb(), agency_for(tracker))])


def _starts_a_look_up(tracker: Tracker) -> bool:
    """The form is being started by the citizen's words (not again after a wrong code)."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return intent == "check_case_status" and tracker.get_slot("requested_slot") is None


class ValidateCaseLookupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_case_lookup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        # 「什么时候到期」「能催一下吗」 right after a look-up read as a new look-up: answered from
        # the case just shown, and the form ends before asking for a number
        if _starts_a_look_up(tracker):
            followed = await answer_in_context(dispatcher, tracker)
            if followed is not None:
                return followed + [SlotSet("requested_slot", None)]
            if context.tells_of_no_answer(tracker.latest_message.get("text") or "", context.followups()):
                # 「我申请了三个多月了根本没人理我」: what applies once the period has passed, then
                # the look-up that tells whether it has
                agency_id = agency_for(tracker)
                dispatcher.utter_message(text="\n".join([
                    kb().message("overdue_remedies", agency_id, hypothetical=True),
                    kb().message("overdue_remedies_source", agency_id),
                    kb().message("case_lookup_overdue", agency_id)]))
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _end(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Optional[Dict[Text, Any]]:
        """Ends the form instead of re-asking when ``text`` is no answer at all: 「我没有编号」 gets
        where to find the number, a knowledge question its answer (action_check_case_status,
        which then finds nothing to check). None: ``text`` was a wrong try, ask again."""
        if _has_none(text):
            explain_where_to_find(dispatcher, tracker)
        elif _asks_a_question(tracker):
            dispatcher.utter_message(text=kb().message("case_lookup_left", agency_for(tracker)))
        else:
            return None
        return {"case_number": None, "verification_code": None, "requested_slot": None}

    def validate_case_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        text = _text(value)
        number = find_case_number(text)
        if number is None:
            ended = self._end(dispatcher, tracker, text)
            if ended:
                return ended
            dispatcher.utter_message(text=kb().message("case_number_unrecognised", agency_for(tracker)))
        return {"case_number": number}

    def validate_verification_code(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _text(value)
        code = find_query_code(text)
        if code is None:
            ended = self._end(dispatcher, tracker, text)
            if ended:
                return ended
            dispatcher.utter_message(text=kb().message("case_code_unrecognised", agency_for(tracker)))
        return {"verification_code": code}


def _beijing(moment: datetime) -> str:
    """When a lock ends, on the citizen's clock: 11月24日09:30."""
    local = moment.astimezone(clock.CHINA)
    return f"{local.month}月{local.day}日{local.hour:02d}:{local.minute:02d}"


class ActionCheckCaseStatus(Action):
    def name(self) -> Text:
        return "action_check_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number: Optional[str] = tracker.get_slot("case_number")
        code: Optional[str] = tracker.get_slot("verification_code")
        clear = [SlotSet("case_number", None), SlotSet("verification_code", None)]
        if not number or not code:
            # the form ended without them (ValidateCaseLookupForm._end): nothing to check
            # 「编号找不到了」 was answered with where to find them (_end), even when the NLU heard
            # a knowledge question in it
            said = _text((tracker.latest_message or {}).get("text"))
            if _asks_a_question(tracker) and not _has_none(said):
                # answered here, not by a follow-up action: after one the policy had no rule and
                # fell back again and again (「我想问问复议要多久」 inside the form)
                return clear + await ActionAnswerFaq().run(dispatcher, tracker, domain)
            return clear
        agency_id = agency_for(tracker)
        origin = Origin.from_metadata(tracker.sender_id, (tracker.latest_message or {}).get("metadata"))
        try:
            result = await in_thread(case_store().verify, number, origin, code)
        except SQLAlchemyError as error:
            log.error("case look-up failed: database unavailable (%s)", error.__class__.__name__)
            metrics.CASE_LOOKUP_ERRORS.inc()
            dispatcher.utter_message(text=kb().message("case_lookup_unavailable", agency_id) + "\n"
                                     + kb().message("contact", agency_id),
                                     buttons=[buttons.human(kb(), agency_id)])
            return clear
        if result.status is VerifyStatus.LOCKED:
            # the same words for a case that exists and one that does not
            dispatcher.utter_message(
                text=kb().message("case_locked", agency_id, until=_beijing(result.locked_until)) + "\n"
                     + kb().message("contact", agency_id),
                buttons=[buttons.human(kb(), agency_id)])
            return clear
        if result.status is VerifyStatus.WRONG:
            if result.attempts_left <= 0:
                dispatcher.utter_message(
                    text=kb().message("case_not_found_locked", agency_id) + "\n"
                         + kb().message("contact", agency_id),
                    buttons=[buttons.human(kb(), agency_id)])
                return clear
            dispatcher.utter_message(
                text=kb().message("case_not_found", agency_id, attempts_left=result.attempts_left))
            # the form again, asking only for the code (the number is kept)
            return [SlotSet("verification_code", None), FollowupAction(FORM)]
        dispatcher.utter_message(text=status.describe(result.case, clock.today(), kb()))
        # the conversation is now about the case's agency: 「他们电话多少」「去哪投诉」 next
        return clear + [SlotSet("agency", result.case.agency_id)]


class ActionResetCaseLookup(Action):
    """Forgets the number and code of a look-up that was given up (「取消」, 「转人工」), so the
    next look-up starts from the number again."""

    def name(self) -> Text:
        return "action_reset_case_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet("case_number", None), SlotSet("verification_code", None)]


class ActionCaseLookupCancelled(Action):
    """「取消」 inside a look-up: says it is cancelled, then answers what else the message asks
    (「算了不查了，申请多久能答复啊」)."""

    def name(self) -> Text:
        return "action_case_lookup_cancelled"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        from actions.conversation import asks_something  # actions.conversation imports actions.faq

        dispatcher.utter_message(response="utter_case_lookup_cancelled")
        if asks_something(tracker.latest_message.get("text") or ""):
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        return []
