"""bot.serving.tracker_store on a real SQLite file with the project's domain: a windowed tracker has
the same state (slots, active loop and its rejection, pause, latest message) as Rasa's whole-session
tracker, holds only the last turns, and saving it keeps the stored events complete.

Expected values come from Rasa's own SQLTrackerStore reading the same database (the reference), and
the events table is compared with the list of events the test wrote, counted by hand."""
import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.utils.common import class_from_module_path

from bot.core.settings import PROJECT_ROOT
from bot.serving.tracker_store import WindowedSQLTrackerStore
from bot.tooling.servers import WINDOWED_TRACKER_STORE, is_sql_tracker_store

WINDOW = 3


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_ROOT / "domain"))


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path, domain):
    """The windowed store and Rasa's own on one database: a SQLite file, or a fresh database on
    the real PostgreSQL at 127.0.0.1:5432 (dropped afterwards)."""
    if request.param == "sqlite":
        settings = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        yield (WindowedSQLTrackerStore(domain=domain, window_turns=WINDOW, **settings),
               SQLTrackerStore(domain=domain, **settings))
        return
    from bot.tooling import cluster, servers

    url, name = cluster._create_database(cluster.POSTGRES_ADMIN_URL)
    settings = servers.sql_tracker_store(url, window_turns=None)
    del settings["type"]
    host = settings.pop("url")
    windowed = WindowedSQLTrackerStore(domain=domain, host=host, window_turns=WINDOW, **settings)
    reference = SQLTrackerStore(domain=domain, host=host, **settings)
    try:
        yield windowed, reference
    finally:
        windowed.engine.dispose()
        reference.engine.dispose()
        cluster._drop_database(name)


def run(coroutine):
    return asyncio.run(coroutine)


def turn(text, intent, *after):
    """One citizen turn: the message, what the bot did, listening again."""
    return [UserUttered(text, {"name": intent, "confidence": 1.0}), *after,
            ActionExecuted("action_listen")]


def session_start():
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def store_events(store, sender, events):
    """Appends `events` to the conversation the way the Rasa server does: retrieve, update, save."""
    async def go():
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
    run(go())


def state(tracker):
    loop = tracker.active_loop
    return (tracker.current_slot_values(), loop and (loop.name, loop.rejected, loop.is_interrupted),
            tracker.is_paused(), tracker.latest_message.text, tracker.latest_action_name)


def conversation():
    """Slots set early and late, a form opened before the window and still active at its edge."""
    events = session_start()
    events += turn("申请公开需要多久", "faq", SlotSet("topic", "time_limit"),
                   ActionExecuted("action_answer_faq"), BotUttered("二十个工作日"))
    events += turn("我要查询案件", "check_case", ActionExecuted("case_lookup_form"),
                   ActiveLoop("case_lookup_form"), SlotSet("requested_slot", "case_number"),
                   BotUttered("请提供案件编号"))
    events += turn("ZBSP-2026-0101", "inform", SlotSet("case_number", "ZBSP-2026-0101"),
                   ActionExecuted("case_lookup_form"), SlotSet("requested_slot", "verification_code"),
                   BotUttered("请提供查询码"))
    for i in range(4):  # questions while the form waits: rejected, answered, listening again
        events += turn(f"问题{i}", "faq", ActionExecutionRejected("case_lookup_form"),
                       ActionExecuted("action_answer_faq"), BotUttered(f"答复{i}"))
    return events


def test_window_has_the_state_of_the_whole_session_and_only_the_last_turns(stores):
    windowed, reference = stores
    events = conversation()
    store_events(windowed, "c1", events)
    full = run(reference.retrieve("c1"))
    window = run(windowed.retrieve("c1"))
    assert state(window) == state(full)
    # worked out from conversation(): the form is active, rejected by the last question, not run
    # since; case_number kept from the turn before the window
    assert state(window)[1] == ("case_lookup_form", True, False)
    assert window.get_slot("case_number") == "ZBSP-2026-0101"
    assert window.get_slot("topic") == "time_limit"
    assert len(full.events) == len(events) - 1  # Rasa's session starts at SessionStarted
    users = [e for e in window.events if isinstance(e, UserUttered)]
    assert [u.text for u in users] == ["问题1", "问题2", "问题3"]  # the last WINDOW turns
    assert len(window.events) < len(full.events)


def test_saving_a_windowed_tracker_stores_every_event_once(stores):
    windowed, reference = stores
    events = conversation()
    store_events(windowed, "c2", events[:20])
    store_events(windowed, "c2", events[20:])  # retrieved windowed, then saved
    more = turn("谢谢", "thank", ActionExecuted("utter_thanks"), BotUttered("不客气"))
    store_events(windowed, "c2", more)
    stored = run(reference.retrieve_full_tracker("c2")).events
    assert [e.as_dict()["event"] for e in stored] == [e.as_dict()["event"] for e in events + more]
    assert stored[-2].text == "不客气"


def test_pause_resets_and_rewinds(stores):
    windowed, reference = stores
    events = session_start() + turn("转人工", "handoff", SlotSet("agency", "gov-office"),
                                    ActionExecuted("action_handoff"), ConversationPaused())
    events += [UserUttered(f"在吗{i}", {"name": "greet", "confidence": 1.0}) for i in range(5)]
    store_events(windowed, "paused", events)
    assert run(windowed.retrieve("paused")).is_paused()
    assert state(run(windowed.retrieve("paused"))) == state(run(reference.retrieve("paused")))

    store_events(windowed, "paused", [ConversationResumed()] + turn("好的", "affirm") * 4)
    assert not run(windowed.retrieve("paused")).is_paused()

    events = session_start() + turn("a", "faq", SlotSet("topic", "fees")) + [AllSlotsReset()]
    events += turn("b", "faq", SlotSet("agency", "x")) * 4
    store_events(windowed, "reset", events)
    assert state(run(windowed.retrieve("reset"))) == state(run(reference.retrieve("reset")))
    assert run(windowed.retrieve("reset")).get_slot("topic") is None

    events = session_start() + turn("a", "faq", SlotSet("topic", "fees")) + [Restarted()]
    events += turn("b", "faq") * 4
    store_events(windowed, "restart", events)
    assert state(run(windowed.retrieve("restart"))) == state(run(reference.retrieve("restart")))

    # a rewind before the window: the whole session, as Rasa retrieves it
    events = session_start() + turn("a", "faq", SlotSet("topic", "fees")) + [UserUtteranceReverted()]
    events += turn("b", "faq") * 4
    store_events(windowed, "rewind", events)
    assert len(run(windowed.retrieve("rewind")).events) == len(events) - 1  # from SessionStarted


def test_a_new_session_starts_the_window_afresh(stores):
    windowed, reference = stores
    events = session_start() + turn("a", "faq", SlotSet("topic", "fees")) * 5
    events += session_start() + [SlotSet("topic", "fees")] + turn("b", "faq")
    store_events(windowed, "sessions", events)
    window = run(windowed.retrieve("sessions"))
    assert state(window) == state(run(reference.retrieve("sessions")))
    assert [e.text for e in window.events if isinstance(e, UserUttered)] == ["b"]


def test_window_turns_is_checked(tmp_path, domain):
    for bad in (0, -1, "many"):
        with pytest.raises(ValueError):
            WindowedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "x.db"),
                                    window_turns=bad)
    assert is_sql_tracker_store("SQL") and is_sql_tracker_store(WINDOWED_TRACKER_STORE)
    assert not is_sql_tracker_store("redis")
    assert class_from_module_path(WINDOWED_TRACKER_STORE) is WindowedSQLTrackerStore
