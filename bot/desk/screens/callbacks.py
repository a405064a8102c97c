"""Callback tickets (/desk/callbacks/<id>): a citizen's request to be called back, and marking it
done."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import present, web
from bot.desk.models import AGENT
from bot.handoff.store import NotFound

log = logging.getLogger(__name__)

bp = Blueprint("desk_callbacks")
PAGES = {"callback"}
ROLE = AGENT  # citizens' conversations and personal data: agents only


@bp.get("/callbacks/<ticket_id:int>", name="callback")
async def callback(request: Request, ticket_id: int) -> HTTPResponse:
    ctx = web.desk(request)
    ticket = await in_thread(ctx.handoffs.get_ticket, ticket_id)
    if ticket is None:
        return web.page("missing.html", 404, **web.base_context(request), what="这条回电留言")
    log.info("desk: %s opened callback ticket %d", web.username(request), ticket_id)
    return web.page("callback.html", **web.base_context(request), ticket=ticket,
                    row=present.ticket_row(ticket, ctx.now()), done_at=present.local_time(ticket.done_at))


@bp.post("/callbacks/<ticket_id:int>/done", name="callback_done")
async def callback_done(request: Request, ticket_id: int) -> HTTPResponse:
    ctx = web.desk(request)
    note = web.field(request, "note")
    try:
        ticket = await in_thread(ctx.handoffs.complete_ticket, ticket_id, web.username(request), note, ctx.now())
    except NotFound:
        return web.error(404, "没有这条回电留言。")
    return web.json_answer({"ok": True, "status": ticket.status})
