"""The hand-off and desk tables (migrations 0002 and 0004) match the models and go up and down."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.core import db

NEW_TABLES = {"handoffs", "callback_tickets", "desk_agents", "desk_sessions", "desk_login_attempts",
              "desk_transcript_views"}  # the last from 0005_desk_transcript_views


def tables(url):
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_head_has_the_new_tables_and_matches_the_models(database_url):
    url = database_url
    from alembic.script import ScriptDirectory

    assert db.current_revision(url) == ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    assert NEW_TABLES <= tables(url)
    db.load_models()
    engine = db.make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.Base.metadata) == []
    engine.dispose()


def test_down_to_the_case_tables_and_up_again(database_url):
    url = database_url
    db.downgrade(url, "0001_cases")
    assert not NEW_TABLES & tables(url)
    assert "cases" in tables(url)
    db.upgrade(url)
    assert NEW_TABLES <= tables(url)
