"""One hand-off (/desk/handoffs/<id>): the conversation page, its live transcript with suggested
answers (JSON and stream), the agent's actions on it (take, reply, hand back, close), and the
written reason that opens an ended hand-off someone else served (bot.desk.audit)."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import audit, present, web
from bot.desk.models import AGENT
from bot.desk.sse import stream
from bot.handoff.operations import ReplyError
from bot.handoff.rasa_client import RasaError
from bot.handoff.state import TransitionError
from bot.handoff.store import NotFound

log = logging.getLogger(__name__)

bp = Blueprint("desk_conversation")
PAGES = {"conversation"}
ROLE = AGENT  # citizens' conversations and personal data: agents only


def state_of(ctx: web.DeskContext, record, request: Request,
             names: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    return {**present.handoff_row(record, ctx.now(), names), "mine": record.agent == web.username(request),
            "open": record.status.is_open, "note": record.note or ""}


async def readable(ctx: web.DeskContext, record, request: Request) -> bool:
    return await in_thread(ctx.views.may_read, record, web.username(request), ctx.now())


def access_page(ctx: web.DeskContext, request: Request, record, names: Dict[str, str], message: str = "",
                reason: str = "", status: int = 403) -> HTTPResponse:
    return web.page("access.html", status, **web.base_context(request),
                    handoff=present.handoff_row(record, ctx.now(), names),
                    ended=present.local_time(record.ended_at), message=message, reason=reason,
                    minutes=int(audit.GRANT_LIFETIME.total_seconds() // 60))


@bp.get("/handoffs/<handoff_id:int>", name="conversation")
async def conversation(request: Request, handoff_id: int) -> HTTPResponse:
    ctx = web.desk(request)
    record = await in_thread(ctx.handoffs.get, handoff_id)
    if record is None:
        return web.page("missing.html", 404, **web.base_context(request), what="这次人工服务")
    names = await web.agent_names(ctx)
    if not await readable(ctx, record, request):
        return access_page(ctx, request, record, names)
    return web.page("conversation.html", **web.base_context(request),
                    handoff=state_of(ctx, record, request, names))


@bp.post("/handoffs/<handoff_id:int>/access", name="grant_access")
async def grant_access(request: Request, handoff_id: int) -> HTTPResponse:
    """An ended hand-off someone else served: opened to this agent after a written reason."""
    ctx = web.desk(request)
    record = await in_thread(ctx.handoffs.get, handoff_id)
    if record is None:
        return web.page("missing.html", 404, **web.base_context(request), what="这次人工服务")
    reason = web.field(request, "reason")
    try:
        await in_thread(ctx.views.grant, record, web.username(request), reason, ctx.now())
    except audit.ReasonError as refused:
        return access_page(ctx, request, record, await web.agent_names(ctx), refused.message_zh,
                           reason[:200], 400)
    log.info("desk: %s opened ended hand-off %d with a reason", web.username(request), handoff_id)
    return response.redirect(f"/desk/handoffs/{handoff_id}", status=303)


async def conversation_events(ctx: web.DeskContext, record, request: Request, latest: Dict[str, Any]):
    """[(event name, data)] for one hand-off: its state, its part of the transcript and the
    suggested answers for the citizen's latest question in it."""
    if not await readable(ctx, record, request):
        return [("problem", {"message": "这次人工服务已结束，查看对话记录须先说明原因，请刷新页面。"})]
    events = [("state", state_of(ctx, record, request, await web.agent_names(ctx)))]
    try:
        talk = await ctx.ops.conversation(record)
    except RasaError as failure:
        log.warning("desk conversation view: %s", failure)
        return events + [("problem", {"message": "暂时无法读取对话记录（Rasa 服务器无响应），稍后自动重试。"})]
    events.append(("transcript", {"entries": talk["entries"], "paused": talk["paused"]}))
    # suggestions for the citizen's latest question (suggest.questions: not 「人呢」 or 「转人工」),
    # recomputed only when it changes
    question = (talk["questions"] or [{"text": "", "query": ""}])[0]
    if question["text"] != latest.get("text", "") or "items" not in latest:
        try:
            found = await ctx.ops.suggestions(question["query"], record.agency_id)
        except RasaError as failure:
            log.warning("desk suggestions: %s", failure)
            found = []
        latest.update(text=question["text"], items=[s.as_dict() for s in found])
    events.append(("suggestions", {"question": latest["text"], "items": latest["items"],
                                   "earlier": [q["text"] for q in talk["questions"][1:3]]}))
    events.append(("problem", {"message": "" if talk["found"] else "对话记录中找不到这次人工服务。"}))
    return events


