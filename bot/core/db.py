"""The project's one SQLAlchemy home: the declarative ``Base``, engines, sessions, migrations.

The database is ``settings.database.url`` (GONGKAI_DATABASE_URL, bot.core.settings). A relative
SQLite path is taken relative to the project root (not the current directory), and its folder is
created when missing. Engines are built by the composition root (bot.core.bootstrap), one per URL.

SQLite files hold personal data: they are created owner-only (``private_sqlite_file``: 0600, in
a folder made 0700), and made so when found readable by others.

Every feature keeps its models in its own module on ``Base`` and lists that module in
``MODEL_MODULES`` so Alembic sees it; schema changes are Alembic revisions in
``bot/migrations/versions`` (``upgrade(url)`` applies them; no alembic.ini is needed).
"""
from __future__ import annotations

import importlib
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Optional

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import DateTime, TypeDecorator

from bot.core.settings import settings

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"

# Modules that define models on Base; Alembic imports them so autogenerate sees every table.
# A new feature appends its module here.
MODEL_MODULES = ["bot.cases.models", "bot.handoff.models", "bot.desk.models", "bot.feedback.models"]

# Deterministic constraint names: the same on SQLite and PostgreSQL, so later migrations can
# name a constraint to drop or alter it.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A point in time, always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so it stores naive UTC text
    (which still sorts and compares correctly)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def database_url() -> str:
    """The configured database URL (``GONGKAI_DATABASE_URL``) or the embedded SQLite default."""
    return settings.database.url


def resolve_url(url: str) -> URL:
    """Parse ``url``; a relative SQLite file path becomes absolute under the project root."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not _is_memory(parsed):
        path = Path(parsed.database)
        if not path.is_absolute():
            parsed = parsed.set(database=str(PROJECT_ROOT / path))
    return parsed


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def make_engine(url: Optional[str] = None, **kwargs) -> Engine:
    """An engine for ``url`` (default: ``database_url()``).

    SQLite: foreign keys on, WAL journal (readers do not block the writer), a busy timeout so two
    processes writing at once wait instead of failing; the file's folder is created.
    PostgreSQL: psycopg2, connections checked before use (the server may have restarted)."""
    parsed = resolve_url(url or database_url())
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", 15)
        if _is_memory(parsed):
            # one shared connection, or every session would see its own empty database
            connect_args.setdefault("check_same_thread", False)
            kwargs.setdefault("poolclass", StaticPool)
        else:
            private_sqlite_file(Path(parsed.database))
        engine = _create(parsed, connect_args=connect_args, **kwargs)
        _sqlite_pragmas(engine, wal=not _is_memory(parsed))
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    return _create(parsed, **kwargs)


VAR_DIR = PROJECT_ROOT / "var"
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite gives these the main file's mode


def private_sqlite_file(path: Path) -> None:
    """Make the SQLite file ``path`` owner-only (0600) before anything opens it: created empty if
    missing (SQLite takes an empty file for a new database), its mode narrowed if it exists. A new
    folder is made 0700, and so is the project's ``var/`` (it also holds Rasa's tracker store)."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.resolve() == VAR_DIR.resolve():
        _narrow(folder, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for candidate in [path] + [Path(f"{path}{suffix}") for suffix in _SQLITE_COMPANIONS]:
        if candidate.exists():
            _narrow(candidate, 0o600)


def _narrow(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (another user's file): leave it as it is


def _create(url: URL, **kwargs) -> Engine:
    kwargs.setdefault("future", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(engine: Engine, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


SessionFactory = Callable[[], Session]


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions in SQLAlchemy 2.0 style; objects stay readable after commit."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: SessionFactory) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def load_models() -> None:
    """Import every module in ``MODEL_MODULES`` so their tables are on ``Base.metadata``."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def alembic_config():
    """Alembic configuration with the script location set in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Bring the database at ``url`` (default: ``database_url()``) to ``revision``."""
    _run_alembic("upgrade", url, revision)


def downgrade(url: Optional[str], revision: str) -> None:
    """Take the database back to ``revision`` (``"base"`` drops every migrated table)."""
    _run_alembic("downgrade", url, revision)


def current_revision(url: Optional[str] = None) -> Optional[str]:
    """The revision the database is at, or None for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


_MIGRATION_LOCK_ID = 4_826_001  # arbitrary, fixed: the advisory lock key for migrations


def _run_alembic(command_name: str, url: Optional[str], revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # several instances starting at once: one migrates, the others wait, then find
                # the database already at head (the lock ends with the transaction)
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            config = alembic_config()
            config.attributes["connection"] = connection
            getattr(command, command_name)(config, revision)
    finally:
        engine.dispose()
