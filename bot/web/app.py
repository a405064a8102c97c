"""Assembles the web app from the blueprints of each part of the product."""
from __future__ import annotations

import asyncio
from typing import Optional

from urllib.parse import unquote

from sanic import Sanic, response
from sanic.request import Request

from bot.cases import api as case_api
from bot.core import bootstrap
from bot.core.threads import in_thread
from bot.desk import app as desk
from bot.web.widget import widget_blueprint

APP_NAME = "gongkai_web"
MAX_BODY_BYTES = 1024 * 1024
HEALTH_TIMEOUT = 3.0  # seconds for the database check of /health


def create_app(name: str = APP_NAME, database_url: Optional[str] = None) -> Sanic:
    """The web app on the database at `database_url` (default: the process's composition root,
    on GONGKAI_DATABASE_URL / SQLite). Every part gets its stores from that one root: one engine."""
    root = bootstrap.Root(database_url=database_url) if database_url else bootstrap.root()
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    store = root.cases
    app.blueprint(case_api.create_blueprint(store, root.settings.cases.api_token))
    app.blueprint(widget_blueprint())
    desk.mount(app, root)  # the assist desk (/desk) and GET /api/conversations/<id>/messages

    @app.listener("after_server_stop")
    async def close_database(app, loop) -> None:
        root.dispose()

    # Sanic's static handlers open whatever path they are given: a directory (/widget/vendor/),
    # a file taken for a directory (…/widget.css/x) or a NUL byte raised 500s
    @app.on_request
    async def no_nul_in_paths(request: Request):
        if "\x00" in unquote(request.path):
            return response.json({"description": "Not Found", "status": 404}, status=404)

    @app.exception(IsADirectoryError, NotADirectoryError)
    async def not_a_file(request: Request, _error: Exception):
        return response.json({"description": "Not Found", "status": 404}, status=404)

    @app.get("/health")
    async def health(request: Request):
        # the desk and the case API are useless without the database: say so, so that a proxy
        # or an orchestrator takes this instance out instead of sending agents to it
        try:
            await asyncio.wait_for(in_thread(store.ping), HEALTH_TIMEOUT)
        except Exception as error:
            return response.json({"status": "unavailable", "database": type(error).__name__},
                                 status=503)
        return response.json({"status": "ok", "database": "ok"})

    return app
