"""Checking case data from outside (import files, the case API) — the one place for it.

``parse_cases`` turns raw records (dicts from JSON or CSV, ideally ``Located`` ones) into typed
``CaseInput``s or raises ``CaseDataError`` listing every problem, each with its file, line and a
Chinese and an English message. ``check_case`` holds the rules across fields and events; the
store runs it again on the case as it will be after merging with what the database already has.
Pure Python: no database, no web framework.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.cases.located import line_of, source_of
from bot.cases.numbers import normalize_case_number
from bot.cases.stages import event_sort_key
from bot.cases.verification import normalize_query_code, phone_digits
from bot.cases.vocab import AGENCIES, ANSWER_TYPES, CHANNELS, EVENT_KINDS

# ---- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, in Chinese and English, with where it was found."""

    zh: str
    en: str
    line: Optional[int] = None
    field: Optional[str] = None
    source: Optional[str] = None

    @property
    def where(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"第{self.line}行 (line {self.line})")
        return " ".join(parts)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{where}{self.zh} / {self.en}"

    def as_dict(self) -> Dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "field": self.field,
            "message_zh": self.zh,
            "message_en": self.en,
            "message": str(self),
        }


class CaseDataError(ValueError):
    """The input has problems; nothing of it was stored."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(
            problems, key=lambda p: (p.source or "", p.line if p.line is not None else 0)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


# ---- typed input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    kind: str
    occurred_on: date
    actor: Optional[str] = None
    note: Optional[str] = None
    answer_type: Optional[str] = None
    line: Optional[int] = field(default=None, compare=False)
    source: Optional[str] = field(default=None, compare=False)

    @property
    def key(self) -> Tuple[str, date]:
        """What identifies an event within its case (re-sending it updates, never duplicates)."""
        return self.kind, self.occurred_on


@dataclass(frozen=True)
class CaseInput:
    case_number: str
    agency_id: str
    applicant_name: str
    applicant_phone: Optional[str]  # None: keep what is stored (events added to a stored case)
    channel: str
    submitted_on: date
    subject: str
    received_on: Optional[date] = None
    applicant_email: Optional[str] = None
    events: Tuple[EventInput, ...] = ()
    query_code: Optional[str] = field(default=None, repr=False)  # 12 digits; None: keep stored
    line: Optional[int] = field(default=None, compare=False)
    source: Optional[str] = field(default=None, compare=False)


CASE_FIELDS = (
    "case_number", "agency_id", "applicant_name", "applicant_phone", "applicant_email",
    "channel", "submitted_on", "received_on", "subject", "query_code",
)
REQUIRED_CASE_FIELDS = (
    "case_number", "agency_id", "applicant_name", "applicant_phone", "channel",
    "submitted_on", "subject",
)
EVENT_FIELDS = ("kind", "occurred_on", "actor", "note", "answer_type")
MAX_LENGTH = {
    "applicant_name": 100, "applicant_email": 254, "subject": 200, "actor": 100, "note": 2000,
    "applicant_phone": 32, "query_code": 40,
}
# Any other text field (a date, a code) longer than this is not what it claims to be.
MAX_TEXT = 200
SHOWN = 40  # characters of a bad value repeated in a message
# Fields people may try to send that the store works out itself.
DERIVED = {
    "stage": ("stage 由事件自动推出，不能导入", "stage is derived from the events; do not send it"),
    "answer_type": (
        "答复类型请写在 answered 事件的 answer_type 上",
        "answer_type belongs on the answered event",
    ),
}

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^(1\d{10}|0\d{9,11})$")


def parse_date(text: str) -> Optional[date]:
    """``2026-11-23``, ``2026/11/23``, ``2026.11.23`` or ``2026年11月23日``; else None."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def shown(value: Any) -> str:
    """A bad value as repeated in a message: short, and always encodable (lone surrogates from
    JSON escapes like \\ud800 would break the JSON answer or a log line)."""
    text = str(value)
    text = text if len(text) <= SHOWN else text[:SHOWN] + "…"
    return text.encode("utf-8", errors="replace").decode("utf-8")


