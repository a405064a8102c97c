"""Fresh migrated databases for the hand-off and desk store tests: SQLite, and the real PostgreSQL
(``GONGKAI_TEST_POSTGRES_URL``, default the local ``test`` database; a schema per test, dropped
afterwards; marked ``postgres``, failing — never skipping — when PostgreSQL is unreachable)."""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

from bot.core import db

POSTGRES_URL = os.environ.get("GONGKAI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


def _admin():
    import psycopg2

    try:
        connection = psycopg2.connect(POSTGRES_URL, connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}", pytrace=False)
    connection.autocommit = True
    return connection


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database on each backend, migrated to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gongkai.db'}"
        db.upgrade(url)
        yield url
        return
    admin = _admin()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        db.upgrade(url)
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()
