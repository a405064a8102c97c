"""Fresh, empty databases for the tests: SQLite, and the real PostgreSQL (``GONGKAI_TEST_POSTGRES_URL``,
default the local ``test`` database), where each database is a schema of its own (the URL sets
``search_path``), dropped afterwards. PostgreSQL parameters are marked ``postgres``; an unreachable
PostgreSQL fails those tests, it never skips them."""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

POSTGRES_URL = os.environ.get("GONGKAI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


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
    """Empty databases on demand on one backend; everything made is removed by ``close``."""

    def __init__(self, backend: str, tmp_path_factory: pytest.TempPathFactory):
        self.backend = backend
        self.tmp_path_factory = tmp_path_factory
        self.schemas: list[str] = []
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
