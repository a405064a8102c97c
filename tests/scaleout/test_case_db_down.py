"""Case look-up while the case database is down (a real PostgreSQL URL on a closed port): the
citizen is told to try again later and offered a person, and nothing is revealed."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import case_status
from bot.core import bootstrap
from bot.core.bootstrap import Root
from tests.support import free_closed_port


async def test_database_down_during_lookup_says_try_later_and_offers_a_human():
    down = Root(database_url=f"postgresql://postgres@127.0.0.1:{free_closed_port()}/gongkai")
    previous = bootstrap.use(down)  # the action's stores now come from the closed port
    tracker = Tracker("citizen-db-down", {"case_number": "ZBSP-2026-0101", "verification_code": "0001"},
                      {"intent": {"name": "inform"}, "text": "0001", "entities": []},
                      [], False, None, {"name": "case_lookup_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    try:
        events = await case_status.ActionCheckCaseStatus().run(dispatcher, tracker, {})
    finally:
        bootstrap.use(previous)
        down.dispose()
    reply = dispatcher.messages[0]
    assert "稍后再试" in reply["text"]
    assert "0533-2306909" in reply["text"]  # the agency's phone (data/kb/agencies.yml)
    assert {"title": "转人工", "payload": "/request_human"} in reply["buttons"]
    assert "已受理" not in reply["text"]
    assert {"event": "slot", "name": "case_number", "value": None, "timestamp": None} in events
