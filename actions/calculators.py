"""Answers computed from the citizen's own figures: the reply due date for a given submission
date and channel, and the information-processing fee for a number of items or pages."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb
from bot import clock, deadlines, fees, textparse
from bot.cases import vocab
from bot.nlp.normalize import normalize_text
from bot.workdays import CalendarUnknownError, default_calendar

# Words saying the citizen already knows the day the agency signed for / confirmed the application.
RECEIPT_WORDS = ("签收", "确认", "收到")


def due_date_answer(text: str, agency_name: str) -> str:
    """The reply due date for the submission the citizen describes, with assumptions stated."""
    today = clock.today()
    day = textparse.parse_date(text, today)
    channel = textparse.parse_channel(text)
    if day is None:
        return ("请告诉我递交申请的日期和方式，我帮您算答复期限，例如：“2026年2月5日当面递交的申请，最晚哪天答复？”\n"
                "一般规则：自收到申请之日起20个工作日内答复（《政府信息公开条例》第三十三条）。")
    said = deadlines.format_date_zh(day)
    try:
        due = deadlines.format_date_zh(deadlines.reply_due(day))
        extended = deadlines.format_date_zh(
            default_calendar().add_workdays(deadlines.reply_due(day), deadlines.EXTENSION_WORKDAYS))
    except CalendarUnknownError as error:
        return error.message_zh
    rule = ("收到申请的当天不计入，自次日起算20个工作日（法定节假日不算，调休上班日照常计算），"
            f"{agency_name}依法应于{due}前（含当日）答复。")
    if channel not in (None, "in_person") and not any(word in text for word in RECEIPT_WORDS):
        info = deadlines.receipt_info(channel, day)
        lines = [info.explanation,
                 f"仅供参考：假如{said}当天即被签收或确认，这是最早的情形：{rule}",
                 "知道签收或确认的日期后告诉我（例如“3月5日签收”），我再帮您准确计算。"]
    else:
        how = ("您没有说明递交方式，以下按当面递交计算。" if channel is None
               else f"{vocab.CHANNELS[channel]}，")
        lines = [f"{how}{said}为收到申请之日。{rule}"]
    lines.append(f"如需延长答复期限，须经负责人同意并告知您，最长再延20个工作日，即至{extended}。"
                 "征求第三方或其他机关意见的时间不计入；机关要求补正的，从收到补正后的申请之日重新计算。")
    lines.append("来源：《政府信息公开条例》第三十一条、第三十三条")
    return "\n".join(lines)


def fee_answer(text: str) -> str:
    quantity = textparse.parse_quantity(text)
    if quantity is None or quantity.unit not in ("件", "页"):
        return ("请告诉我一个月内申请的件数，或者所要材料的页数，我帮您算，例如：“一个月申请35件要多少钱”“材料120页收多少”。\n"
                "依申请公开原则上不收费，只有数量、频次明显超过合理范围时才可能收取信息处理费（《政府信息公开条例》第四十二条）。")
    try:
        result = fees.calculate_fee(quantity.count, quantity.unit)
    except ValueError:
        return "这个数量不太对，请核对后再告诉我件数或页数。"
    method = "按件计收（同一申请人一个自然月内累计）" if result.method == "per_item" else "按量计收（按页）"
    lines = [f"{quantity.count}{quantity.unit}，{method}：{result.working_zh()}"]
    lines += [f"· {assumption}" for assumption in result.assumptions]
    lines.append("来源：《政府信息公开条例》第四十二条；" + kb().cite("109号"))
    return "\n".join(lines)


class ActionComputeDueDate(Action):
    def name(self) -> Text:
        return "action_compute_due_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        agency = kb().agency(agency_for(tracker))
        text = normalize_text(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(text=due_date_answer(text, agency["name"]))
        return []


class ActionComputeFee(Action):
    def name(self) -> Text:
        return "action_compute_fee"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = normalize_text(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(text=fee_answer(text))
        return []
