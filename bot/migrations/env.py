"""Alembic environment for 公开助手, driven from code by ``bot.core.db.upgrade`` (no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; without one (e.g.
``alembic`` run by hand with ``-x url=...``) a connection is made from that URL or from
``GONGKAI_DATABASE_URL``.
"""
from alembic import context

from bot.core import db

db.load_models()
target_metadata = db.Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or db.database_url()
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run bot.core.db.upgrade(url)")
run_migrations_online()
