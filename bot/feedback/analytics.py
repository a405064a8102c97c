"""The numbers of the desk's analytics page, for a range of days (Beijing time):

- conversations (distinct senders) and turns (the citizen's messages) per day and channel, read
  from Rasa's SQL tracker store (its ``events`` table);
- questions: the citizen's typed messages (not buttons, not greetings, thanks or feedback, not
  what they say to an agent during a hand-off or type into a form). Each question gets one
  outcome from what the assistant did with it, the first that applies in this order
  (``OUTCOMES``): handed off (the conversation paused for the desk queue), offered a callback
  (a hand-off outside service hours: the reply offers the 「留言，请工作人员回电」 button), not
  understood (``action_handle_fallback`` without an answer), unsure (「您是不是想问」, marked
  ``unsure`` in the bot event's metadata by actions/faq.py), out of scope (marked
  ``out_of_scope`` by actions/conversation.py), answer rejected (a confident answer followed by
  没帮助, or by the same question again in other words, which actions/faq.py answers with a
  pointer marked ``repeat_of``), else answered. All but the last count as unresolved: the
  unresolved rate is their share of the questions;
- top questions: FAQ answers given, by FAQ key (the ``faq_id`` the answer's bot event carries);
- hand-off rate: hand-offs opened per conversation; median wait for an agent (opened → taken);
  callback tickets left;
- helpfulness rate: 有帮助 / (有帮助 + 没帮助); the 好差评 ratings of hand-offs.

Configuration: ``GONGKAI_TRACKER_URL`` (SQLAlchemy URL of the tracker store); unset, the
``tracker_store`` of endpoints.yml is used (``var/tracker.db`` under ``make run``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import URL, Engine

from bot.channels.edge import clean_text
from bot.core import history
from bot.core.clock import CHINA
from bot.core.db import make_session_factory, session_scope
from bot.core.settings import PROJECT_ROOT
from bot.feedback import ratings
from bot.feedback.models import Feedback
from bot.handoff.buttons import LEAVE_CALLBACK
from bot.handoff.models import CallbackTicket, Handoff

# typed messages that ask nothing of the assistant: not counted as questions
NOT_QUESTIONS = {"greet", "thank", "goodbye", "helpful", "not_helpful", "rate_service", "stop",
                 "leave_callback", "choose_option", "choose_faq"}
REJECTING_INTENT = "not_helpful"
# a question's outcome, the first that applies (see the module's docstring); all but "answered"
# count as unresolved. Each is a Counts field.
OUTCOMES = ("handed_off", "callback_offered", "fallbacks", "unsure", "out_of_scope", "rejected")
MAX_DAYS = 366
TOP = 10
# Timestamps exist from the epoch on; a year-1 or year-9999 date in the query must not overflow.
EARLIEST, LATEST = dt.date(1970, 1, 2), dt.date(9999, 12, 30)
MAX_CHANNEL_CHARS = 32

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent), the columns read here
EVENTS = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def tracker_url(configured: str = "", endpoints: Path = PROJECT_ROOT / "endpoints.yml") -> Optional[str]:
    """Where the tracker store is: `configured` (GONGKAI_TRACKER_URL), else endpoints.yml's SQL
    tracker store."""
    value = configured.strip()
    if value:
        return value
    try:
        store = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
    except (OSError, yaml.YAMLError):
        return None
    from bot.tooling.servers import is_sql_tracker_store

    if not is_sql_tracker_store(store.get("type")):
        return None
    dialect = store.get("dialect") or "sqlite"
    database = store.get("db") or "rasa.db"
    if dialect == "sqlite":
        path = Path(database)
        return f"sqlite:///{path if path.is_absolute() else PROJECT_ROOT / path}"
    return URL.create(dialect, username=store.get("username"), password=store.get("password"),
                      host=store.get("url"), port=store.get("port"),
                      database=database).render_as_string(hide_password=False)


@dataclass
class Counts:
    conversations: int = 0
    turns: int = 0
    questions: int = 0
    fallbacks: int = 0
    unsure: int = 0
    out_of_scope: int = 0
    handed_off: int = 0
    callback_offered: int = 0
    rejected: int = 0
    faq_answers: int = 0
    handoffs: int = 0
    callbacks: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def unresolved(self) -> int:
        return sum(getattr(self, outcome) for outcome in OUTCOMES)


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass
class Report:
    start: dt.date
    end: dt.date  # inclusive
    daily: Dict[Tuple[dt.date, str], Counts] = field(default_factory=dict)
    conversations: int = 0  # distinct senders over the whole range
    handoffs: int = 0
    callbacks: int = 0
    helpful: int = 0
    not_helpful: int = 0
    top_faqs: List[Tuple[str, int]] = field(default_factory=list)
    ratings: Dict[int, int] = field(default_factory=dict)  # 5 … 1 → how many
    waits: List[float] = field(default_factory=list)  # seconds, hand-offs that were taken
    tracker_problem: Optional[str] = None

    @property
    def days(self) -> List[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def channels(self) -> List[str]:
        return sorted({channel for _, channel in self.daily})

    def series(self, name: str) -> Dict[str, List[int]]:
        """channel → the daily values of one count, in day order."""
        return {channel: [getattr(self.daily.get((day, channel), Counts()), name) for day in self.days]
                for channel in self.channels}

    def daily_rate(self, parts: Union[str, Tuple[str, ...]], whole: str) -> List[Optional[float]]:
        """Per day, over all channels: the sum of the counters `parts` per counter `whole`."""
        parts = (parts,) if isinstance(parts, str) else parts
        rates = []
        for day in self.days:
            rows = [c for (d, _), c in self.daily.items() if d == day]
            rates.append(_rate(sum(getattr(c, part) for c in rows for part in parts),
                               sum(getattr(c, whole) for c in rows)))
        return rates

    def total(self, name: str) -> int:
        """A tracker-store count over the whole range: the sum of its daily counts per channel."""
        return sum(getattr(c, name) for c in self.daily.values())

    @property
    def turns(self) -> int:
        return self.total("turns")

    @property
    def questions(self) -> int:
        return self.total("questions")

    @property
    def fallbacks(self) -> int:
        return self.total("fallbacks")

    @property
    def unsure(self) -> int:
        return self.total("unsure")

    @property
    def out_of_scope(self) -> int:
        return self.total("out_of_scope")

    @property
    def unresolved(self) -> int:
        return sum(self.total(outcome) for outcome in OUTCOMES)

    @property
    def unresolved_rate(self) -> Optional[float]:
        return _rate(self.unresolved, self.questions)

    def outcome_rate(self, outcome: str) -> Optional[float]:
        return _rate(self.total(outcome), self.questions)

    def unanswered_rates(self) -> List[Optional[float]]:
        """Per day: the unresolved questions (every outcome but answered) per question."""
        return self.daily_rate(OUTCOMES, "questions")

    @property
    def handoff_rate(self) -> Optional[float]:
        return _rate(self.handoffs, self.conversations)

    @property
    def helpful_rate(self) -> Optional[float]:
        return _rate(self.helpful, self.helpful + self.not_helpful)

    @property
    def median_wait(self) -> Optional[float]:
        return statistics.median(self.waits) if self.waits else None

    @property
    def satisfied_rate(self) -> Optional[float]:
        """好评率: 非常满意 + 满意 + 基本满意, as 政务服务「好差评」 counts 好评."""
        total = sum(self.ratings.values())
        return _rate(sum(n for r, n in self.ratings.items() if r >= ratings.SATISFIED_FROM), total)


def _bounds(start: dt.date, end: dt.date) -> Tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Beijing time, as aware datetimes (days outside
    EARLIEST … LATEST are moved to them: nothing was stored there)."""
    start, end = (min(max(day, EARLIEST), LATEST) for day in (start, end))
    begin = dt.datetime.combine(start, dt.time(), CHINA)
    return begin, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CHINA)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def _channel(name: object) -> str:
    """A stored channel name as the report shows it. Before the REST channel stopped taking the
    client's ``input_channel``, any text could be stored there (lone surrogates included)."""
    return clean_text(name)[:MAX_CHANNEL_CHARS].strip() or "unknown"


