"""Migrations and the database layer, on SQLite and PostgreSQL."""
import importlib.util
from datetime import date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.cases import vocab
from bot.cases.stages import STAGES
from bot.core import db

TABLES = {"cases", "case_events", "lookup_attempts", "lookup_locks",
          "handoffs", "callback_tickets", "desk_agents", "desk_sessions", "desk_login_attempts",
          "feedback", "review_items", "desk_transcript_views", "desk_kb_changes", "desk_case_lookups"}
HEAD = "0008_case_phone_search"


def _tables(url):
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_the_tables_the_models_describe(databases):
    url = databases.new_url()
    assert db.current_revision(url) is None
    db.upgrade(url)
    assert db.current_revision(url) == HEAD
    assert _tables(url) == TABLES | {"alembic_version"}
    db.load_models()
    engine = db.make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.Base.metadata) == []
    engine.dispose()


def test_upgrade_twice_and_downgrade_to_base_and_back(databases):
    url = databases.new_url()
    db.upgrade(url)
    db.upgrade(url)
    db.downgrade(url, "base")
    assert db.current_revision(url) is None
    assert _tables(url) == {"alembic_version"}
    db.upgrade(url)
    assert _tables(url) == TABLES | {"alembic_version"}


def test_frozen_vocabularies_of_the_migration_match_the_code():
    # a vocabulary change without a new migration would leave the CHECK constraints behind
    path = db.MIGRATIONS_DIR / "versions" / "0001_cases.py"
    spec = importlib.util.spec_from_file_location("migration_0001", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.CHANNELS) == set(vocab.CHANNELS)
    assert set(module.EVENT_KINDS) == set(vocab.EVENT_KINDS)
    assert set(module.ANSWER_TYPES) == set(vocab.ANSWER_TYPES)
    assert set(module.STAGES) == set(STAGES)


CASE_SQL = (
    "INSERT INTO cases (case_number, agency_id, applicant_name, phone_masked,"
    " query_code_hmac, channel, submitted_on, stage, subject, created_at, updated_at)"
    " VALUES (:number, 'zibo_spj', '示例申请人甲', '138****0001', :digest, :channel,"
    " :day, :stage, '（演示）事项', :at, :at)"
)
EVENT_SQL = (
    "INSERT INTO case_events (case_id, kind, occurred_on, recorded_at, answer_type)"
    " VALUES (:case_id, :kind, :day, :at, :answer_type)"
)


@pytest.fixture
def connection(database_url):
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()
    engine.dispose()


def _case(connection, number="ZBSP-2026-0001", channel="in_person", stage="received"):
    connection.execute(
        text(CASE_SQL),
        {"number": number, "digest": "0" * 64, "channel": channel, "day": date(2026, 11, 2),
         "stage": stage, "at": datetime(2026, 11, 2, 1, 0)},
    )
    return connection.execute(
        text("SELECT id FROM cases WHERE case_number = :n"), {"n": number}
    ).scalar_one()


def _event(connection, case_id, kind="received", answer_type=None):
    connection.execute(
        text(EVENT_SQL),
        {"case_id": case_id, "kind": kind, "day": date(2026, 11, 3),
         "at": datetime(2026, 11, 3, 1, 0), "answer_type": answer_type},
    )


def test_database_accepts_a_valid_case_and_event(connection):
    case_id = _case(connection)
    _event(connection, case_id, "answered", "disclosed")
    count = connection.execute(text("SELECT count(*) FROM case_events")).scalar_one()
    assert count == 1


@pytest.mark.parametrize(
    "bad",
    [
        lambda c: _case(c, channel="telephone"),
        lambda c: _case(c, stage="lost"),
        lambda c: (_case(c), _case(c)),  # case_number is unique
        lambda c: _event(c, _case(c), kind="visited"),
        lambda c: _event(c, _case(c), kind="answered", answer_type=None),
        lambda c: _event(c, _case(c), kind="received", answer_type="disclosed"),
        lambda c: _event(c, 999_999),  # foreign key (SQLite: needs PRAGMA foreign_keys)
        lambda c: (_event(c, _case(c)), _event(c, c.execute(text("SELECT id FROM cases")).scalar_one())),
    ],
    ids=["channel", "stage", "unique-number", "kind", "answered-needs-type",
         "type-only-on-answered", "foreign-key", "one-event-per-kind-and-day"],
)
def test_database_constraints(connection, bad):
    with pytest.raises(IntegrityError):
        bad(connection)


