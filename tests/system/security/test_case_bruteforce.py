"""Issue 12, High 2: rotating REST sender ids reached ~950 guesses a minute at one case's phone
tail. Now failures are counted per case number across all senders: a bounded brute-force run on
loopback through the real Rasa and action servers gets a handful of codes checked, then the case
is locked; the answers never tell a real case from an unknown number."""
from __future__ import annotations

import uuid
from typing import Optional

import pytest
from sqlalchemy import create_engine, text

from tests.support import post_json, texts
from tests.support.assistant import running_assistant
from tests.system.conversations.test_case_status import demo_code

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    """The assistant behind a trusted proxy (127.0.0.1, the tests' client), on a database of its
    own: each test speaks from client addresses of its own (X-Forwarded-For), so the per-address
    failure counts of the session's other tests do not reach these."""
    with running_assistant(tmp_path_factory.mktemp("bruteforce"),
                           {"GONGKAI_TRUSTED_PROXIES": "127.0.0.1"}) as running:
        yield running


def _attempts(database_url: str, number: str) -> tuple[int, list]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        checked = connection.execute(text(
            "SELECT count(*) FROM lookup_attempts WHERE case_number = :n"), {"n": number}).scalar()
        locks = connection.execute(text(
            "SELECT scope FROM lookup_locks WHERE subject = :n"), {"n": number}).scalars().all()
    engine.dispose()
    return checked, locks


def _guess(assistant, number: str, code: str, address: Optional[str] = None) -> str:
    """One look-up by a new sender id; from ``address`` (X-Forwarded-For through the module's
    trusted proxy, 127.0.0.1) when given, else from 127.0.0.1 itself."""
    sender = f"rotating-{uuid.uuid4().hex}"  # a new sender id for every guess
    headers = {"X-Forwarded-For": address} if address else None
    replies = []
    for message in ("查询进度", number, code):
        status, replies = post_json(f"{assistant.rasa_url}/webhooks/rest/webhook",
                                    {"sender": sender, "message": message}, headers=headers)
        assert status == 200, replies
    return texts(replies)


def test_rotating_30_rest_senders_get_5_codes_checked_then_the_case_is_locked(assistant):
    number = "ZDZF-2026-0215"  # a demo case no other test looks up
    answers = [_guess(assistant, number, f"{i:04d} 0000 {i:04d}", "198.51.100.20") for i in range(30)]
    wrong = [a for a in answers if "没有查到" in a]
    locked = [a for a in answers if "暂停到" in a]
    # by hand: 5 failures (LIMITS["case"]) are checked; guesses 6-30 are refused unchecked
    assert (len(wrong), len(locked)) == (5, 25)
    assert _attempts(assistant.database_url, number) == (5, ["case"])
    assert "当前进度" not in _guess(assistant, number, demo_code(number))


def test_an_unknown_number_gets_exactly_the_same_answers(assistant):
    # two fresh numbers, one real (ZBSP-2026-0102) and one of no case: same words, same lock
    # each from a client address of its own (documentation addresses, RFC 5737: only a header),
    # so that both start from the same counts whatever the session's other tests did
    real = [_guess(assistant, "ZBSP-2026-0102", f"5555 0000 {i:04d}", "198.51.100.21") for i in range(6)]
    unknown = [_guess(assistant, "ZBSP-2026-0909", f"5555 0000 {i:04d}", "198.51.100.22") for i in range(6)]
    def strip(answer: str) -> str:
        return answer.split("暂停到")[0]  # the lock's end time is the clock's

    assert [strip(a) for a in real] == [strip(a) for a in unknown]
    assert "暂停到" in real[5] and "暂停到" in unknown[5]
