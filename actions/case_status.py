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

from actions import metrics
from actions.common import agency_for, kb
from bot.core import bootstrap, clock
from bot.cases import status
from bot.cases.numbers import find_case_number
from bot.cases.store import CaseStore, Origin, VerifyStatus
from bot.cases.verification import find_query_code
from bot.nlp.normalize import normalize_text
from bot.core.threads import in_thread

log = logging.getLogger(__name__)
HUMAN_BUTTON = {"title": "转人工", "payload": "/request_human"}
FORM = "case_lookup_form"
# 「我没有编号」「忘了」「回执丢了」: said instead of a number or code, they end the look-up
_HAS_NONE = re.compile(r"没有|没|忘|不知道|不记得|找不到|丢|不清楚|弄不见|无")


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
        text="申请编号和查询码都印在机关出具的受理回执（或告知书）上。找不到回执的，可以转人工服务，"
             "或者打电话请机关工作人员核实身份后告诉您办理进度。\n"
             + kb().message("contact", agency_for(tracker)),
        buttons=[HUMAN_BUTTON])


class ValidateCaseLookupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_case_lookup_form"

    @staticmethod
    def _end(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Optional[Dict[Text, Any]]:
        """Ends the form instead of re-asking when ``text`` is no answer at all: 「我没有编号」 gets
        where to find the number, a knowledge question its answer (action_check_case_status,
        which then finds nothing to check). None: ``text`` was a wrong try, ask again."""
        if _has_none(text):
            explain_where_to_find(dispatcher, tracker)
        elif _asks_a_question(tracker):
            dispatcher.utter_message(text="好的，先不查进度了，下面回答您的问题。需要查进度时再说“查询进度”。")
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
            dispatcher.utter_message(text="没有认出申请编号，编号一般由字母和数字组成，例如 ZBSP-2026-0001，"
                                          "请再输入一次（不查了可以回复“取消”）。")
        return {"case_number": number}

    def validate_verification_code(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _text(value)
        code = find_query_code(text)
        if code is None:
            ended = self._end(dispatcher, tracker, text)
            if ended:
                return ended
            dispatcher.utter_message(text="没有认出查询码。查询码是受理回执上的12位数字（例如 1234 5678 9012），"
                                          "请再输入一次（不查了可以回复“取消”）。")
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
            return clear + ([FollowupAction("action_answer_faq")] if _asks_a_question(tracker) else [])
        agency_id = agency_for(tracker)
        origin = Origin.from_metadata(tracker.sender_id, (tracker.latest_message or {}).get("metadata"))
        try:
            result = await in_thread(case_store().verify, number, origin, code)
        except SQLAlchemyError as error:
            log.error("case look-up failed: database unavailable (%s)", error.__class__.__name__)
            metrics.CASE_LOOKUP_ERRORS.inc()
            dispatcher.utter_message(text="抱歉，查询系统暂时不可用，请稍后再试。\n" + kb().message("contact", agency_id),
                                     buttons=[HUMAN_BUTTON])
            return clear
        if result.status is VerifyStatus.LOCKED:
            # the same words for a case that exists and one that does not
            dispatcher.utter_message(
                text=f"查询失败次数过多，为保护申请人信息，网上查询已暂停到{_beijing(result.locked_until)}。"
                     "需要帮助可以转人工服务，或者打电话查询。\n" + kb().message("contact", agency_id),
                buttons=[HUMAN_BUTTON])
            return clear
        if result.status is VerifyStatus.WRONG:
            if result.attempts_left <= 0:
                dispatcher.utter_message(
                    text="没有查到与这个编号和查询码都相符的申请。查询失败次数过多，为保护申请人信息，网上查询已暂停。"
                         "需要帮助可以转人工服务，或者打电话查询。\n" + kb().message("contact", agency_id),
                    buttons=[HUMAN_BUTTON])
                return clear
            dispatcher.utter_message(
                text=f"没有查到与这个编号和查询码都相符的申请（还可以再试{result.attempts_left}次）。"
                     "请核对受理回执后重新输入查询码；编号输错了请回复“取消”再重新查询。")
            # the form again, asking only for the code (the number is kept)
            return [SlotSet("verification_code", None), FollowupAction(FORM)]
        dispatcher.utter_message(text=status.describe(result.case, clock.today(), kb()))
        return clear


class ActionResetCaseLookup(Action):
    """Forgets the number and code of a look-up that was given up (「取消」, 「转人工」), so the
    next look-up starts from the number again."""

    def name(self) -> Text:
        return "action_reset_case_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet("case_number", None), SlotSet("verification_code", None)]
