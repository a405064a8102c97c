"""Pure pieces of the desk's security: password hashing, CSRF tokens, login throttling."""
import datetime as dt

import pytest

from bot.core.settings import parse_networks
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


def seconds(n):
    return T0 + dt.timedelta(seconds=n)


def test_free_failures_then_delays_doubling_from_the_last_failure():
    rule = throttle.Rule(free=3, cap=dt.timedelta(seconds=60))
    assert rule.retry_at([seconds(0), seconds(1)], seconds(2)) is None
    # three failures use up the free ones: the next attempt waits 1 s after the last failure
    three = [seconds(0), seconds(1), seconds(2)]
    assert rule.retry_at(three, seconds(2)) == seconds(3)  # 2**0 = 1 s after the last
    assert rule.retry_at(three, seconds(3)) is None
    # each further failure doubles the wait: 2, 4, 8 … s after the last one
    assert rule.retry_at(three + [seconds(10)], seconds(10)) == seconds(12)
    assert rule.retry_at(three + [seconds(10), seconds(20)], seconds(20)) == seconds(24)


def test_the_delay_is_capped_never_a_lock():
    rule = throttle.Rule(free=3, cap=dt.timedelta(seconds=60))
    many = [seconds(i) for i in range(40)]  # 40 failures in 40 s
    assert rule.retry_at(many, seconds(39)) == seconds(39 + 60)
    assert rule.retry_at(many, seconds(99)) is None  # the owner gets in after at most a minute


def test_failures_older_than_the_window_do_not_count():
    rule = throttle.Rule(free=3, cap=dt.timedelta(seconds=60))
    old = [T0, seconds(1), seconds(2)]
    later = T0 + throttle.WINDOW + dt.timedelta(seconds=1)
    assert rule.retry_at(old, later) is None


PROXIES = parse_networks("10.0.0.5, 10.1.0.0/16")


@pytest.mark.parametrize("peer, headers, address", [
    # straight from a client: its own address, whatever headers it sends
    ("203.0.113.9", {"x-forwarded-for": "198.51.100.1", "x-real-ip": "198.51.100.2"}, "203.0.113.9"),
    # from the proxy: the address it vouches for
    ("10.0.0.5", {"x-real-ip": "198.51.100.7"}, "198.51.100.7"),
    ("10.0.0.5", {"x-forwarded-for": "198.51.100.7"}, "198.51.100.7"),
    # a client-written entry on the left proves nothing: the right-most untrusted hop counts
    ("10.0.0.5", {"x-forwarded-for": "1.2.3.4, 198.51.100.7"}, "198.51.100.7"),
    ("10.0.0.5", {"x-forwarded-for": "198.51.100.7, 10.1.2.3"}, "198.51.100.7"),  # two proxies
    ("10.0.0.5", {"x-forwarded-for": "<script>"}, "10.0.0.5"),  # garbage: the proxy itself
    ("10.0.0.5", {}, "10.0.0.5"),
])
def test_client_address_trusts_headers_only_from_the_proxy(peer, headers, address):
    assert throttle.client_address(peer, headers, PROXIES) == address


def test_no_proxies_configured_means_headers_are_ignored():
    assert throttle.client_address("127.0.0.1", {"x-real-ip": "1.2.3.4"}, ()) == "127.0.0.1"


def test_a_bad_proxy_setting_is_refused():
    with pytest.raises(ValueError, match="GONGKAI_TRUSTED_PROXIES"):
        parse_networks("10.0.0.5, nginx")
