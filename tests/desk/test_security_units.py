"""Pure pieces of the desk's security: password hashing, CSRF tokens, login throttling."""
import datetime as dt

import pytest

from bot.desk import csrf, passwords, throttle

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def test_passwords_are_stored_as_argon2id_hashes():
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse batterz")
    assert passwords.hash_password("correct horse battery") != stored  # salted


def test_an_unknown_user_never_verifies():
    assert not passwords.verify_password(None, "an unknown agent has no password")
    assert not passwords.verify_password("not a hash", "whatever12345")


@pytest.mark.parametrize("weak", ["short", "aaaaaaaaaaaa", "x" * 300])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(passwords.WeakPassword):
        passwords.hash_password(weak)


def test_csrf_tokens_are_random_and_compared_exactly():
    a, b = csrf.new_token(), csrf.new_token()
    assert a != b and len(a) >= 40
    assert csrf.tokens_match(a, a)
    assert not csrf.tokens_match(a, b)
    assert not csrf.tokens_match(a, a[:-1])
    assert not csrf.tokens_match(a, None) and not csrf.tokens_match(None, None)
    assert not csrf.tokens_match("", "")


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


def test_four_failures_do_not_lock():
    assert throttle.locked_until([minutes(i) for i in range(4)], minutes(5)) is None


def test_the_fifth_failure_locks_for_fifteen_minutes_from_the_first():
    failures = [minutes(i) for i in range(5)]  # 9:00 … 9:04
    assert throttle.locked_until(failures, minutes(5)) == minutes(15)
    assert throttle.locked_until(failures, minutes(14)) == minutes(15)
    assert throttle.locked_until(failures, minutes(15)) is None  # the 9:00 failure has aged out


def test_failures_older_than_the_window_do_not_count():
    failures = [minutes(0), minutes(1), minutes(20), minutes(21), minutes(22), minutes(23)]
    assert throttle.locked_until(failures, minutes(24)) is None
    assert throttle.locked_until(failures + [minutes(24)], minutes(25)) == minutes(35)
