"""Mounting the desk and the REST message-collection endpoint on the project's web app.

    from bot.desk.app import mount
    mount(app, root)       # in bot.web.app.create_app; root: bot.core.bootstrap.Root

One aiohttp session to Rasa per web-app process, opened lazily and closed when the server stops.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import Optional

from sanic import Sanic

from bot.content import knowledge
from bot.core.bootstrap import Root
from bot.core.threads import in_thread
from bot.desk.audit import CaseLookupLog
from bot.desk.screens import desk
from bot.desk.web import DeskContext
from bot.desk.workbench import ChangeLog
from bot.handoff import api as handoff_api
from bot.handoff.delivery import Channel, Channels
from bot.handoff.operations import HandoffOperations
from bot.handoff.rasa_client import RasaClient
from bot.rules.privacy import PIIMaskingFilter

log = logging.getLogger(__name__)

RELEASE_EVERY = 60.0  # seconds between checks for waiting hand-offs left at the end of a shift
# seconds between retention runs of the desk's own records (AccountStore.purge: expired sessions,
# log-in attempts — usernames and client addresses — after a day; docs/security.md)
PURGE_EVERY = 3600.0


WECHAT = "wechat"  # bot.channels.wechat.CHANNEL (not imported: it would load Rasa into the web app)


def channels() -> Channels:
    """Where agent replies can be pushed (bot.handoff.delivery): the widget and WeChat through
    Rasa's own output channels — WeChat's (bot.channels.wechat.WeChatOutput) sends through the
    客服消息 API with the Rasa process's cached access token, so the web app needs no WeChat
    credentials of its own; REST clients collect replies from the poll endpoint."""
    return Channels(Channel("socketio", via_rasa=True), Channel(WECHAT, via_rasa=True), Channel("rest"))


def audit_logging() -> None:
    """Agents' actions (logins, take-overs, replies, case look-ups) are logged at INFO by the
    ``bot.desk`` and ``bot.handoff`` loggers. When the process has not configured logging itself,
    send them to standard error (var/log/web.log under ``gongkai run``), masked."""
    for name in ("bot.desk", "bot.handoff"):
        logger = logging.getLogger(name)
        if logger.handlers or logging.getLogger().handlers:
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(PIIMaskingFilter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def mount(app: Sanic, root: Root, rasa: Optional[RasaClient] = None) -> DeskContext:
    """The desk on `root`'s stores and settings, its context on ``app.ctx.desk``."""
    audit_logging()
    settings = root.settings
    rasa = rasa or RasaClient(settings.rasa.url, settings.rasa.token)
    handoffs = root.handoffs
    ctx = DeskContext(
        accounts=root.accounts,
        handoffs=handoffs,
        cases=root.cases,
        feedback=root.feedback,
        ops=HandoffOperations(handoffs, rasa, channels(), knowledge.cached),
        served_kb=knowledge.cached,
        settings=settings,
        views=root.views,
        lookups=CaseLookupLog(root.sessions()),
        changes=ChangeLog(root.sessions()),
        root=root,
    )
    app.ctx.desk = ctx
    app.blueprint(desk)
    app.blueprint(handoff_api.create_blueprint(handoffs, rasa))

    async def release_loop() -> None:
        while True:
            try:
                await ctx.ops.release_waiting()
            except Exception:  # a database or Rasa hiccup must not end the loop
                log.exception("releasing waiting hand-offs failed; trying again later")
            await asyncio.sleep(RELEASE_EVERY)

    async def purge_loop() -> None:
        while True:
            try:
                await in_thread(ctx.accounts.purge, ctx.now())
            except Exception as error:  # the database may be down for a while: next time
                log.warning("desk retention failed (%s); trying again later", type(error).__name__)
            await asyncio.sleep(PURGE_EVERY)

    async def start_release_loop(app, loop) -> None:
        app.add_task(release_loop())
        app.add_task(purge_loop())

    async def close_rasa_session(app, loop) -> None:
        await rasa.close()

    # register_listener rather than @app.listener("…"): sanic 21.12 types the decorator form wrongly
    app.register_listener(start_release_loop, "after_server_start")
    app.register_listener(close_rasa_session, "after_server_stop")

    if not settings.desk.secure_cookies:
        log.info("desk: session cookies without the Secure flag (set GONGKAI_DESK_SECURE_COOKIES=1 behind HTTPS)")
    return ctx
