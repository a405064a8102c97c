"""The hotline agents' assist desk (Sanic blueprints, mounted by ``bot.web.app.create_app``):
login, the live queue, the conversation view with suggested answers, and caller mode.
``bot.desk.routes.register(app, ...)`` mounts it; this package import stays light (no Sanic) so
the action server and Alembic can import ``bot.desk.models``."""
