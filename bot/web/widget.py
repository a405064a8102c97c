"""The website chat widget: the loader an agency embeds with one script tag (/widget/embed.js),
a demo page (/widget/), our stylesheet and the vendored rasa-webchat bundle. The widget talks to
the Rasa server's socket.io channel directly; this app only serves the files.

GONGKAI_RASA_PUBLIC_URL (``settings.rasa.public_url``, bot.core.settings): the Rasa server's
address as browsers reach it, baked into embed.js as the default socket URL. See docs/channels.md."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from sanic import Blueprint, response
from sanic.request import Request

from bot.core.settings import settings

STATIC = Path(__file__).resolve().parent / "static"
_PLACEHOLDER = "/*DEFAULTS*/{}"


def rasa_public_url(configured: Optional[str] = None) -> str:
    """`configured` (default: ``settings.rasa.public_url``), checked to be an http(s) URL."""
    url = (settings.rasa.public_url if configured is None else configured).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"GONGKAI_RASA_PUBLIC_URL must be an http(s) URL, not {url!r}")
    return url


def widget_blueprint(rasa_url: Optional[str] = None) -> Blueprint:
    defaults = {"socketUrl": rasa_url or rasa_public_url()}
    loader = (STATIC / "widget" / "embed.js").read_text(encoding="utf-8")
    loader = loader.replace(_PLACEHOLDER, json.dumps(defaults, ensure_ascii=False), 1)
    demo = (STATIC / "widget" / "demo.html").read_text(encoding="utf-8")

    widget = Blueprint("widget", url_prefix="/widget", strict_slashes=False)

    @widget.get("/")
    async def demo_page(_: Request):
        return response.html(demo)

    @widget.get("/embed.js")
    async def embed(_: Request):
        # short cache: a changed GONGKAI_RASA_PUBLIC_URL reaches the agencies' pages quickly
        return response.text(loader, content_type="application/javascript; charset=utf-8",
                             headers={"Cache-Control": "public, max-age=300"})

    widget.static("/vendor", str(STATIC / "vendor"), name="widget_vendor")
    widget.static("/assets/widget.css", str(STATIC / "widget" / "widget.css"),
                  name="widget_css", content_type="text/css; charset=utf-8")
    return widget
