"""The Rasa server's tracker store: Rasa's SQLTrackerStore (SQLite or PostgreSQL, the same ``events``
table, every event stored) whose ``retrieve`` returns only a bounded recent window of the session, so
that the cost of a turn does not grow with the length of the conversation.

Rasa 3.6 loads every event of the current session on every message, replays it, has the policies
compute the states of every past turn and sends all of it to the action server: one sender chatting
on for 600 turns made each turn ~15× dearer (docs/benchmarks.md, "Conversation length"). Here a
tracker holds, in the stored order:

* the state the conversation had before the window, as the stored events that carry it: the
  session's ``session_started``; for each slot its latest ``slot`` event; the active loop's
  ``active_loop`` event (and its rejection, if the loop has not run since); the latest ``pause``
  when the conversation is paused; the ``action`` (normally ``action_listen``) right before the window;
* every event of the session's last ``window_turns`` user messages (a turn is never cut).

Replaying that gives the same slots, loop, pause state and latest message as replaying the whole
session, and the policy sees the same recent turns (our rules span far fewer than ``window_turns``
turns). What the window drops is older history: an action
looking further back than ``window_turns`` turns sees the session begin at the window. A session
with fewer turns, or with a ``rewind``/``undo`` before the window (whose effect on earlier slots
needs the full history), is retrieved whole, as by Rasa.

``save`` stores only the events added since the retrieval, so the ``events`` table stays complete:
the desk's transcript (``GET /conversations/<id>/tracker``, Rasa's ``retrieve_full_tracker``,
unchanged here), the analytics and the hand-off window read every event.

endpoints.yml: ``type: bot.serving.tracker_store.WindowedSQLTrackerStore`` with the settings of
``type: SQL`` plus ``window_turns`` (default 20); bot.tooling.servers.sql_tracker_store writes them.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tooling.servers import WINDOW_TURNS  # the default, where the endpoints files are written

logger = logging.getLogger(__name__)

# how many of a retrieved tracker's events are already stored (save adds only the rest)
STORED_ATTRIBUTE = "_gongkai_stored_events"


def _latest(condition: str) -> str:
    """The id of the session's latest event before the window matching ``condition``."""
    return (f"(SELECT max(id) FROM events WHERE sender_id = :sender AND {condition} "
            f"AND id >= bounds.start AND id < bounds.first)")


def window_lookup(slot_count: int) -> Any:
    """The query of ``_window``: where the session starts, where the window starts, and the ids
    of the events before the window that carry the state (see the unpacking in ``_window``)."""
    # a rewind or undo before the window: the slots depend on the whole history; ``form`` is the
    # legacy name of ``active_loop``
    lookups = [_latest("type_name IN ('rewind', 'undo')"),
               _latest("type_name = 'restart'"),
               _latest("type_name = 'reset_slots'"),
               _latest("type_name IN ('active_loop', 'form')"),
               _latest("type_name IN ('active_loop', 'form') AND action_name IS NULL"),
               _latest("type_name = 'pause'"),
               _latest("type_name = 'resume'"),
               _latest("type_name = 'action'")]  # the latest action: normally action_listen
    lookups += [_latest(f"type_name = 'slot' AND action_name = :slot{i}")
                for i in range(slot_count)]
    return sa.text(
        "WITH bounds AS (SELECT s.start AS start, "
        "(SELECT id FROM events WHERE sender_id = :sender AND type_name = 'user' AND id >= s.start "
        " ORDER BY id DESC LIMIT 1 OFFSET :skip) AS first "
        " FROM (SELECT coalesce(max(id), 0) AS start FROM events"
        "       WHERE sender_id = :sender AND type_name = 'session_started') AS s) "
        f"SELECT bounds.start, bounds.first, {', '.join(lookups)} FROM bounds")


# the active loop's latest rejection before the window, if the loop has not run since
LOOP_REJECTED = sa.text(
    "SELECT r.id FROM events AS l JOIN events AS r ON r.sender_id = l.sender_id "
    " AND r.type_name = 'action_execution_rejected' AND r.action_name = l.action_name "
    " AND r.id > l.id AND r.id < :first "
    "WHERE l.id = :loop AND l.sender_id = :sender AND NOT EXISTS ("
    " SELECT 1 FROM events AS a WHERE a.sender_id = l.sender_id AND a.type_name = 'action' "
    " AND a.action_name = l.action_name AND a.id > r.id AND a.id < :first) "
    "ORDER BY r.id DESC LIMIT 1")

