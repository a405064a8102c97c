"""Databases for the case-store tests: every test using ``database_url`` runs on SQLite and on
the real PostgreSQL (``GONGKAI_TEST_POSTGRES_URL``, default the local ``test`` database).

PostgreSQL isolation: each test module gets a schema of its own (the URL sets ``search_path``),
dropped afterwards. An unreachable PostgreSQL fails the tests; it never skips them.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import delete

from bot.core import db

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

POSTGRES_URL = os.environ.get(
    "GONGKAI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_KEY = b"test-secret-key-for-the-case-store"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _admin_connection():
    import psycopg2

    try:
        connection = psycopg2.connect(POSTGRES_URL, connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}\n"
            "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
            "or deselect these tests with -m 'not postgres'.",
            pytrace=False,
        )
    connection.autocommit = True
    return connection


class FreshDatabase:
    """Empty databases on demand; everything made is removed by ``close``."""

    def __init__(self, backend: str, tmp_path_factory):
        self.backend = backend
        self.tmp_path_factory = tmp_path_factory
        self.schemas = []
        self._admin = None

    def new_url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path_factory.mktemp('db') / 'gongkai.db'}"
        if self._admin is None:
            self._admin = _admin_connection()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        separator = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"

    def close(self) -> None:
        if self._admin is None:
            return
        with self._admin.cursor() as cursor:
            for schema in self.schemas:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self._admin.close()


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
    """One database per test module and backend, migrated to head."""
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
