"""Fixtures shared by the tiers (tests/unit, tests/integration, tests/system), defined here once;
the machinery they use is in tests/support/. Heavy imports stay inside the fixtures, so that
collecting the unit tier loads no server code."""
from __future__ import annotations

import os

import pytest

from tests.support.databases import BACKENDS, FreshDatabase

pytest_plugins = ["tests.support.browser"]  # the `browser` fixture (Debian chromium)

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def pytest_collection_modifyitems(config, items):
    """Tests marked `training` train a real model (the desk's training job: ~8 minutes on 2 cores);
    they run with GONGKAI_TRAINING_TESTS=1, so that `make test` stays well under 30 minutes. The
    choices around them are tested in every run (tests/integration/training,
    tests/integration/desk/test_training_page.py)."""
    if os.environ.get("GONGKAI_TRAINING_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="trains a model for real: set GONGKAI_TRAINING_TESTS=1 to run it")
    for item in items:
        if item.get_closest_marker("training") is not None:
            item.add_marker(skip)


# --- databases (integration) ----------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path_factory):
    """An empty database per test on each backend (SQLite, PostgreSQL), migrated to head."""
    from bot.core import db

    fresh = FreshDatabase(request.param, tmp_path_factory)
    try:
        url = fresh.new_url()
        db.upgrade(url)
        yield url
    finally:
        fresh.close()


# --- the running product (system) -----------------------------------------------------------------


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The action server and Rasa server on the demo cases (tests/support/assistant.py)."""
    from tests.support.assistant import running_assistant

    with running_assistant(tmp_path_factory.mktemp("assistant")) as running:
        yield running


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """Action server + Rasa server (with an API token) + web app on a temporary database, the clock
    in office hours (tests/support/stack.py); its review queue writes to a copy of data/kb."""
    from tests.support import stack as stack_module

    started = stack_module.start(tmp_path_factory.mktemp("handoff-stack"))
    yield started
    started.stop()


@pytest.fixture
def agent(stack):
    """Agent 李明, logged in to the stack's desk."""
    from tests.support import stack as stack_module
    from tests.support.webapp import Agent

    desk = Agent(stack.web_url)
    assert desk.login("li", stack_module.PASSWORD).status_code == 303
    return desk


@pytest.fixture(scope="session")
def fake_wechat():
    """A fake of WeChat's API server on loopback (tests/support/fake_wechat.py)."""
    from tests.support.fake_wechat import FakeWeChat
    from tests.support.wechat_client import APP_ID, APP_SECRET

    with FakeWeChat(APP_ID, APP_SECRET) as fake:
        yield fake


@pytest.fixture(scope="session")
def wechat_servers(tmp_path_factory, fake_wechat):
    """Two Rasa servers with the WeChat channel, ``plain`` and ``safe`` (tests/support/wechat_servers.py)."""
    from tests.support import wechat_servers as wechat

    with wechat.running(tmp_path_factory.mktemp("wechat"), fake_wechat) as started:
        yield started


@pytest.fixture(scope="session")
def plain_server(wechat_servers):
    return wechat_servers["plain"]


@pytest.fixture(scope="session")
def safe_server(wechat_servers):
    return wechat_servers["safe"]
