"""Agent accounts, sessions and login throttling on migrated SQLite and PostgreSQL databases."""
import datetime as dt

import pytest

from bot.core import db
from bot.desk.accounts import AccountError, AccountStore, LoginStatus, token_id
from bot.desk.models import DeskSession

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct horse battery"


def later(**delta):
    return T0 + dt.timedelta(**delta)


@pytest.fixture
def accounts(database_url):
    store = AccountStore.from_url(database_url)
    store.add_agent("li", "李明", PASSWORD, T0)
    return store


def test_login_opens_a_server_side_session(accounts):
    result = accounts.login("Li", PASSWORD, "10.0.0.1", T0)
    assert result.status is LoginStatus.OK
    info = accounts.session(result.token, later(minutes=1))
    assert info.agent.username == "li" and info.agent.display_name == "李明"
    assert info.csrf_token == result.session.csrf_token
    with db.session_scope(accounts._sessions) as session:
        [row] = session.query(DeskSession).all()
        assert row.id == token_id(result.token) != result.token  # only the hash is stored


def test_wrong_password_unknown_user_and_disabled_account_look_the_same(accounts):
    assert accounts.login("li", "wrong password!!", "10.0.0.1", T0).status is LoginStatus.WRONG
    assert accounts.login("nobody", PASSWORD, "10.0.0.1", T0).status is LoginStatus.WRONG
    accounts.set_active("li", False)
    assert accounts.login("li", PASSWORD, "10.0.0.1", T0).status is LoginStatus.WRONG


def test_failures_for_a_username_make_it_wait_even_for_the_right_password(accounts):
    for i in range(4):  # from four addresses: the username's rule (3 free) applies
        assert accounts.login("li", f"wrong-{i}-password", f"10.0.0.{i}", later(seconds=i)).status is LoginStatus.WRONG
    # 4 failures, the last at 3 s: 2 s to wait (1 s after the 3rd free one, doubled)
    early = accounts.login("li", PASSWORD, "10.9.9.9", later(seconds=4))
    assert early.status is LoginStatus.WAIT and early.retry_at == later(seconds=5)
    assert accounts.login("li", PASSWORD, "10.9.9.9", later(seconds=5)).status is LoginStatus.OK


def test_hammering_a_username_delays_its_owner_by_at_most_a_minute(accounts):
    for i in range(50):
        accounts.login("li", "wrong password!!", "203.0.113.9", later(seconds=i * 61))
    last = later(seconds=49 * 61)
    waiting = accounts.login("li", PASSWORD, "10.0.0.8", last + dt.timedelta(seconds=1))
    assert waiting.status is LoginStatus.WAIT and waiting.retry_at == last + dt.timedelta(seconds=60)
    assert accounts.login("li", PASSWORD, "10.0.0.8", last + dt.timedelta(seconds=60)).status is LoginStatus.OK


def test_failures_from_one_address_slow_that_address_not_the_others(accounts):
    # one guess a second, each for another username: failures at 0 … 10 s (10 free, then 1 s to
    # wait after the 11th), 12 s (2 s), 16 s (4 s): the others were refused uncounted, and the
    # address now waits until 16 + 8 = 24 s
    statuses = [accounts.login(f"guess{i}", "wrong password!!", "10.0.0.7", later(seconds=i)).status
                for i in range(20)]
    assert [i for i, s in enumerate(statuses) if s is LoginStatus.WRONG] == [*range(11), 12, 16]
    waiting = accounts.login("li", PASSWORD, "10.0.0.7", later(seconds=20))
    assert waiting.status is LoginStatus.WAIT and waiting.retry_at == later(seconds=24)
    assert accounts.login("li", PASSWORD, "10.0.0.8", later(seconds=20)).status is LoginStatus.OK
    assert accounts.login("li", PASSWORD, "10.0.0.7", later(seconds=24)).status is LoginStatus.OK


def test_sessions_expire_when_idle_or_too_old_and_on_logout(accounts):
    token = accounts.login("li", PASSWORD, "10.0.0.1", T0).token
    assert accounts.session(token, later(hours=1, minutes=59)) is not None
    assert accounts.session(token, later(hours=3, minutes=58)) is not None  # touched at 1:59
    assert accounts.session(token, later(hours=6)) is None  # idle for over two hours
    token = accounts.login("li", PASSWORD, "10.0.0.1", T0).token
    for hour in range(1, 12):
        assert accounts.session(token, later(hours=hour)) is not None
    assert accounts.session(token, later(hours=12, minutes=1)) is None  # absolute limit
    token = accounts.login("li", PASSWORD, "10.0.0.1", later(hours=13)).token
    accounts.logout(token)
    assert accounts.session(token, later(hours=13)) is None
    assert accounts.session("made-up", T0) is None and accounts.session(None, T0) is None


def test_changing_the_password_ends_sessions(accounts):
    token = accounts.login("li", PASSWORD, "10.0.0.1", T0).token
    accounts.set_password("li", "another long passphrase")
    assert accounts.session(token, T0) is None
    assert accounts.login("li", "another long passphrase", "10.0.0.1", T0).status is LoginStatus.OK


@pytest.mark.parametrize("username, password, message", [
    ("li", PASSWORD, "已存在"),
    ("x", PASSWORD, "用户名"),
    ("张三", PASSWORD, "用户名"),
    ("wang", "short", "至少"),
])
def test_bad_accounts_are_refused(accounts, username, password, message):
    with pytest.raises(AccountError) as error:
        accounts.add_agent(username, None, password, T0)
    assert message in error.value.message_zh
