"""Desk log-in throttling behind the proxy (issue 12, Medium #8): failures were counted per TCP
peer, and behind deploy/nginx.conf every agent's peer is the proxy, so twenty bad log-ins from
anyone locked the whole desk out for 15 minutes. Through the real web app: with the proxy's
address configured (GONGKAI_TRUSTED_PROXIES), the address nginx forwards (X-Forwarded-For, as
deploy/nginx.conf sets it) is the one counted; forwarded headers from anyone else are ignored;
and failures make attempts wait a growing delay, never a lock-out. The web app runs on the real
clock here (the delays have to pass); the waits are generous loops, not timed assertions."""
from __future__ import annotations

import time

import pytest

from tests.support import webapp
from tests.support.webapp import Agent, csrf_from

pytestmark = pytest.mark.servers

ATTACKER = "203.0.113.66"
AGENT_ADDRESS = "198.51.100.7"


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    """The web app as deploy/nginx.conf fronts it: the proxy (here: this test, on 127.0.0.1)
    is trusted and appends the client's address to X-Forwarded-For."""
    app = webapp.start(tmp_path_factory.mktemp("login-proxy"),
                       {"GONGKAI_TRUSTED_PROXIES": "127.0.0.1", "GONGKAI_NOW": ""})
    yield app
    app.process.stop()


@pytest.fixture(scope="module")
def proxy_elsewhere(tmp_path_factory):
    """A web app whose proxy is another host: requests from 127.0.0.1 come straight from clients."""
    app = webapp.start(tmp_path_factory.mktemp("login-direct"),
                       {"GONGKAI_TRUSTED_PROXIES": "10.255.255.1", "GONGKAI_NOW": ""})
    yield app
    app.process.stop()


def attempt(web, username: str, password: str, forwarded_for: str = ""):
    client = Agent(web)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = client.http.get(client.url("/desk/login"), headers=headers)
    return client.http.post(client.url("/desk/login"), allow_redirects=False, headers=headers, data={
        "csrf_token": csrf_from(form.text), "username": username, "password": password})


def login(web, username: str, password: str, forwarded_for: str = "") -> int:
    return attempt(web, username, password, forwarded_for).status_code


def test_twenty_bad_logins_from_one_client_do_not_keep_the_others_out(behind_proxy):
    outcomes = [login(behind_proxy, f"guess{i}", "not the password", ATTACKER) for i in range(20)]
    assert outcomes[:10] == [401] * 10 and 429 in outcomes  # the attacker is slowed down …
    assert login(behind_proxy, "li", webapp.PASSWORD, AGENT_ADDRESS) == 303  # … nobody else
    # a client-written X-Forwarded-For entry in front of the proxy's does not help the attacker:
    # it is refused (the attacker's address is waiting) or counted against the attacker's address
    login(behind_proxy, "guess-x", "not the password", f"{AGENT_ADDRESS}, {ATTACKER}")
    rows = recorded(behind_proxy)
    assert {ip for username, ip, _ in rows if username.startswith("guess")} == {ATTACKER}
    assert ("li", AGENT_ADDRESS, True) in rows


def recorded(web) -> set:
    """(username, address, succeeded) of every log-in attempt the web app counted."""
    from sqlalchemy import select

    from bot.core.db import make_engine, make_session_factory, session_scope
    from bot.desk.models import LoginAttempt

    engine = make_engine(web.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return {(a.username, a.ip, a.succeeded) for a in session.scalars(select(LoginAttempt))}
    finally:
        engine.dispose()


def test_hammering_an_account_delays_its_owner_but_never_locks_them_out(behind_proxy):
    # the attacker (another address than the first test's) guesses wang's password, each time
    # as soon as allowed, until the account's wait has grown to half a minute or more (1, 2, 4 …
    # 32 s after the last counted failure); a loop with a generous bound, not a timed assertion
    attacker, deadline = "203.0.113.77", time.monotonic() + 900
    while True:
        answer = attempt(behind_proxy, "wang", "not the password", attacker)
        if answer.status_code == 429:
            if int(answer.headers["Retry-After"]) >= 30:
                break
            time.sleep(int(answer.headers["Retry-After"]))
        assert time.monotonic() < deadline, "the account's wait never grew"
    waiting = attempt(behind_proxy, "wang", webapp.PASSWORD, AGENT_ADDRESS)
    assert waiting.status_code == 429 and "秒后再试" in waiting.text  # even the right password
    assert 1 <= int(waiting.headers["Retry-After"]) <= 60  # the username's cap: a minute
    deadline = time.monotonic() + 300  # generous: the wait is at most 60 s
    while login(behind_proxy, "wang", webapp.PASSWORD, AGENT_ADDRESS) != 303:
        assert time.monotonic() < deadline
        time.sleep(5)


def test_forwarded_headers_from_anyone_but_the_proxy_are_ignored(proxy_elsewhere):
    # rotating X-Forwarded-For does not make a client someone else: its failures add up
    outcomes = [login(proxy_elsewhere, f"guess{i}", "not the password", f"198.51.100.{i}")
                for i in range(14)]
    assert 429 in outcomes