def _count(report: Report, day: dt.date, channel: str) -> Counts:
    return report.daily.setdefault((day, _channel(channel)), Counts())


@dataclass
class _Question:
    """A typed question and what the assistant's replies to it showed."""
    day: dt.date
    channel: str
    answered: bool = False  # an FAQ answer or a follow-up answered in the conversation's topic
    fallback: bool = False
    unsure: bool = False
    out_of_scope: bool = False
    paused: bool = False
    callback_offered: bool = False
    rejected: bool = False

    @property
    def outcome(self) -> Optional[str]:
        """The first of OUTCOMES that applies, None when answered (or nothing to resolve)."""
        flags = {"handed_off": self.paused, "callback_offered": self.callback_offered,
                 "fallbacks": self.fallback and not self.answered, "unsure": self.unsure,
                 "out_of_scope": self.out_of_scope, "rejected": self.rejected}
        return next((outcome for outcome in OUTCOMES if flags[outcome]), None)


def _object(value: object) -> dict:
    """A JSON object, or {} for anything else: the tracker store holds what any client or older
    version wrote, and one odd row must not take the page down."""
    return value if isinstance(value, dict) else {}


def _event(data: Optional[str]) -> dict:
    """A stored event's JSON (the ``data`` column), {} when it is none or not an object."""
    try:
        return _object(json.loads(data or "{}"))
    except ValueError:
        return {}


