"""「我的申请到哪一步了」: the look-up form and the verified answer.

A wrong verification code and an unknown case number get the same answer, so nobody learns
whether a case exists; after 5 failures per sender per hour the look-up is locked (CaseStore).
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import metrics
from actions.common import agency_for, kb
from bot import clock
from bot.cases import status
from bot.cases.numbers import find_case_number
from bot.cases.store import CaseStore, VerifyStatus
from bot.nlp.normalize import normalize_text
from bot.threads import in_thread

log = logging.getLogger(__name__)
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
HUMAN_BUTTON = {"title": "转人工", "payload": "/request_human"}


@lru_cache(maxsize=1)
def case_store() -> CaseStore:
    return CaseStore.from_url()


def _text(value: Any) -> str:
    return normalize_text(value) if isinstance(value, str) else ""


class ValidateCaseLookupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_case_lookup_form"

    def validate_case_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        number = find_case_number(_text(value))
        if number is None:
            dispatcher.utter_message(text="没有认出申请编号，编号一般由字母和数字组成，例如 ZBSP-2026-0001，请再输入一次。")
        return {"case_number": number}

    def validate_verification_code(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        match = _FOUR_DIGITS.search(_text(value))
        if match is None:
            dispatcher.utter_message(text="请输入4位数字，即申请时所留手机号码的最后四位。")
        return {"verification_code": match.group(1) if match else None}


class ActionCheckCaseStatus(Action):
    def name(self) -> Text:
        return "action_check_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number: Optional[str] = tracker.get_slot("case_number")
        code: Optional[str] = tracker.get_slot("verification_code")
        clear = [SlotSet("case_number", None), SlotSet("verification_code", None)]
        agency_id = agency_for(tracker)
        try:
            result = await in_thread(case_store().verify, number or "", tracker.sender_id, code or "")
        except SQLAlchemyError as error:
            log.error("case look-up failed: database unavailable (%s)", error.__class__.__name__)
            metrics.CASE_LOOKUP_ERRORS.inc()
            dispatcher.utter_message(text="抱歉，查询系统暂时不可用，请稍后再试。\n" + kb().message("contact", agency_id),
                                     buttons=[HUMAN_BUTTON])
            return clear
        if result.status is VerifyStatus.LOCKED:
            dispatcher.utter_message(
                text="查询失败次数过多，为保护申请人信息，进度查询已暂停1小时。如需帮助，可以转人工服务。\n"
                     + kb().message("contact", agency_id), buttons=[HUMAN_BUTTON])
        elif result.status is VerifyStatus.WRONG:
            dispatcher.utter_message(
                text="没有查到与这个编号和手机号后四位都相符的申请。请核对受理回执上的编号和申请时留的手机号后，"
                     f"再说“查询进度”重新查询（还可以尝试{result.attempts_left}次）。")
        else:
            dispatcher.utter_message(text=status.describe(result.case, clock.today(), kb()))
        return clear