def test_deleting_a_case_deletes_its_events(connection):
    case_id = _case(connection)
    _event(connection, case_id)
    connection.execute(text("DELETE FROM cases"))
    assert connection.execute(text("SELECT count(*) FROM case_events")).scalar_one() == 0


def test_utc_datetimes_round_trip_as_aware_utc(session_factory):
    from bot.cases.models import LookupAttempt

    beijing = timezone(timedelta(hours=8))
    with db.session_scope(session_factory) as session:
        session.add(LookupAttempt(sender_id="s", at=datetime(2026, 11, 23, 9, 30, tzinfo=beijing),
                                  succeeded=False))
    with db.session_scope(session_factory) as session:
        (at,) = session.execute(text("SELECT at FROM lookup_attempts")).one()
        stored = session.query(LookupAttempt).one().at
    assert stored == datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)
    assert stored.utcoffset() == timedelta(0)
    if isinstance(at, str):  # SQLite: naive UTC text
        assert at.startswith("2026-11-23 01:30:00")
    else:  # PostgreSQL: timestamptz
        assert at == datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)


def test_naive_datetimes_are_refused(session_factory):
    from bot.cases.models import LookupAttempt

    with pytest.raises(Exception, match="timezone-aware"):
        with db.session_scope(session_factory) as session:
            session.add(LookupAttempt(sender_id="s", at=datetime(2026, 11, 23), succeeded=False))


def test_sqlite_engine_turns_on_foreign_keys_and_wal(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()
    assert (tmp_path / "sub" / "x.db").exists()


def test_database_url_default_and_environment():
    from bot.core.settings import Settings

    def url_of(env):
        return Settings.from_env(env).database.url

    assert url_of({}) == "sqlite:///var/gongkai.db"
    assert url_of({"GONGKAI_DATABASE_URL": "  "}) == "sqlite:///var/gongkai.db"
    url = "postgresql://postgres@127.0.0.1:5432/test"
    assert url_of({"GONGKAI_DATABASE_URL": url}) == url


def test_relative_sqlite_path_is_under_the_project_root():
    resolved = db.resolve_url("sqlite:///var/gongkai.db")
    assert resolved.database == str(db.PROJECT_ROOT / "var" / "gongkai.db")
    assert db.resolve_url("sqlite:////tmp/x.db").database == "/tmp/x.db"
    assert db.resolve_url("sqlite://").database in (None, "")


def test_in_memory_sqlite_is_shared_by_sessions():
    db.upgrade("sqlite://")  # its own engine: the tables vanish with it
    engine = db.make_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    factory = db.make_session_factory(engine)
    with db.session_scope(factory) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
    with db.session_scope(factory) as session:
        assert session.execute(text("SELECT x FROM t")).scalar_one() == 1
    engine.dispose()




@pytest.mark.postgres
def test_instances_starting_together_migrate_once(postgres_databases):
    # separate processes, as separate server instances would be (Alembic is not thread-safe)
    import subprocess
    import sys

    url = postgres_databases.new_url()
    code = f"from bot.core import db; db.upgrade({url!r})"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    assert db.current_revision(url) == HEAD


def test_0004_keeps_only_the_masked_phone_of_existing_cases(databases):
    # a database with a case at 0003, as deployed before: its full phone must not survive
    url = databases.new_url()
    db.upgrade(url, "0003_feedback")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO cases (case_number, agency_id, applicant_name, applicant_phone,"
            " phone_last4_hmac, channel, submitted_on, stage, subject, created_at, updated_at)"
            " VALUES ('ZBSP-2026-0001', 'zibo_spj', '示例申请人甲', '+86 138 0000 1234', :digest,"
            " 'email', :day, 'received', '（演示）事项', :at, :at)"),
            {"digest": "0" * 64, "day": date(2026, 11, 2), "at": datetime(2026, 11, 2, 1, 0)})
    db.upgrade(url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM cases")).mappings().one()
    engine.dispose()
    assert row["phone_masked"] == "138****1234"  # by hand: first three, last four digits
    assert row["query_code_hmac"] is None  # no online look-up until re-imported with a code
    assert "applicant_phone" not in row and "phone_last4_hmac" not in row
    assert "13800001234" not in " ".join(str(v) for v in row.values())


def test_sqlite_files_are_created_owner_only(tmp_path):
    path = tmp_path / "new" / "gongkai.db"
    db.upgrade(f"sqlite:///{path}")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    for companion in tmp_path.glob("new/gongkai.db-*"):
        assert oct(companion.stat().st_mode & 0o777) == "0o600", companion


def test_an_existing_world_readable_sqlite_file_is_narrowed(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db.make_engine(f"sqlite:///{path}").dispose()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
