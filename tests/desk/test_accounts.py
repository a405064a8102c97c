"""Agent accounts, sessions and login throttling on migrated SQLite and PostgreSQL databases."""
import datetime as dt

import pytest

from bot import db
from bot.desk.accounts import AccountError, AccountStore, LoginStatus, token_id
from bot.desk.models import DeskSession
from tests.handoff.databases import database_url  # noqa: F401 (fixture)

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


def test_five_failures_lock_the_username_even_for_the_right_password(accounts):
    for i in range(5):
        assert accounts.login("li", f"wrong-{i}-password", f"10.0.0.{i}", later(minutes=i)).status is LoginStatus.WRONG
    locked = accounts.login("li", PASSWORD, "10.9.9.9", later(minutes=5))
    assert locked.status is LoginStatus.LOCKED and locked.locked_until == later(minutes=15)
    assert accounts.login("li", PASSWORD, "10.9.9.9", later(minutes=15)).status is LoginStatus.OK


def test_twenty_failures_from_one_address_lock_that_address_for_every_username(accounts):
    for i in range(19):
        accounts.login(f"guess{i}", "wrong password!!", "10.0.0.7", later(seconds=i))
    assert accounts.login("li", PASSWORD, "10.0.0.7", later(minutes=1)).status is LoginStatus.OK
    accounts.login("guess19", "wrong password!!", "10.0.0.7", later(minutes=2))
    assert accounts.login("li", PASSWORD, "10.0.0.7", later(minutes=3)).status is LoginStatus.LOCKED
    assert accounts.login("li", PASSWORD, "10.0.0.8", later(minutes=6)).status is LoginStatus.OK


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
