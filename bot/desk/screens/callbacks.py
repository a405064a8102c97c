"""Callback tickets (/desk/callbacks/<id>): a citizen's request to be called back, with the
conversation that led to it (masked, from the start of its session to the ticket), and marking it
done. An open ticket is for every agent on duty (one of them calls back); a done one shows its
conversation only to the agent who handled it."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import present, web
from bot.desk.models import AGENT
from bot.handoff.rasa_client import RasaError
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
    talk, problem = [], ""
    if ticket.status == "open" or ticket.done_by == web.username(request):
        try:
            found = await ctx.ops.ticket_conversation(ticket)
            talk = found["entries"]
            problem = "" if found["found"] else "对话记录中找不到这条留言之前的对话。"
        except RasaError as failure:
            log.warning("desk callback conversation: %s", failure)
            problem = "暂时无法读取对话记录（Rasa 服务器无响应），请稍后刷新。"
    else:
        problem = "这条留言已由其他坐席处理，之前的对话只对处理的坐席开放。"
    return web.page("callback.html", **web.base_context(request), ticket=ticket,
                    row=present.ticket_row(ticket, ctx.now()), done_at=present.local_time(ticket.done_at),
                    talk=[present.transcript_row(e) for e in talk], talk_problem=problem)


@bp.post("/callbacks/<ticket_id:int>/done", name="callback_done")
async def callback_done(request: Request, ticket_id: int) -> HTTPResponse:
    ctx = web.desk(request)
    note = web.field(request, "note")
    try:
        ticket = await in_thread(ctx.handoffs.complete_ticket, ticket_id, web.username(request), note, ctx.now())
    except NotFound:
        return web.error(404, "没有这条回电留言。")
    return web.json_answer({"ok": True, "status": ticket.status})
