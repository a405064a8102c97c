"""Issue 12, High 2: rotating REST sender ids reached ~950 guesses a minute at one case's phone
tail. Now failures are counted per case number across all senders: a bounded brute-force run on
loopback through the real Rasa and action servers gets a handful of codes checked, then the case
is locked; the answers never tell a real case from an unknown number."""
from __future__ import annotations

import re

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.integration.test_case_status import demo_code
from tests.support import say, texts

pytestmark = pytest.mark.servers


def _attempts(database_url: str, number: str) -> tuple[int, list]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        checked = connection.execute(text(
            "SELECT count(*) FROM lookup_attempts WHERE case_number = :n"), {"n": number}).scalar()
        locks = connection.execute(text(
            "SELECT scope FROM lookup_locks WHERE subject = :n"), {"n": number}).scalars().all()
    engine.dispose()
    return checked, locks


def _guess(assistant, number: str, code: str) -> str:
    sender = f"rotating-{uuid.uuid4().hex}"  # a new sender id for every guess
    say(assistant.rasa_url, sender, "查询进度")
    say(assistant.rasa_url, sender, number)
    return texts(say(assistant.rasa_url, sender, code))


def test_rotating_30_rest_senders_get_5_codes_checked_then_the_case_is_locked(assistant):
    number = "ZDZF-2026-0215"  # a demo case no other test looks up
    answers = [_guess(assistant, number, f"{i:04d} 0000 {i:04d}") for i in range(30)]
    wrong = [a for a in answers if "没有查到" in a]
    locked = [a for a in answers if "暂停到" in a]
    # by hand: 5 failures (LIMITS["case"]) are checked; guesses 6-30 are refused unchecked
    assert (len(wrong), len(locked)) == (5, 25)
    assert _attempts(assistant.database_url, number) == (5, ["case"])
    assert "当前进度" not in _guess(assistant, number, demo_code(number))


def test_an_unknown_number_gets_exactly_the_same_answers(assistant):
    # two fresh numbers, one real (ZBSP-2026-0102) and one of no case: same words, same lock
    real = [_guess(assistant, "ZBSP-2026-0102", f"5555 0000 {i:04d}") for i in range(6)]
    unknown = [_guess(assistant, "ZBSP-2026-0909", f"5555 0000 {i:04d}") for i in range(6)]
    # the lock's end time is the clock's; the attempts left are the fewest of every scope counted
    # (sender, connection, client address — shared with the other tests of this session), not
    # something the case's existence changes
    strip = lambda answer: re.sub(r"还可以再试\d+次", "还可以再试N次", answer.split("暂停到")[0])
    assert [strip(a) for a in real] == [strip(a) for a in unknown]
    assert "暂停到" in real[5] and "暂停到" in unknown[5]
