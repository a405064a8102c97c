"""Assembles the web app from the blueprints of each part of the product."""
from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request

from bot.web.widget import widget_blueprint

APP_NAME = "gongkai_web"


def create_app(name: str = APP_NAME) -> Sanic:
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "json"

    @app.get("/health")
    async def health(request: Request):
        return response.json({"status": "ok"})

    app.blueprint(widget_blueprint())

    return app
