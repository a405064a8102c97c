"""Caller mode (/desk/caller): an agent on the phone asks the assistant for the caller, looks up a
case by its number, or works out a deadline from what the caller says happened
(bot.desk.caller)."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.cases.vocab import AGENCIES
from bot.core import clock
from bot.core.threads import in_thread
from bot.desk import caller as caller_mode
from bot.desk import web
from bot.desk.models import AGENT
from bot.handoff.rasa_client import RasaError

log = logging.getLogger(__name__)

bp = Blueprint("desk_caller")
PAGES = {"caller"}
ROLE = AGENT  # citizens' conversations and personal data: agents only


@bp.get("/caller", name="caller")
async def caller_page(request: Request) -> HTTPResponse:
    return web.page("caller.html", **web.base_context(request), agencies=AGENCIES,
                    default_agency=web.desk(request).settings.answers.default_agency)


@bp.post("/caller/ask", name="caller_ask")
async def caller_ask(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    question = web.field(request, "question").strip()
    agency = ctx.agency_or_default(web.field(request, "agency"))
    if not question:
        return web.error(400, "请输入来电人的问题。")
    try:
        found = await ctx.ops.suggestions(question, agency)
    except RasaError as failure:
        log.warning("desk caller mode: %s", failure)
        return web.error(502, "Rasa 服务器暂时无响应，请稍后重试。")
    return web.json_answer({"ok": True, "items": [s.as_dict() for s in found]})


@bp.post("/caller/case", name="caller_case")
async def caller_case(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    number = web.field(request, "case_number").strip()
    if not number:
        return web.error(400, "请输入申请编号。")
    view = await in_thread(caller_mode.lookup, ctx.cases, number, web.username(request), clock.today(),
                           ctx.kb, ctx.lookups, ctx.now())
    if view is None:
        return web.error(404, "没有找到这个编号的申请，请核对编号（例如 ZBSP-2026-0001）。")
    return web.json_answer({"ok": True, **case_item(view)})


def case_item(view: caller_mode.CaseView) -> dict:
    return {"case_number": view.case_number, "status": view.status_text, "applicant": view.applicant,
            "phone": view.phone, "online_paused_until": view.online_paused_until}


@bp.post("/caller/phone", name="caller_phone")
async def caller_phone(request: Request) -> HTTPResponse:
    """The cases of the applicant with the caller's phone number (every search recorded)."""
    ctx = web.desk(request)
    phone = web.field(request, "phone").strip()
    if not phone:
        return web.error(400, "请输入来电号码。")
    try:
        views = await in_thread(caller_mode.lookup_by_phone, ctx.cases, phone, web.username(request),
                                clock.today(), ctx.kb, ctx.lookups, ctx.now())
    except caller_mode.PhoneError:
        return web.error(400, "请输入一个完整的号码：11位手机号，或带区号的固定电话。")
    if not views:
        return web.error(404, "没有找到用这个号码申请的案件。请向来电人询问申请编号（例如 ZBSP-2026-0001）。")
    return web.json_answer({"ok": True, "items": [case_item(v) for v in views]})


@bp.post("/caller/deadline", name="caller_deadline")
async def caller_deadline(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    history = web.field(request, "history").strip()
    agency = ctx.agency_or_default(web.field(request, "agency"))
    if not history:
        return web.error(400, "请输入来电人说的经过，例如：“11月3日寄的挂号信，11月5日签收”。")
    view = await in_thread(caller_mode.deadline_view, history[:web.MAX_FIELD], clock.today(), ctx.kb, agency)
    return web.json_answer({"ok": True, **view})
