"""Case look-up while the case database is down (a real PostgreSQL URL on a closed port): the
citizen is told to try again later and offered a person, and nothing is revealed."""
from __future__ import annotations

from bot.core.bootstrap import Root
from tests.support import free_closed_port
from tests.support.case_databases import look_up


async def test_database_down_during_lookup_says_try_later_and_offers_a_human():
    # the action's stores come from the closed port
    down = Root(database_url=f"postgresql://postgres@127.0.0.1:{free_closed_port()}/gongkai")
    dispatcher, events = await look_up(down, "citizen-db-down", {"case_number": "ZBSP-2026-0101",
                                                                  "verification_code": "0001"}, "0001")
    reply = dispatcher.messages[0]
    assert "稍后再试" in reply["text"]
    assert "0533-2306909" in reply["text"]  # the agency's phone (data/kb/agencies.yml)
    assert {"title": "转人工", "payload": "/request_human"} in reply["buttons"]
    assert "已受理" not in reply["text"]
    assert {"event": "slot", "name": "case_number", "value": None, "timestamp": None} in events