class _Fields:
    """Reads the fields of one raw record, collecting problems instead of stopping."""

    def __init__(self, raw: Mapping[str, Any], problems: List[Problem], line, source):
        self.raw, self.problems, self.line, self.source = raw, problems, line, source

    def problem(self, field_name: Optional[str], zh: str, en: str) -> None:
        self.problems.append(Problem(zh, en, self.line, field_name, self.source))

    def text(self, name: str, required: bool = False) -> Optional[str]:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(name, f"缺少必填字段 {name}", f"missing required field {name}")
            return None
        if not isinstance(value, str):
            self.problem(name, f"字段 {name} 应为文本", f"{name} must be text")
            return None
        if _has_surrogate(value) or _CONTROL.search(value):
            # neither can be stored (PostgreSQL refuses NUL, no encoding takes a lone surrogate)
            self.problem(name, f"字段 {name} 含有无效字符（控制字符或不成对的 UTF-16 代理项）",
                         f"{name} holds an invalid character (a control character or a lone "
                         "UTF-16 surrogate)")
            return None
        value = value.strip()
        limit = MAX_LENGTH.get(name, MAX_TEXT)
        if limit and len(value) > limit:
            self.problem(
                name,
                f"字段 {name} 太长（最多 {limit} 个字符）",
                f"{name} is too long (at most {limit} characters)",
            )
            return None
        return value

    def choice(self, name: str, codes: Iterable[str], required: bool = True) -> Optional[str]:
        value = self.text(name, required)
        if value is None:
            return None
        codes = list(codes)
        if value not in codes:
            self.problem(
                name,
                f"字段 {name} 的值“{shown(value)}”无效，应为以下之一：{_codes(codes)}",
                f"{name}: invalid value \"{shown(value)}\"; expected one of {_codes(codes)}",
            )
            return None
        return value

    def date(self, name: str, required: bool = True) -> Optional[date]:
        given = self.raw.get(name)
        if isinstance(given, date) and not isinstance(given, datetime):
            return given  # from Python callers of the store; JSON and CSV give text
        value = self.text(name, required)
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(
                name,
                f"字段 {name} 的日期“{shown(value)}”无法识别，请写成 2026-11-23 这样的格式",
                f"{name}: cannot read the date \"{shown(value)}\"; write it like 2026-11-23",
            )
        return parsed

    def unknown(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for name in self.raw:
            if name in allowed:
                continue
            if name in DERIVED:
                self.problem(name, *DERIVED[name])
            else:
                self.problem(
                    shown(name),
                    f"未知字段 {shown(name)}（可用字段：{_codes(sorted(allowed))}）",
                    f"unknown field {shown(name)} (known fields: {_codes(sorted(allowed))})",
                )


def parse_event(raw: Any, problems: List[Problem], line=None, source=None) -> Optional[EventInput]:
    """One event from a raw record, or None (the problems are appended to ``problems``)."""
    line = line_of(raw) if line is None else line
    source = source_of(raw) if source is None else source
    if not isinstance(raw, Mapping):
        problems.append(Problem("事件应为一个对象", "an event must be an object", line, None, source))
        return None
    before = len(problems)
    fields = _Fields(raw, problems, line, source)
    fields.unknown(EVENT_FIELDS)
    kind = fields.choice("kind", EVENT_KINDS)
    occurred_on = fields.date("occurred_on")
    actor = fields.text("actor")
    note = fields.text("note")
    answer_type = fields.choice("answer_type", ANSWER_TYPES, required=False)
    if kind == "answered" and answer_type is None and "answer_type" not in _named(problems[before:]):
        fields.problem(
            "answer_type",
            f"answered 事件必须填写 answer_type（{_codes(ANSWER_TYPES)}）",
            f"an answered event needs answer_type ({_codes(ANSWER_TYPES)})",
        )
    if kind is not None and kind != "answered" and raw.get("answer_type") not in (None, ""):
        fields.problem(
            "answer_type",
            "只有 answered 事件可以填写 answer_type",
            "only an answered event has an answer_type",
        )
    if len(problems) > before:
        return None
    assert kind is not None and occurred_on is not None  # required: a problem was recorded otherwise
    return EventInput(kind, occurred_on, actor, note, answer_type, line, source)


def _named(problems: Iterable[Problem]) -> set:
    return {p.field for p in problems}


def parse_case(raw: Any, problems: List[Problem]) -> Optional[CaseInput]:
    """One case and its ``events`` list from a raw record, or None (problems appended)."""
    line, source = line_of(raw), source_of(raw)
    if not isinstance(raw, Mapping):
        problems.append(Problem("案件应为一个对象", "a case must be an object", line, None, source))
        return None
    before = len(problems)
    fields = _Fields(raw, problems, line, source)
    fields.unknown(CASE_FIELDS + ("events",))

    number_text = fields.text("case_number", required=True)
    case_number = normalize_case_number(number_text) if number_text else None
    if number_text and case_number is None:
        fields.problem(
            "case_number",
            f"案件编号“{shown(number_text)}”格式不正确，应类似 ZBSP-2026-0001",
            f"case_number \"{shown(number_text)}\" is not a case number like ZBSP-2026-0001",
        )
    agency_id = fields.choice("agency_id", AGENCIES)
    name = fields.text("applicant_name", required=True)
    phone = fields.text("applicant_phone", required=True)
    if phone is not None and not _PHONE.match(phone_digits(phone)):
        # the number itself is not repeated: messages may end up in logs
        fields.problem(
            "applicant_phone",
            "applicant_phone 不是有效的电话号码：应为11位手机号或带区号的固定电话",
            "applicant_phone is not a phone number: give an 11-digit mobile or a landline with area code",
        )
    email = fields.text("applicant_email")
    if email is not None and not _EMAIL.match(email):
        fields.problem(
            "applicant_email",
            "applicant_email 不是有效的电子邮件地址",
            "applicant_email is not an e-mail address",
        )
    channel = fields.choice("channel", CHANNELS)
    submitted_on = fields.date("submitted_on")
    received_on = fields.date("received_on", required=False)
    subject = fields.text("subject", required=True)
    code_text = fields.text("query_code")
    query_code = normalize_query_code(code_text) if code_text else None
    if code_text and query_code is None:
        # the code itself is not repeated: messages may end up in logs
        fields.problem(
            "query_code",
            "query_code 不是有效的查询码：应为12位数字（可用空格或“-”分组）",
            "query_code is not a query code: give 12 digits (spaces or hyphens may group them)",
        )

    events: List[EventInput] = []
    raw_events = raw.get("events")
    if raw_events is not None and not isinstance(raw_events, list):
        fields.problem("events", "events 应为事件列表", "events must be a list of events")
    elif raw_events:
        for raw_event in raw_events:
            event = parse_event(raw_event, problems, source=source_of(raw_event) or source)
            if event is not None:
                events.append(event)

    if len(problems) > before:
        return None
    # required fields: a problem was recorded above for any that is missing
    assert case_number is not None and agency_id is not None and name is not None
    assert channel is not None and submitted_on is not None and subject is not None
    return CaseInput(
        case_number=case_number,
        agency_id=agency_id,
        applicant_name=name,
        applicant_phone=phone,
        channel=channel,
        submitted_on=submitted_on,
        subject=subject,
        received_on=received_on,
        applicant_email=email,
        events=tuple(events),
        query_code=query_code,
        line=line,
        source=source,
    )


# ---- rules across fields and events ----------------------------------------------------------


def check_case(case: CaseInput, today: Optional[date] = None) -> List[Problem]:
    """Problems with dates and the order of events of one (possibly merged) case."""
    problems: List[Problem] = []

    def problem(zh: str, en: str, where: Any = case, field_name: Optional[str] = None) -> None:
        problems.append(Problem(zh, en, where.line, field_name, where.source or case.source))

    if today is not None:
        for name in ("submitted_on", "received_on"):
            value = getattr(case, name)
            if value is not None and value > today:
                problem(
                    f"{name} {value} 晚于今天（{today}）",
                    f"{name} {value} is after today ({today})",
                    field_name=name,
                )
    if case.received_on is not None and case.received_on < case.submitted_on:
        problem(
            f"received_on {case.received_on} 早于 submitted_on {case.submitted_on}",
            f"received_on {case.received_on} is before submitted_on {case.submitted_on}",
            field_name="received_on",
        )

    seen: Dict[Tuple[str, date], EventInput] = {}
    for event in case.events:
        if event.key in seen:
            problem(
                f"重复的事件：{event.kind} {event.occurred_on}（同一案件同一天同类事件只能有一条）",
                f"duplicate event {event.kind} on {event.occurred_on} (one per kind and day)",
                event,
                "kind",
            )
        seen[event.key] = event

    received_events = [e for e in case.events if e.kind == "received"]
    for kind in ("received", "answered"):
        same = [e for e in case.events if e.kind == kind]
        for extra in same[1:]:
            problem(
                f"一个案件只能有一条 {kind} 事件（另一条在 {same[0].occurred_on}）",
                f"a case has at most one {kind} event (another is on {same[0].occurred_on})",
                extra,
                "kind",
            )
    received_on = case.received_on
    if received_events:
        first = received_events[0]
        if received_on is not None and first.occurred_on != received_on:
            problem(
                f"received 事件日期 {first.occurred_on} 与 received_on {received_on} 不一致",
                f"the received event ({first.occurred_on}) disagrees with received_on ({received_on})",
                first,
                "occurred_on",
            )
        received_on = received_on or first.occurred_on

    for event in case.events:
        if today is not None and event.occurred_on > today:
            problem(
                f"事件日期 {event.occurred_on} 晚于今天（{today}）",
                f"event date {event.occurred_on} is after today ({today})",
                event,
                "occurred_on",
            )
        if event.occurred_on < case.submitted_on:
            problem(
                f"{event.kind} 事件日期 {event.occurred_on} 早于提交日期 {case.submitted_on}",
                f"{event.kind} on {event.occurred_on} is before submitted_on {case.submitted_on}",
                event,
                "occurred_on",
            )
        elif event.kind != "received":
            if received_on is None:
                problem(
                    f"{event.kind} 事件之前必须先收到申请：请填写 received_on 或加一条 received 事件",
                    f"{event.kind} needs the application received first: give received_on or a received event",
                    event,
                    "kind",
                )
            elif event.occurred_on < received_on:
                problem(
                    f"{event.kind} 事件日期 {event.occurred_on} 早于收到申请之日 {received_on}",
                    f"{event.kind} on {event.occurred_on} is before the receipt date {received_on}",
                    event,
                    "occurred_on",
                )

    # a reply or payment needs the request it answers, on the same day or before
    opened = {"correction_received": "correction_requested",
              "consultation_replied": "consultation_sent",
              "fee_paid": "fee_notice_sent"}
    open_count = {kind: 0 for kind in opened.values()}
    for event in sorted(case.events, key=lambda e: event_sort_key(e.kind, e.occurred_on)):
        if event.kind in open_count:
            open_count[event.kind] += 1
        elif event.kind in opened:
            needed = opened[event.kind]
            if open_count[needed] == 0:
                problem(
                    f"{event.kind} 事件之前没有对应的 {needed} 事件",
                    f"{event.kind} has no earlier {needed} event",
                    event,
                    "kind",
                )
            else:
                open_count[needed] -= 1
    return problems


def merge_events(case: CaseInput, existing: Iterable[EventInput]) -> CaseInput:
    """``case`` with the ``existing`` events it does not re-send (same kind and day) added."""
    sent = {event.key for event in case.events}
    kept = tuple(event for event in existing if event.key not in sent)
    return replace(case, events=case.events + kept)


def parse_cases(records: Sequence[Any], today: Optional[date] = None) -> List[CaseInput]:
    """Typed cases from raw records, or ``CaseDataError`` with every problem found."""
    problems: List[Problem] = []
    cases: List[CaseInput] = []
    first_seen: Dict[str, CaseInput] = {}
    for raw in records:
        case = parse_case(raw, problems)
        if case is None:
            continue
        if case.case_number in first_seen:
            earlier = first_seen[case.case_number]
            problems.append(
                Problem(
                    f"案件编号 {case.case_number} 重复（第{earlier.line}行已出现）",
                    f"case {case.case_number} appears twice (first on line {earlier.line})",
                    case.line, "case_number", case.source,
                )
            )
            continue
        first_seen[case.case_number] = case
        problems.extend(check_case(case, today))
        cases.append(case)
    if problems:
        raise CaseDataError(problems)
    return cases


def parse_events(records: Sequence[Any]) -> List[EventInput]:
    """Typed events from raw records (the case API's events endpoint), or ``CaseDataError``.

    Rules across events need the case: the store checks them on the merged case."""
    problems: List[Problem] = []
    events = [parse_event(raw, problems) for raw in records]
    if problems:
        raise CaseDataError(problems)
    return [event for event in events if event is not None]
