"""Answers computed from the citizen's own figures: every statutory date of the history they
describe (in one message or over several turns; bot/rules/timeline.py), and the information-processing
fee for a number of items or pages."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import agency_for, kb
from bot.core import clock, history
from bot.nlp.normalize import normalize_text
from bot.rules import fees, textparse, timeline
from bot.rules.workdays import calendar_warning, default_calendar

log = logging.getLogger(__name__)

# The action server imports this module at start-up: the operator learns here, from 1 November,
# that next year's holiday arrangement still has to be entered.
_CALENDAR_WARNING = calendar_warning(clock.today())
if _CALENDAR_WARNING:
    log.warning(_CALENDAR_WARNING)

# Channels whose client renders Markdown tables: the website widget (rasa-webchat, as "socketio").
# WeChat and REST get numbered lines.
TABLE_CHANNELS = ("socketio",)

# The facts told so far live in this slot between turns, dates as ISO strings.
FACTS_SLOT = "deadline_facts"


def to_slot(facts: Dict[str, Any]) -> Dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return {key: plain(value) for key, value in facts.items() if key != "corrective"}


def from_slot(stored: Any) -> Dict[str, Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, list):
            return [parse(v) for v in value]
        return value
    if not isinstance(stored, dict):
        return {}
    return {str(key): parse(value) for key, value in stored.items()}


_REPLY_KEYS = ("reply_received_on", "reply_on")


def merge_facts(previous: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """The history told so far with this message's facts. A correction (「不对，是13号签收的」) changes
    only what it names. A new submission date starts a new history; so does a reply date when a
    different reply was told already or when it lies before the history so far (「我3月2日收到…」 after a
    November application is another question). A reply date that fits the history joins it
    (the answer to 「机关答复了吗？」); so does anything else (签收、补正、延期 …). Merging the same
    message twice changes nothing (a follow-up may be computed by a slot-mapping action first)."""
    if not previous:
        return dict(new)
    if not new.get("corrective"):
        if "submitted_on" in new:
            return dict(new)
        replies = [new[key] for key in _REPLY_KEYS if isinstance(new.get(key), dt.date)]
        if replies:
            told = [value for value in previous.values() if isinstance(value, dt.date)]
            other_reply = any(key in previous and key in new and previous[key] != new[key] for key in _REPLY_KEYS)
            if other_reply or any(day > min(replies) for day in told):
                return dict(new)
    merged = dict(previous)
    merged.update(new)
    return merged


def due_date_answer(text: str, agency_id: str, previous: Optional[Dict[str, Any]] = None,
                    *, table: bool = False, extension: bool = False,
                    name_agency: bool = False) -> Tuple[str, Dict[str, Any]]:
    """The answer to a described history (this message plus ``previous`` facts) and the facts to
    keep for the next turn; ``table``: the steps as a Markdown table (the website widget) instead
    of numbered lines (WeChat, REST); ``extension``: only the latest day if the agency extends
    the deadline (「要是延期呢」 after a computed date); ``name_agency``: the citizen named the
    agency (「…递交给市审批局的」「我说的是枣庄」), so the answer says whose application it is
    (the dates are the same for every agency: the law and the national holidays fix them)."""
    today = clock.today()
    catalogue = kb()
    if name_agency:
        answer, facts = due_date_answer(text, agency_id, previous, table=table, extension=extension)
        return f"{catalogue.agency(agency_id)['name']}：\n{answer}", facts
    new = textparse.parse_history(text, today, known=previous or {})
    facts = merge_facts(previous or {}, new)
    result = timeline.compute(timeline.timeline_from_facts(facts), today=today)
    extended = timeline.extension_zh(result) if extension else ""
    if extended:
        return catalogue.message("timeline_intro", agency_id).strip() + "\n" + extended, facts
    missing = timeline.missing_fact(result)
    if missing == "submitted_on" or not (result.steps or result.problem):
        return catalogue.message("timeline_ask_submitted_on", agency_id), facts
    if result.problem:
        return result.problem, facts
    lines = [catalogue.message("timeline_intro", agency_id),
             timeline.render_zh(result, table=table, sources=False)]
    if result.deadlines.get("review") is not None:
        lines.append(catalogue.message("timeline_remedy_bodies", agency_id))
    lines.append(timeline.sources_zh(result.steps))  # as under every FAQ answer; a question follows
    if missing == "received_on":
        signed = result.timeline.channel == "registered_mail"
        lines.append(catalogue.message(
            "timeline_ask_received_on_signed" if signed else "timeline_ask_received_on_confirmed", agency_id))
    elif missing == "correction_received_on":
        lines.append(catalogue.message("timeline_ask_correction_received_on", agency_id))
    elif missing == "reply_received_on":
        lines.append(catalogue.message("timeline_ask_reply_received_on", agency_id))
    return "\n".join(line.strip() for line in lines if line.strip()), facts


WEEKDAYS = "一二三四五六日"


def workday_answer(day: dt.date, agency_id: str) -> str:
    """Whether ``day`` is a working day for the reply periods, by the calendar the deadlines use,
    with the notice it comes from (a year not yet published: by weekends, said so)."""
    calendar = default_calendar()
    kind = calendar.day_kind(day)
    source = [kb().cite("条例", "第三十三条")]
    if not kind.estimated:
        source.insert(0, calendar.notice(day.year))
    return "\n".join([
        kb().message("workday_answer", agency_id, day=f"{day.year}年{day.month}月{day.day}日",
                     weekday=f"星期{WEEKDAYS[day.weekday()]}", year=day.year, workday=kind.workday,
                     estimated=kind.estimated, reason="周末" if kind.reason in ("周六", "周日") else kind.reason),
        f"来源：{'；'.join(source)}"])


def timeline_topic(facts: Dict[str, Any]) -> str:
    """The topic a computed answer leaves the conversation in: the remedy it is about when the
    history starts from the reply or the review decision (「交给谁」「能寄过去不」 next ask about
    the review, 「那告谁」 about suing after it), else the due-date calculation."""
    told = {key for key, value in facts.items() if isinstance(value, dt.date)}
    if told and told <= {"review_decision_received_on"}:
        return "litigation_after_review"
    if told and told <= {"reply_on", "reply_received_on"}:
        return "review"
    return "due_date"


def fee_answer(text: str, agency_id: str) -> str:
    quantity = textparse.month_items(text)
    if quantity is None or quantity.unit not in ("件", "页"):
        return kb().message("fee_ask_quantity", agency_id)
    try:
        result = fees.calculate_fee(quantity.count, quantity.unit)
    except ValueError:
        return kb().message("fee_bad_quantity", agency_id)
    method = kb().message("fee_per_item" if result.method == "per_item" else "fee_per_page", agency_id)
    told = textparse.parse_quantity(text)
    total = "本月合计" if told is not None and told.count != quantity.count else ""  # 8件 + 15件
    lines = [f"{total}{quantity.count}{quantity.unit}，{method}：{result.working_zh()}"]
    lines += [f"· {assumption}" for assumption in result.assumptions]
    lines.append("来源：《政府信息公开条例》第四十二条；" + kb().cite("109号"))
    return "\n".join(lines)


class ActionComputeDueDate(Action):
    def name(self) -> Text:
        return "action_compute_due_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        # imported here: actions.faq imports this module's calculations
        from actions.faq import answer_in_context

        # 「说错了，是寄过去的」「超期了怎么办」 in the topic; a changed date or channel is this
        # action's own: it adds to the history told so far
        followed = await answer_in_context(dispatcher, tracker, leave=("due_date",))
        if followed is not None:
            return followed
        return compute_due_date(dispatcher, tracker)


def asks_due_date(text: str) -> bool:
    """A date of the citizen's own and a question when, or whether it was late or is still in
    time (「今儿个交的 最晚啥时候给我答复」「6号才通知我补 这算晚了不」): a due-date calculation,
    whichever FAQ the retrieval was unsure between."""
    text = normalize_text(text or "")
    return textparse.asks_timing(text) and textparse.tells_a_day(text, clock.today())


def compute_due_date(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The due date of the history told so far and in this message, with its steps; the
    conversation's topic is then this calculation, whichever action computed it."""
    said = tracker.latest_message.get("text") or ""
    named = kb().find_agency(normalize_text(said))
    answer, facts = due_date_answer(normalize_text(said), named or agency_for(tracker),
                                    from_slot(tracker.get_slot(FACTS_SLOT)),
                                    table=tracker.get_latest_input_channel() in TABLE_CHANNELS,
                                    name_agency=named is not None)
    # the topic's question as logged (typed), as for every calculation (actions/context.topic_of)
    typed = history.latest_typed(tracker.events) or said
    dispatcher.utter_message(text=answer, **{history.TOPIC: timeline_topic(facts), history.TOPIC_QUESTION: typed})
    return [SlotSet(FACTS_SLOT, to_slot(facts))]


class ActionComputeFee(Action):
    def name(self) -> Text:
        return "action_compute_fee"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = normalize_text(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(text=fee_answer(text, agency_for(tracker)))
        return []