def _offers_callback(event: Mapping) -> bool:
    buttons = _object(event.get("data")).get("buttons")
    return isinstance(buttons, list) and any(
        _object(b).get("payload") == LEAVE_CALLBACK for b in buttons)


def _read_tracker(report: Report, engine: Engine, begin: dt.datetime, until: dt.datetime) -> None:
    query = (select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp,
                    EVENTS.c.intent_name, EVENTS.c.action_name, EVENTS.c.data)
             .where(EVENTS.c.timestamp >= begin.timestamp(), EVENTS.c.timestamp < until.timestamp(),
                    EVENTS.c.type_name.in_((history.USER, history.BOT, history.ACTION, history.PAUSE,
                                            history.RESUME, "active_loop")))
             .order_by(EVENTS.c.timestamp, EVENTS.c.id))
    senders_by_day: Dict[Tuple[dt.date, str], set] = defaultdict(set)
    senders = set()
    channel_of: Dict[str, str] = {}
    faqs: Counter = Counter()
    questions: List[_Question] = []
    current: Dict[str, Optional[_Question]] = {}  # sender → the question the replies belong to
    last_answered: Dict[str, _Question] = {}  # sender → its latest answered question
    # senders talking to an agent or filling in a form (a callback's phone number …): what they
    # type then is not a question to the assistant
    paused, in_form = set(), set()
    with engine.connect() as connection:
        for sender, kind, stamp, intent, action, data in connection.execute(query):
            day = dt.datetime.fromtimestamp(stamp, CHINA).date()
            question = current.get(sender)
            if kind == history.PAUSE:
                paused.add(sender)
                if question:
                    question.paused = True
            elif kind == history.RESUME:
                paused.discard(sender)
            elif kind == "active_loop":
                if _event(data).get("name"):
                    in_form.add(sender)
                else:
                    in_form.discard(sender)
            elif kind == history.USER:
                event = _event(data)
                channel = _channel(event.get("input_channel"))
                channel_of[sender] = channel
                counts = _count(report, day, channel)
                counts.turns += 1
                senders_by_day[(day, channel)].add(sender)
                senders.add(sender)
                current[sender] = None
                if intent == REJECTING_INTENT and sender in last_answered:
                    last_answered[sender].rejected = True
                typed = not clean_text(event.get("text")).startswith("/")
                if (typed and intent not in NOT_QUESTIONS and sender not in paused
                        and sender not in in_form):
                    counts.questions += 1
                    asked = current[sender] = _Question(day, channel)
                    questions.append(asked)
            elif kind == history.ACTION and action == history.FALLBACK_ACTION:
                if question:
                    question.fallback = True
            elif kind == history.BOT:
                event = _event(data)
                metadata = _object(event.get("metadata"))
                faq_id = clean_text(metadata.get(history.FAQ_ID))
                if faq_id:
                    faqs[faq_id] += 1
                    _count(report, day, channel_of.get(sender, "unknown")).faq_answers += 1
                if not question:
                    continue
                question.unsure |= bool(metadata.get(history.UNSURE))
                question.out_of_scope |= bool(metadata.get(history.OUT_OF_SCOPE))
                question.callback_offered |= _offers_callback(event)
                if metadata.get(history.REPEAT_OF):  # asked again right after the answer
                    (last_answered.get(sender) or question).rejected = True
                elif faq_id or metadata.get(history.TOPIC):
                    question.answered = True
                    last_answered[sender] = question
    for asked in questions:
        outcome = asked.outcome
        if outcome:
            counts = _count(report, asked.day, asked.channel)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    for key, people in senders_by_day.items():
        report.daily[key].conversations = len(people)
    report.conversations = len(senders)
    report.top_faqs = faqs.most_common(TOP)


