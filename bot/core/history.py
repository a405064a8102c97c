"""A conversation's history, read in one place: the events of Rasa's tracker, and the names of the
metadata our bot messages carry.

Both processes read the same list of event dictionaries: the action server as rasa_sdk's
``Tracker.events``, the web process (the desk's transcript, the analytics) from Rasa's HTTP API
(``GET /conversations/<id>/tracker``) or its SQL tracker store. Every function here takes that
list, so importing this module needs neither Rasa nor rasa_sdk (which would bring Sanic's server
into every importer). rasa_sdk's own readers (``get_last_event_for``, ``applied_events``) do not
stop where our questions stop: at a new session, a restart or a hand-back.

Metadata: whatever an action passes to ``dispatcher.utter_message`` besides text and buttons, and
what the desk writes on its bot events, lands in the ``BotUttered`` event's ``metadata``; the
names below are the only spelling of those keys. Writers build the dictionaries with them
(``**{history.UNSURE: True}``); readers look them up with them.
"""
from __future__ import annotations

from itertools import takewhile
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence

Event = Mapping[str, Any]

# ---- event types (rasa_sdk.events; the ``type_name`` of Rasa's SQL tracker store) ----------------
USER, BOT, ACTION = "user", "bot", "action"
PAUSE, RESUME = "pause", "resume"  # ConversationPaused (a hand-off), ConversationResumed (hand-back)
SESSION_STARTED, RESTART = "session_started", "restart"
# Nothing before these belongs to the session being read.
SESSION_BREAKS = (SESSION_STARTED, RESTART)
# … and after a hand-back the bot starts afresh (what the citizen said before went to a person).
HANDOFF_BREAKS = (RESUME, *SESSION_BREAKS)

# The assistant's not-understood reply: counted back by the hand-off and by the analytics.
FALLBACK_ACTION = "action_handle_fallback"

# ---- the metadata of our bot messages ------------------------------------------------------------
# An answer from the knowledge base (actions/faq.py, actions/info_request.py): the desk shows them.
FAQ_ID = "faq_id"  # the FAQ answered; also counted by the analytics' top questions
AGENCY = "agency"  # the agency the answer was rendered for
SOURCES = "sources"  # the answer's sources, as cited
EXCERPT = "excerpt"  # True: only some sentences of the FAQ's answer (a follow-up)
INFO_SUBJECT = "info_subject"  # 「我想要X」: the subject of the information asked for
REPEAT_OF = "repeat_of"  # instead of the same answer twice in a row: the FAQ answered before
# The topic the message leaves the conversation in (actions/context.py) and what was asked.
TOPIC = "topic"
TOPIC_QUESTION = "topic_question"
# Replies the desk's analytics count.
UNSURE = "unsure"  # 「您是不是想问」
OUT_OF_SCOPE = "out_of_scope"
# Prompts for feedback (actions/feedback.py): the FAQ asked about and its knowledge-base topic; the
# hand-off a 好差评 rating prompt is about (written by the desk, bot/handoff/operations.py).
FEEDBACK_PROMPT = "feedback_prompt"
FEEDBACK_TOPIC = "feedback_topic"
RATING_FOR = "rating_for"
# The callback ticket a 「已记下您的号码」 reply confirms (actions/handoff.py): the desk shows the
# ticket the conversation that led to it (bot/handoff/transcript.py, ticket_window).
CALLBACK_TICKET = "callback_ticket"
# The channel guard's apology written after a turn that hung (bot/serving/guard.py): why ("timeout").
GUARD = "gongkai_guard"
# Messages the desk pushed into the conversation: an agent's reply names the agent, a notice does not.
SOURCE = "source"
DESK_SOURCE = "desk"
AGENT = "agent"
AGENT_NAME = "agent_name"


# ---- one event ----------------------------------------------------------------------------------

def kind(event: Event) -> Optional[str]:
    return event.get("event")


def metadata(event: Event) -> Mapping[str, Any]:
    found = event.get("metadata")
    return found if isinstance(found, Mapping) else {}


def intent(event: Event) -> Optional[str]:
    """What a user event was understood as."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def text(event: Event) -> str:
    return (event.get("text") or "").strip()


def buttons(event: Event) -> List[Mapping[str, Any]]:
    return list((event.get("data") or {}).get("buttons") or [])


def is_typed(said: Optional[str]) -> bool:
    """Typed by the citizen: not empty and not a button's payload (/request_human …)."""
    said = (said or "").strip()
    return bool(said) and not said.startswith("/")


def typed_text(event: Event) -> Optional[str]:
    """What the citizen typed, for a user event that is not empty nor a button's payload."""
    said = text(event)
    return said if kind(event) == USER and is_typed(said) else None


# ---- walking back -------------------------------------------------------------------------------

def newest_first(events: Sequence[Event], breaks: Iterable[str] = SESSION_BREAKS) -> Iterator[Event]:
    """The events newest first, back to (not including) the latest of ``breaks``."""
    breaks = tuple(breaks)
    for event in reversed(events):
        if kind(event) in breaks:
            return
        yield event


def before_current(events: Sequence[Event], breaks: Iterable[str] = SESSION_BREAKS) -> Iterator[Event]:
    """Newest first, the events before the citizen's current message (the newest user event: the
    one being answered now), back to the latest of ``breaks``."""
    walk = newest_first(events, breaks)
    for event in walk:
        if kind(event) == USER:
            break
    yield from walk


def previous_reply(events: Sequence[Event]) -> Iterator[Event]:
    """Newest first, the events of this session between the citizen's previous message and the
    current one: the assistant's reply to the previous message."""
    return takewhile(lambda event: kind(event) != USER, before_current(events))


def previous_typed(events: Sequence[Event]) -> Optional[str]:
    """The citizen's latest typed message before the current one, in the whole conversation."""
    return next(filter(None, map(typed_text, before_current(events, breaks=()))), None)


def latest_typed(events: Sequence[Event]) -> Optional[str]:
    """The citizen's latest typed message, the current one included."""
    return next(filter(None, map(typed_text, newest_first(events, breaks=()))), None)
