"""The case-store fixtures: one database per test module and backend (migrating PostgreSQL for
every test would be slow), emptied before each test. The integration and system tiers' case tests
both use them (their conftest.py files import them); the makers of fresh databases are
tests/support/databases.py."""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from bot.core import db
from tests.support.databases import BACKENDS, FreshDatabase

TEST_KEY = b"test-secret-key-for-the-case-store"


@pytest.fixture(scope="module", params=BACKENDS)
def databases(request, tmp_path_factory):
    """A maker of fresh, empty databases on the backend of this parameter."""
    fresh = FreshDatabase(request.param, tmp_path_factory)
    yield fresh
    fresh.close()


@pytest.fixture(scope="module")
def postgres_databases(tmp_path_factory):
    """Fresh PostgreSQL databases only, for tests about PostgreSQL itself."""
    fresh = FreshDatabase("postgres", tmp_path_factory)
    yield fresh
    fresh.close()


@pytest.fixture(scope="module")
def database_url(databases) -> str:
    """One database per test module and backend, migrated to head (instead of tests/conftest.py's
    database per test)."""
    url = databases.new_url()
    db.upgrade(url)
    return url


@pytest.fixture
def session_factory(database_url):
    """Sessions on the module's database, emptied before each test."""
    from bot.cases.models import Case, CaseEvent, LookupAttempt, LookupLock

    engine = db.make_engine(database_url)
    factory = db.make_session_factory(engine)
    with db.session_scope(factory) as session:
        for model in (LookupLock, LookupAttempt, CaseEvent, Case):
            session.execute(delete(model))
    yield factory
    engine.dispose()


@pytest.fixture(scope="session")
def test_key() -> bytes:
    return TEST_KEY


@pytest.fixture
def store(session_factory):
    from bot.cases.store import CaseStore

    return CaseStore(session_factory, key=TEST_KEY)


async def look_up(root, sender: str, slots: dict, typed: str):
    """actions.case_status's look-up run once inside the case look-up form, its stores taken from
    ``root`` (bot.core.bootstrap) and put back afterwards: (dispatcher, events)."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import case_status
    from bot.core import bootstrap

    previous = bootstrap.use(root)
    tracker = Tracker(sender, slots, {"intent": {"name": "inform"}, "text": typed, "entities": []},
                      [], False, None, {"name": "case_lookup_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    try:
        events = await case_status.ActionCheckCaseStatus().run(dispatcher, tracker, {})
    finally:
        bootstrap.use(previous)
        root.dispose()
    return dispatcher, events