def _read_ours(report: Report, engine: Engine, begin: dt.datetime, until: dt.datetime) -> None:
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        for handoff in session.execute(select(Handoff).where(
                Handoff.created_at >= begin, Handoff.created_at < until)).scalars():
            _count(report, _day(handoff.created_at), handoff.channel).handoffs += 1
            report.handoffs += 1
            if handoff.taken_at is not None:
                report.waits.append((handoff.taken_at - handoff.created_at).total_seconds())
        for ticket in session.execute(select(CallbackTicket).where(
                CallbackTicket.created_at >= begin, CallbackTicket.created_at < until)).scalars():
            _count(report, _day(ticket.created_at), ticket.channel).callbacks += 1
            report.callbacks += 1
        for row in session.execute(select(Feedback).where(
                Feedback.created_at >= begin, Feedback.created_at < until)).scalars():
            if row.kind == "answer":
                counts = _count(report, _day(row.created_at), row.channel)
                if row.helpful:
                    counts.helpful += 1
                    report.helpful += 1
                else:
                    counts.not_helpful += 1
                    report.not_helpful += 1
            elif row.rating:
                report.ratings[row.rating] = report.ratings.get(row.rating, 0) + 1


def build(start: dt.date, end: dt.date, ours: Engine, tracker: Optional[Engine]) -> Report:
    """The report for the days start … end (inclusive) from our database (`ours`) and Rasa's
    tracker store (engines of the composition root, bot.core.bootstrap). The tracker-store part
    is left empty, with ``tracker_problem`` set, when there is none or it cannot be read."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError("bad range")
    report = Report(start, end)
    begin, until = _bounds(start, end)
    _read_ours(report, ours, begin, until)
    if tracker is None:
        report.tracker_problem = "未配置对话记录库（GONGKAI_TRACKER_URL）"
        return report
    try:
        _read_tracker(report, tracker, begin, until)
    except Exception as error:  # noqa: BLE001 - no tracker yet, wrong URL …: say so on the page
        report.tracker_problem = f"对话记录库暂时无法读取（{error.__class__.__name__}）"
    return report


CSV_COLUMNS = ("date", "channel", "conversations", "turns", "questions", "fallbacks", "unsure",
               "faq_answers", "handoffs", "helpful", "not_helpful", "out_of_scope", "handed_off",
               "callback_offered", "rejected", "unresolved", "callbacks")


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula (= + - @, or a tab or
    carriage return before one) gets a leading apostrophe (OWASP, "CSV injection")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(report: Report) -> str:
    """Daily figures per channel; a BOM so that Excel opens the UTF-8 file correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for (day, channel), counts in sorted(report.daily.items()):
        writer.writerow([day.isoformat(), csv_cell(channel),
                         *(getattr(counts, c) for c in CSV_COLUMNS[2:])])
    return "\ufeff" + out.getvalue()
