"""The live queue (/desk/): waiting and served hand-offs, open callback tickets, recent ones; as a
page, as JSON and as a server-sent-events stream."""
from __future__ import annotations

from typing import Any, Dict

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import present, web
from bot.desk.models import AGENT
from bot.desk.sse import stream

bp = Blueprint("desk_queue")
PAGES = {"queue"}
ROLE = AGENT  # citizens' conversations and personal data: agents only


async def snapshot(ctx: web.DeskContext) -> Dict[str, Any]:
    handoffs = await in_thread(ctx.handoffs.queue)
    tickets = await in_thread(ctx.handoffs.open_tickets)
    return present.queue(handoffs, tickets, ctx.now(), await web.agent_names(ctx))


@bp.get("/", name="queue")
async def queue(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    current = await snapshot(ctx)
    recent = await in_thread(ctx.handoffs.recent, 10)
    names = await web.agent_names(ctx)
    return web.page("queue.html", **web.base_context(request), queue=current,
                    recent=[present.recent_row(r, ctx.now(), names) for r in recent])


@bp.get("/queue.json", name="queue_json")
async def queue_json(request: Request) -> HTTPResponse:
    return web.json_answer(await snapshot(web.desk(request)))


@bp.get("/queue/stream", name="queue_stream")
async def queue_stream(request: Request) -> None:
    ctx = web.desk(request)

    async def produce():
        return [("queue", await snapshot(ctx))]

    await stream(request, produce, ctx.settings.desk.stream_interval, ctx.settings.desk.stream_lifetime,
                 web.SECURITY_HEADERS)
