"""The hotline agents' assist desk (Sanic blueprints, mounted by ``bot.web.app.create_app``):
login, the live queue, the conversation view with suggested answers, and caller mode.
``bot.desk.app.mount(app, ...)`` mounts its screens (bot/desk/screens/, one blueprint each); this package import stays light (no Sanic) so
the action server and Alembic can import ``bot.desk.models``."""