WINDOW_EVENTS = sa.text(
    "SELECT data FROM events WHERE sender_id = :sender AND (id IN :prefix OR id >= :first) "
    "ORDER BY id").bindparams(sa.bindparam("prefix", expanding=True))


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers hold the session's state and last turns (module docstring)."""

    engine: sa.engine.Engine  # set by SQLTrackerStore.__init__ (untyped there)

    def __init__(self, *args: Any, window_turns: int = WINDOW_TURNS, **kwargs: Any) -> None:
        try:
            self.window_turns = int(window_turns)
        except (TypeError, ValueError) as error:
            raise ValueError(f"tracker_store window_turns must be a whole number, not {window_turns!r}") from error
        if self.window_turns < 1:
            raise ValueError(f"tracker_store window_turns must be at least 1, not {window_turns!r}")
        self._lookup: Optional[Tuple[List[str], Any]] = None  # (slot names, window_lookup(…))
        super().__init__(*args, **kwargs)
        self._pool_sqlite_connections()
        self._create_indexes()

    def _pool_sqlite_connections(self) -> None:
        """SQLite: connections kept open in a pool. SQLAlchemy 1.4 opens and closes a file
        database's connection for every session (NullPool), and in WAL mode (rasa_launch's fast
        commits) closing the last connection checkpoints the log: a checkpoint and its fsync on
        every retrieve and save (the sqlite close in bench/profile_turn.py's profile). Rasa uses
        the store from its event loop only; the pool hands a connection to one user at a time."""
        if self.engine.dialect.name != "sqlite":
            return
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                       connect_args={"check_same_thread": False})
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_indexes(self) -> None:
        """The look-ups of ``retrieve`` by sender, event type (and slot name) and order: without
        them each one reads every event of the sender. Plain DDL rather than sa.Index, which would
        join Rasa's own table definition (its create_all would then try to create them too)."""
        for name, columns in (("ix_events_sender_type_id", "sender_id, type_name, id"),
                              ("ix_events_sender_type_name_id",
                               "sender_id, type_name, action_name, id")):
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.text(
                        f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})"))
            except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
                # several Rasa instances starting together: one of them creates it
                logger.warning("index %s not created here: %s", name, error)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session's state and last ``window_turns`` turns (module docstring)."""
        import json

        with self.session_scope() as session:
            window = self._window(session, sender_id)
            if window is None:
                rows = self._event_query(session, sender_id,
                                         fetch_events_from_all_sessions=False).all()
            else:
                prefix, first = window
                rows = session.execute(WINDOW_EVENTS, {"sender": sender_id, "prefix": prefix,
                                                       "first": first}).all()
            events = [json.loads(row.data) for row in rows]
        if not events or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_ATTRIBUTE, len(tracker.events))
        return tracker

    def _window(self, session: Any, sender_id: Text) -> Optional[Tuple[List[int], int]]:
        """(ids of the events carrying the state before the window, id of the window's first
        event), or None when the whole session is to be retrieved. One indexed query (two with an
        active loop), however long the session; plain SQL, prepared once: building it with
        SQLAlchemy's expressions cost more CPU than running it."""
        slots = [slot.name for slot in self.domain.slots]
        if self._lookup is None or self._lookup[0] != slots:
            self._lookup = (slots, window_lookup(len(slots)))
        values = {"sender": sender_id, "skip": self.window_turns - 1,
                  **{f"slot{i}": name for i, name in enumerate(slots)}}
        found = session.execute(self._lookup[1], values).one()
        (start, first, rewrite, restart, reset_slots, loop, loop_ended, pause, resume, last,
         *slot_ids) = found
        if first is None or rewrite is not None:
            return None  # a short session, or one whose rewind needs the whole history
        restart = restart or 0
        slots_from = max(restart, reset_slots or 0)
        prefix = [start, last] + [i for i in slot_ids if i and i > slots_from]
        if pause and pause > restart and pause > (resume or 0):
            prefix.append(pause)  # paused when the window opens
        if loop and loop > restart and loop != loop_ended:  # a loop is active
            prefix.append(loop)
            rejected = session.execute(LOOP_REJECTED, {"sender": sender_id, "loop": loop,
                                                       "first": first}).scalar()
            if rejected:
                prefix.append(rejected)  # rejected, and not run since: part of the loop's state
        return [i for i in prefix if i], first

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events added since ``retrieve`` (Rasa counts the stored events of the session,
        which a windowed tracker does not hold)."""
        stored = getattr(tracker, STORED_ATTRIBUTE, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return iter(list(tracker.events)[stored:])

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if getattr(tracker, STORED_ATTRIBUTE, None) is not None:
            setattr(tracker, STORED_ATTRIBUTE, len(tracker.events))

