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
session, and the policies see the same recent turns (MemoizationPolicy's max_history and our rules
span far fewer than ``window_turns`` turns). What the window drops is older history: an action
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
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_TURNS = 20
# how many of a retrieved tracker's events are already stored (save adds only the rest)
STORED_ATTRIBUTE = "_gongkai_stored_events"

# events whose effect on earlier slots can only be known from the whole history
HISTORY_REWRITES = ("rewind", "undo")
LOOP_EVENTS = ("active_loop", "form")  # ``form``: the legacy name of ``active_loop``


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers hold the session's state and last turns (module docstring)."""

    def __init__(self, *args: Any, window_turns: int = DEFAULT_WINDOW_TURNS, **kwargs: Any) -> None:
        try:
            self.window_turns = int(window_turns)
        except (TypeError, ValueError):
            raise ValueError(f"tracker_store window_turns must be a whole number, not {window_turns!r}")
        if self.window_turns < 1:
            raise ValueError(f"tracker_store window_turns must be at least 1, not {window_turns!r}")
        super().__init__(*args, **kwargs)
        self._create_indexes()

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
                event = self.SQLEvent
                rows = (session.query(event.data)
                        .filter(event.sender_id == sender_id,
                                sa.or_(event.id.in_(prefix), event.id >= first))
                        .order_by(event.id).all())
            events = [json.loads(row.data) for row in rows]
        if not events or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_ATTRIBUTE, len(tracker.events))
        return tracker

    def _window(self, session: Any, sender_id: Text) -> Optional[Tuple[List[int], int]]:
        """(ids of the events carrying the state before the window, id of the window's first
        event), or None when the whole session is to be retrieved. A few indexed look-ups, however
        long the session."""
        event = self.SQLEvent
        of_sender = event.sender_id == sender_id

        def latest(*conditions: Any) -> Any:
            return session.query(sa.func.max(event.id)).filter(of_sender, *conditions)

        start = latest(event.type_name == "session_started").scalar() or 0
        first = (session.query(event.id)
                 .filter(of_sender, event.type_name == "user", event.id >= start)
                 .order_by(event.id.desc()).offset(self.window_turns - 1).limit(1).scalar())
        if first is None:
            return None  # a short session: all of it
        before = (event.id >= start, event.id < first)
        lookups = [latest(event.type_name.in_(HISTORY_REWRITES), *before),
                   latest(event.type_name == "restart", *before),
                   latest(event.type_name == "reset_slots", *before),
                   latest(event.type_name.in_(LOOP_EVENTS), *before),
                   latest(event.type_name.in_(("pause", "resume")), *before),
                   latest(event.type_name == "action", *before)]  # the latest action (listen)
        lookups += [latest(event.type_name == "slot", event.action_name == slot.name, *before)
                    for slot in self.domain.slots]
        rewrite, restart, reset_slots, loop, paused, last, *slots = session.query(
            *(lookup.scalar_subquery() for lookup in lookups)).one()
        if rewrite is not None:
            return None
        restart = restart or 0
        slots_from = max(restart, reset_slots or 0)
        prefix = [start, last] + [slot for slot in slots if slot and slot > slots_from]
        rows = {row.id: row for row in session.query(event.id, event.type_name, event.action_name)
                .filter(event.id.in_([i for i in (loop, paused) if i]))}
        if paused and paused > restart and rows[paused].type_name == "pause":
            prefix.append(paused)  # paused when the window opens
        name = rows[loop].action_name if loop and loop > restart else None
        if name:  # a loop is active (an ActiveLoop without a name ended it)
            prefix.append(loop)
            since = (event.id > loop, event.id < first)
            rejected, ran = session.query(
                latest(event.type_name == "action_execution_rejected", event.action_name == name,
                       *since).scalar_subquery(),
                latest(event.type_name == "action", event.action_name == name,
                       *since).scalar_subquery()).one()
            if rejected and (ran is None or rejected > ran):
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

