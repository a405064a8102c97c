"""The numbers of the desk's analytics page, for a range of days (Beijing time):

- conversations (distinct senders) and turns (the citizen's messages) per day and channel, read
  from Rasa's SQL tracker store (its ``events`` table);
- fallback rate: the assistant's not-understood replies (``action_handle_fallback``) per typed
  question (a message not starting with "/", i.e. not a button); likewise the unsure rate (the
  「您是不是想问」 replies, marked ``unsure`` in their bot event's metadata by actions/faq.py) and
  the out-of-scope replies (marked ``out_of_scope`` by actions/conversation.py);
- top questions: FAQ answers given, by FAQ key (the ``faq_id`` the answer's bot event carries);
- hand-off rate: hand-offs opened per conversation; median wait for an agent (opened → taken);
- helpfulness rate: 有帮助 / (有帮助 + 没帮助); the 好差评 ratings of hand-offs.

Configuration: ``GONGKAI_TRACKER_URL`` (SQLAlchemy URL of the tracker store); unset, the
``tracker_store`` of endpoints.yml is used (``var/tracker.db`` under ``make run``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import URL, Engine

from bot.channels.edge import clean_text
from bot.core.clock import CHINA
from bot.core.db import make_engine, session_scope, make_session_factory
from bot.feedback.models import Feedback
from bot.handoff.models import Handoff
from bot.core.settings import PROJECT_ROOT

TRACKER_URL_ENV = "GONGKAI_TRACKER_URL"
FALLBACK_ACTION = "action_handle_fallback"
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


def tracker_url(env: Mapping[str, str] = os.environ,
                endpoints: Path = PROJECT_ROOT / "endpoints.yml") -> Optional[str]:
    """Where the tracker store is: GONGKAI_TRACKER_URL, else endpoints.yml's SQL tracker store."""
    value = env.get(TRACKER_URL_ENV, "").strip()
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
    faq_answers: int = 0
    handoffs: int = 0
    helpful: int = 0
    not_helpful: int = 0


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass
class Report:
    start: dt.date
    end: dt.date  # inclusive
    daily: Dict[Tuple[dt.date, str], Counts] = field(default_factory=dict)
    conversations: int = 0  # distinct senders over the whole range
    handoffs: int = 0
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

    # the tracker-store totals: sums of the daily counts per channel
    @property
    def turns(self) -> int:
        return sum(c.turns for c in self.daily.values())

    @property
    def questions(self) -> int:
        return sum(c.questions for c in self.daily.values())

    @property
    def fallbacks(self) -> int:
        return sum(c.fallbacks for c in self.daily.values())

    @property
    def unsure(self) -> int:
        return sum(c.unsure for c in self.daily.values())

    @property
    def out_of_scope(self) -> int:
        return sum(c.out_of_scope for c in self.daily.values())

    @property
    def fallback_rate(self) -> Optional[float]:
        return _rate(self.fallbacks, self.questions)

    @property
    def unsure_rate(self) -> Optional[float]:
        return _rate(self.unsure, self.questions)

    def unanswered_rates(self) -> List[Optional[float]]:
        """Per day: (not understood + 「您是不是想问」) per typed question."""
        return self.daily_rate(("fallbacks", "unsure"), "questions")

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
        return _rate(sum(n for r, n in self.ratings.items() if r >= 3), total)


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


def _read_tracker(report: Report, engine: Engine, begin: dt.datetime, until: dt.datetime) -> None:
    query = (select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp,
                    EVENTS.c.action_name, EVENTS.c.data)
             .where(EVENTS.c.timestamp >= begin.timestamp(), EVENTS.c.timestamp < until.timestamp(),
                    EVENTS.c.type_name.in_(("user", "bot", "action")))
             .order_by(EVENTS.c.timestamp, EVENTS.c.id))
    senders_by_day: Dict[Tuple[dt.date, str], set] = defaultdict(set)
    senders = set()
    channel_of: Dict[str, str] = {}
    faqs: Counter = Counter()
    with engine.connect() as connection:
        for sender, kind, stamp, action, data in connection.execute(query):
            day = dt.datetime.fromtimestamp(stamp, CHINA).date()
            if kind == "user":
                event = json.loads(data or "{}")
                channel = _channel(event.get("input_channel"))
                channel_of[sender] = channel
                counts = _count(report, day, channel)
                counts.turns += 1
                if not (event.get("text") or "").startswith("/"):
                    counts.questions += 1
                senders_by_day[(day, channel)].add(sender)
                senders.add(sender)
            elif kind == "action" and action == FALLBACK_ACTION:
                _count(report, day, channel_of.get(sender, "unknown")).fallbacks += 1
            elif kind == "bot":
                metadata = json.loads(data or "{}").get("metadata") or {}
                faq_id = clean_text(metadata.get("faq_id"))
                if metadata.get("unsure"):
                    _count(report, day, channel_of.get(sender, "unknown")).unsure += 1
                if metadata.get("out_of_scope"):
                    _count(report, day, channel_of.get(sender, "unknown")).out_of_scope += 1
                if faq_id:
                    faqs[faq_id] += 1
                    _count(report, day, channel_of.get(sender, "unknown")).faq_answers += 1
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


def build(start: dt.date, end: dt.date, database_url: Optional[str] = None,
          tracker: Optional[str] = None) -> Report:
    """The report for the days start … end (inclusive). The tracker-store part is left empty,
    with ``tracker_problem`` set, when the tracker store cannot be read."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError("bad range")
    report = Report(start, end)
    begin, until = _bounds(start, end)
    ours = make_engine(database_url)
    try:
        _read_ours(report, ours, begin, until)
    finally:
        ours.dispose()
    url = tracker if tracker is not None else tracker_url()
    if not url:
        report.tracker_problem = "未配置对话记录库（GONGKAI_TRACKER_URL）"
        return report
    engine = make_engine(url)
    try:
        _read_tracker(report, engine, begin, until)
    except Exception as error:  # noqa: BLE001 - no tracker yet, wrong URL …: say so on the page
        report.tracker_problem = f"对话记录库暂时无法读取（{error.__class__.__name__}）"
    finally:
        engine.dispose()
    return report


CSV_COLUMNS = ("date", "channel", "conversations", "turns", "questions", "fallbacks", "unsure",
               "faq_answers", "handoffs", "helpful", "not_helpful", "out_of_scope")


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