async def open_transcript(ctx: web.DeskContext, request: Request, handoff_id: int):
    """The hand-off if this agent may read its transcript (the reading recorded), or the
    answer refusing it."""
    record = await in_thread(ctx.handoffs.get, handoff_id)
    if record is None:
        return None, web.error(404, "没有这次人工服务。")
    if not await readable(ctx, record, request):
        return None, web.error(403, "这次人工服务已结束，查看对话记录须先说明原因。")
    await in_thread(ctx.views.record, record, web.username(request), ctx.now())
    return record, None


@bp.get("/handoffs/<handoff_id:int>/conversation.json", name="conversation_json")
async def conversation_json(request: Request, handoff_id: int) -> HTTPResponse:
    ctx = web.desk(request)
    record, refused = await open_transcript(ctx, request, handoff_id)
    if refused:
        return refused
    return web.json_answer(dict(await conversation_events(ctx, record, request, {})))


@bp.get("/handoffs/<handoff_id:int>/stream", name="conversation_stream")
async def conversation_stream(request: Request, handoff_id: int) -> Optional[HTTPResponse]:
    ctx = web.desk(request)
    _, refused = await open_transcript(ctx, request, handoff_id)
    if refused:
        return refused
    latest: Dict[str, Any] = {}

    async def produce():
        return await conversation_events(ctx, await in_thread(ctx.handoffs.get, handoff_id), request, latest)

    await stream(request, produce, ctx.settings.desk.stream_interval, ctx.settings.desk.stream_lifetime,
                 web.SECURITY_HEADERS)
    return None


async def act(request: Request, handoff_id: int, action) -> HTTPResponse:
    """Runs `action(agent)` (a hand-off operation) and answers with the hand-off's new state, or
    with why it was refused."""
    ctx = web.desk(request)
    try:
        result = await action(web.agent_of(request))
    except NotFound:
        return web.error(404, "没有这次人工服务。")
    except TransitionError as refused:
        return web.error(409, refused.message_zh)
    except ReplyError as refused:
        return web.error(400, refused.message_zh)
    except RasaError as failure:
        log.warning("desk action on hand-off %d: %s", handoff_id, failure)
        return web.error(502, "Rasa 服务器暂时无响应，操作没有完成，请稍后重试。")
    record, pushed = result if isinstance(result, tuple) else (result, None)
    body = {"ok": True, "handoff": state_of(ctx, record, request, await web.agent_names(ctx))}
    if pushed is not None:
        body["pushed"] = pushed
    return web.json_answer(body)


@bp.post("/handoffs/<handoff_id:int>/take", name="take")
async def take(request: Request, handoff_id: int) -> HTTPResponse:
    ops = web.desk(request).ops
    return await act(request, handoff_id, lambda agent: ops.take(handoff_id, agent))


@bp.post("/handoffs/<handoff_id:int>/reply", name="reply")
async def reply(request: Request, handoff_id: int) -> HTTPResponse:
    ops, text = web.desk(request).ops, web.field(request, "text")
    return await act(request, handoff_id, lambda agent: ops.reply(handoff_id, agent, text))


@bp.post("/handoffs/<handoff_id:int>/handback", name="hand_back")
async def hand_back(request: Request, handoff_id: int) -> HTTPResponse:
    ops = web.desk(request).ops
    return await act(request, handoff_id, lambda agent: ops.hand_back(handoff_id, agent))


@bp.post("/handoffs/<handoff_id:int>/close", name="close")
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    ops, note = web.desk(request).ops, web.field(request, "note")
    return await act(request, handoff_id, lambda agent: ops.close(handoff_id, agent, note))
