"""The assist desk's web routes (Sanic blueprint ``desk``, under /desk). Thin: each route parses
the request, calls the hand-off operations, the account store or caller mode, and answers.

Every route of this blueprint requires a logged-in agent, except those named in ``PUBLIC``: the
check is the blueprint's request middleware, so a new route is protected without anyone
remembering to. State-changing requests (anything but GET/HEAD) also need the session's CSRF
token, in the ``X-CSRF-Token`` header or the ``csrf_token`` form field. The login form has its own
token (double-submit cookie), since there is no session yet.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import jinja2
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.cases.store import CaseStore
from bot.cases.vocab import AGENCIES
from bot.content import knowledge
from bot.core import clock
from bot.core.settings import settings
from bot.desk import audit, calendar_page, caller, csrf, insights, present, throttle
from bot.desk.accounts import AccountStore, LoginStatus, SessionInfo
from bot.desk.config import DeskConfig
from bot.desk.sse import stream
from bot.handoff.operations import SYSTEM, Agent, HandoffOperations, ReplyError, in_thread
from bot.handoff.rasa_client import RasaError
from bot.handoff.state import TransitionError
from bot.handoff.store import HandoffStore, NotFound, storable
from bot.rules.workdays import calendar_warning

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "application/javascript; charset=utf-8"}
STATIC_FILES = {p.name: p for p in (HERE / "static").iterdir() if p.suffix in STATIC_TYPES}
SESSION_COOKIE = "gongkai_desk"
LOGIN_COOKIE = "gongkai_desk_login"
COOKIE_PATH = "/desk"
PUBLIC = {"login_form", "login", "static"}  # route names reachable without a session
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FIELD = 4000

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE / "templates")),
    autoescape=True,  # everything, whatever the file name: citizens' text is never markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["wait"] = present.wait_text


@dataclass
class DeskContext:
    accounts: AccountStore
    handoffs: HandoffStore
    cases: CaseStore
    ops: HandoffOperations
    kb: knowledge.KnowledgeBase
    config: DeskConfig
    views: audit.ViewLog
    now: Callable[[], dt.datetime] = clock.now
    database_url: Optional[str] = None  # for the review queue and analytics (None: the default)


def route_name(request: Request) -> str:
    return request.route.name.rsplit(".", 1)[-1] if request.route else ""


def agent_of(request: Request) -> Agent:
    info: SessionInfo = request.ctx.desk
    return Agent(info.agent.username, info.agent.display_name)


def page(name: str, status: int = 200, **context: Any) -> HTTPResponse:
    html = templates.get_template(name).render(**context)
    return response.html(html, status=status, headers={"Cache-Control": "no-store"})


def json_answer(body: Dict[str, Any], status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, dumps=partial(json.dumps, ensure_ascii=False, default=str),
                         headers={"Cache-Control": "no-store"})


def error(status: int, message_zh: str) -> HTTPResponse:
    return json_answer({"ok": False, "message": message_zh}, status)


def field(request: Request, name: str) -> str:
    """A form field or JSON property, as storable text (the desk's scripts send JSON, plain forms
    work too)."""
    if request.content_type.startswith("application/json"):
        try:
            body = request.json or {}
        except Exception:
            body = {}
        value = body.get(name) if isinstance(body, dict) else None
    else:
        value = request.form.get(name)
    return storable(str(value or ""), MAX_FIELD)


def set_cookie(resp: HTTPResponse, name: str, value: str, max_age: int, secure: bool) -> None:
    resp.cookies[name] = value
    morsel = resp.cookies[name]
    morsel["path"] = COOKIE_PATH
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    morsel["max-age"] = max_age
    if secure:
        morsel["secure"] = True


def create_blueprint(ctx: DeskContext) -> Blueprint:
    bp = Blueprint("desk", url_prefix="/desk")

    @bp.route("/static/<name:str>", methods=["GET", "HEAD"], name="static")
    async def static(request: Request, name: str) -> HTTPResponse:
        """The desk's own two files, by name; any other name (a path, a NUL, 5,000 characters)
        is simply not one of them: 404."""
        path = STATIC_FILES.get(name)
        if path is None:
            return error(404, "没有这个文件。")
        return await response.file(path, mime_type=STATIC_TYPES[path.suffix],
                                   headers={"Cache-Control": "no-cache"})

    # ---- the guard: session, then CSRF ------------------------------------------------------

    @bp.middleware("request")
    async def guard(request: Request) -> Optional[HTTPResponse]:
        request.ctx.desk = None
        name = route_name(request)
        if name in PUBLIC:
            return None
        token = request.cookies.get(SESSION_COOKIE)
        info = await in_thread(ctx.accounts.session, token, ctx.now()) if token else None
        if info is None:
            if request.method == "GET" and name in PAGES:
                return response.redirect("/desk/login", status=303)
            return error(401, "请先登录。")
        request.ctx.desk = info
        if request.method not in SAFE_METHODS:
            given = request.headers.get(csrf.HEADER) or (
                request.form.get(csrf.FIELD) if not request.content_type.startswith("application/json") else None)
            if not csrf.tokens_match(info.csrf_token, given):
                log.warning("desk: CSRF token missing or wrong on %s", name)
                return error(403, "页面已过期，请刷新后重试。")
        return None

    @bp.middleware("response")
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)

    # ---- logging in and out -----------------------------------------------------------------

    def login_page(message: str = "", status: int = 200, username: str = "") -> HTTPResponse:
        token = csrf.new_token()
        resp = page("login.html", status, csrf_token=token, message=message, username=username)
        set_cookie(resp, LOGIN_COOKIE, token, 3600, ctx.config.secure_cookies)
        return resp

    @bp.get("/login", name="login_form")
    async def login_form(request: Request) -> HTTPResponse:
        return login_page()

    @bp.post("/login", name="login")
    async def login(request: Request) -> HTTPResponse:
        if not csrf.tokens_match(request.cookies.get(LOGIN_COOKIE), request.form.get(csrf.FIELD)):
            return login_page("页面已过期，请重新输入。", 403)
        username = storable(request.form.get("username") or "", 64)
        password = storable(request.form.get("password") or "", 512)
        ip = throttle.client_address(request.ip, request.headers, ctx.config.trusted_proxies)
        now = ctx.now()
        result = await in_thread(ctx.accounts.login, username, password, ip, now)
        if result.status is LoginStatus.WAIT:
            seconds = max(math.ceil((result.retry_at - now).total_seconds()), 1)
            resp = login_page(f"登录失败次数较多，请{seconds}秒后再试。", 429, username)
            resp.headers["Retry-After"] = str(seconds)
            return resp
        if result.status is LoginStatus.WRONG:
            return login_page("用户名或密码不正确。", 401, username)
        resp = response.redirect("/desk/", status=303)
        set_cookie(resp, SESSION_COOKIE, result.token, int(ctx.accounts.absolute.total_seconds()),
                   ctx.config.secure_cookies)
        set_cookie(resp, LOGIN_COOKIE, "", 0, ctx.config.secure_cookies)
        return resp

    @bp.post("/logout", name="logout")
    async def logout(request: Request) -> HTTPResponse:
        await in_thread(ctx.accounts.logout, request.cookies.get(SESSION_COOKIE))
        resp = response.redirect("/desk/login", status=303)
        set_cookie(resp, SESSION_COOKIE, "", 0, ctx.config.secure_cookies)
        return resp

    # ---- the queue --------------------------------------------------------------------------

    async def agent_names() -> Dict[str, str]:
        """username → display name, for showing who holds a hand-off."""
        names = {a.username: f"{a.display_name}（{a.username}）" for a in await in_thread(ctx.accounts.agents)}
        names[SYSTEM] = "系统（下班自动转回）"
        return names

    async def queue_snapshot() -> Dict[str, Any]:
        handoffs = await in_thread(ctx.handoffs.queue)
        tickets = await in_thread(ctx.handoffs.open_tickets)
        return present.queue(handoffs, tickets, ctx.now(), await agent_names())

    def base_context(request: Request) -> Dict[str, Any]:
        info: SessionInfo = request.ctx.desk
        return {"agent": info.agent, "csrf_token": info.csrf_token,
                "calendar_warning": calendar_warning(clock.today())}

    @bp.get("/", name="queue")
    async def queue(request: Request) -> HTTPResponse:
        snapshot = await queue_snapshot()
        recent = await in_thread(ctx.handoffs.recent, 10)
        names = await agent_names()
        return page("queue.html", **base_context(request), queue=snapshot,
                    recent=[present.recent_row(r, ctx.now(), names) for r in recent])

    @bp.get("/queue.json", name="queue_json")
    async def queue_json(request: Request) -> HTTPResponse:
        return json_answer(await queue_snapshot())

    @bp.get("/queue/stream", name="queue_stream")
    async def queue_stream(request: Request) -> None:
        async def produce():
            return [("queue", await queue_snapshot())]

        await stream(request, produce, ctx.config.stream_interval, ctx.config.stream_lifetime,
                     SECURITY_HEADERS)

    # ---- one conversation -------------------------------------------------------------------

    async def handoff_or_404(handoff_id: int):
        return await in_thread(ctx.handoffs.get, handoff_id)

    def state_of(record, request: Request, names: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        me = request.ctx.desk.agent.username
        return {**present.handoff_row(record, ctx.now(), names), "mine": record.agent == me,
                "open": record.status.is_open, "note": record.note or ""}

    def username(request: Request) -> str:
        return request.ctx.desk.agent.username

    async def readable(record, request: Request) -> bool:
        return await in_thread(ctx.views.may_read, record, username(request), ctx.now())

    def access_page(request: Request, record, names: Dict[str, str], message: str = "",
                    reason: str = "", status: int = 403) -> HTTPResponse:
        return page("access.html", status, **base_context(request),
                    handoff=present.handoff_row(record, ctx.now(), names),
                    ended=present.local_time(record.ended_at), message=message, reason=reason,
                    minutes=int(audit.GRANT_LIFETIME.total_seconds() // 60))

    @bp.get("/handoffs/<handoff_id:int>", name="conversation")
    async def conversation(request: Request, handoff_id: int) -> HTTPResponse:
        record = await handoff_or_404(handoff_id)
        if record is None:
            return page("missing.html", 404, **base_context(request), what="这次人工服务")
        names = await agent_names()
        if not await readable(record, request):
            return access_page(request, record, names)
        return page("conversation.html", **base_context(request),
                    handoff=state_of(record, request, names))

    @bp.post("/handoffs/<handoff_id:int>/access", name="grant_access")
    async def grant_access(request: Request, handoff_id: int) -> HTTPResponse:
        """An ended hand-off someone else served: opened to this agent after a written reason."""
        record = await handoff_or_404(handoff_id)
        if record is None:
            return page("missing.html", 404, **base_context(request), what="这次人工服务")
        reason = field(request, "reason")
        try:
            await in_thread(ctx.views.grant, record, username(request), reason, ctx.now())
        except audit.ReasonError as refused:
            return access_page(request, record, await agent_names(), refused.message_zh, reason[:200], 400)
        log.info("desk: %s opened ended hand-off %d with a reason", username(request), handoff_id)
        return response.redirect(f"/desk/handoffs/{handoff_id}", status=303)

    async def conversation_events(record, request: Request, latest: Dict[str, Any]):
        """[(event name, data)] for one hand-off: its state, its part of the transcript and the
        suggested answers for the citizen's latest message in it (recomputed only when that
        message changes)."""
        if not await readable(record, request):
            return [("problem", {"message": "这次人工服务已结束，查看对话记录须先说明原因，请刷新页面。"})]
        events = [("state", state_of(record, request, await agent_names()))]
        try:
            talk = await ctx.ops.conversation(record)
        except RasaError as failure:
            log.warning("desk conversation view: %s", failure)
            return events + [("problem", {"message": "暂时无法读取对话记录（Rasa 服务器无响应），稍后自动重试。"})]
        events.append(("transcript", {"entries": talk["entries"], "paused": talk["paused"]}))
        if talk["latest_user_text"] != latest.get("text", ""):
            try:
                found = await ctx.ops.suggestions(talk["latest_user_text"] or "", record.agency_id)
            except RasaError as failure:
                log.warning("desk suggestions: %s", failure)
                found = []
            latest.update(text=talk["latest_user_text"], items=[s.as_dict() for s in found])
        events.append(("suggestions", {"question": latest["text"], "items": latest["items"]}))
        events.append(("problem", {"message": "" if talk["found"] else "对话记录中找不到这次人工服务。"}))
        return events

    async def open_transcript(request: Request, handoff_id: int):
        """The hand-off if this agent may read its transcript (the reading recorded), or the
        answer refusing it."""
        record = await handoff_or_404(handoff_id)
        if record is None:
            return None, error(404, "没有这次人工服务。")
        if not await readable(record, request):
            return None, error(403, "这次人工服务已结束，查看对话记录须先说明原因。")
        await in_thread(ctx.views.record, record, username(request), ctx.now())
        return record, None

    @bp.get("/handoffs/<handoff_id:int>/conversation.json", name="conversation_json")
    async def conversation_json(request: Request, handoff_id: int) -> HTTPResponse:
        record, refused = await open_transcript(request, handoff_id)
        if refused:
            return refused
        return json_answer(dict(await conversation_events(record, request, {})))

    @bp.get("/handoffs/<handoff_id:int>/stream", name="conversation_stream")
    async def conversation_stream(request: Request, handoff_id: int) -> Optional[HTTPResponse]:
        _, refused = await open_transcript(request, handoff_id)
        if refused:
            return refused
        latest: Dict[str, Any] = {}

        async def produce():
            return await conversation_events(await handoff_or_404(handoff_id), request, latest)

        await stream(request, produce, ctx.config.stream_interval, ctx.config.stream_lifetime,
                     SECURITY_HEADERS)
        return None

    @bp.get("/views", name="views")
    async def views(request: Request) -> HTTPResponse:
        wanted = request.args.get("handoff", "")
        handoff_id = int(wanted) if wanted.isdigit() and len(wanted) <= 9 else None
        rows = await in_thread(ctx.views.recent, 200, handoff_id)
        names = await agent_names()
        return page("views.html", **base_context(request), handoff_id=handoff_id, rows=[
            {"opened": present.local_time(v.opened_at), "last_seen": present.local_time(v.last_seen_at),
             "agent": names.get(v.agent, v.agent), "handoff_id": v.handoff_id, "reason": v.reason}
            for v in rows])

    async def act(request: Request, handoff_id: int, action) -> HTTPResponse:
        try:
            result = await action(agent_of(request))
        except NotFound:
            return error(404, "没有这次人工服务。")
        except TransitionError as refused:
            return error(409, refused.message_zh)
        except ReplyError as refused:
            return error(400, refused.message_zh)
        except RasaError as failure:
            log.warning("desk action on hand-off %d: %s", handoff_id, failure)
            return error(502, "Rasa 服务器暂时无响应，操作没有完成，请稍后重试。")
        record, pushed = result if isinstance(result, tuple) else (result, None)
        body = {"ok": True, "handoff": state_of(record, request, await agent_names())}
        if pushed is not None:
            body["pushed"] = pushed
        return json_answer(body)

    @bp.post("/handoffs/<handoff_id:int>/take", name="take")
    async def take(request: Request, handoff_id: int) -> HTTPResponse:
        return await act(request, handoff_id, lambda agent: ctx.ops.take(handoff_id, agent))

    @bp.post("/handoffs/<handoff_id:int>/reply", name="reply")
    async def reply(request: Request, handoff_id: int) -> HTTPResponse:
        text = field(request, "text")
        return await act(request, handoff_id, lambda agent: ctx.ops.reply(handoff_id, agent, text))

    @bp.post("/handoffs/<handoff_id:int>/handback", name="hand_back")
    async def hand_back(request: Request, handoff_id: int) -> HTTPResponse:
        return await act(request, handoff_id, lambda agent: ctx.ops.hand_back(handoff_id, agent))

    @bp.post("/handoffs/<handoff_id:int>/close", name="close")
    async def close(request: Request, handoff_id: int) -> HTTPResponse:
        note = field(request, "note")
        return await act(request, handoff_id, lambda agent: ctx.ops.close(handoff_id, agent, note))

    # ---- callback tickets -------------------------------------------------------------------

    @bp.get("/callbacks/<ticket_id:int>", name="callback")
    async def callback(request: Request, ticket_id: int) -> HTTPResponse:
        ticket = await in_thread(ctx.handoffs.get_ticket, ticket_id)
        if ticket is None:
            return page("missing.html", 404, **base_context(request), what="这条回电留言")
        log.info("desk: %s opened callback ticket %d", request.ctx.desk.agent.username, ticket_id)
        return page("callback.html", **base_context(request), ticket=ticket,
                    row=present.ticket_row(ticket, ctx.now()), done_at=present.local_time(ticket.done_at))

    @bp.post("/callbacks/<ticket_id:int>/done", name="callback_done")
    async def callback_done(request: Request, ticket_id: int) -> HTTPResponse:
        note = field(request, "note")
        try:
            ticket = await in_thread(ctx.handoffs.complete_ticket, ticket_id,
                                     request.ctx.desk.agent.username, note, ctx.now())
        except NotFound:
            return error(404, "没有这条回电留言。")
        return json_answer({"ok": True, "status": ticket.status})

    # ---- caller mode ------------------------------------------------------------------------

    @bp.get("/caller", name="caller")
    async def caller_page(request: Request) -> HTTPResponse:
        return page("caller.html", **base_context(request), agencies=AGENCIES,
                    default_agency=settings.default_agency)

    @bp.post("/caller/ask", name="caller_ask")
    async def caller_ask(request: Request) -> HTTPResponse:
        question = field(request, "question").strip()
        agency = field(request, "agency")
        if not question:
            return error(400, "请输入来电人的问题。")
        agency = agency if agency in ctx.kb.agencies else settings.default_agency
        try:
            found = await ctx.ops.suggestions(question, agency)
        except RasaError as failure:
            log.warning("desk caller mode: %s", failure)
            return error(502, "Rasa 服务器暂时无响应，请稍后重试。")
        return json_answer({"ok": True, "items": [s.as_dict() for s in found]})

    @bp.post("/caller/case", name="caller_case")
    async def caller_case(request: Request) -> HTTPResponse:
        number = field(request, "case_number").strip()
        if not number:
            return error(400, "请输入申请编号。")
        view = await in_thread(caller.lookup, ctx.cases, number, request.ctx.desk.agent.username,
                               clock.today(), ctx.kb)
        if view is None:
            return error(404, "没有找到这个编号的申请，请核对编号（例如 ZBSP-2026-0001）。")
        return json_answer({"ok": True, "case_number": view.case_number, "status": view.status_text,
                            "applicant": view.applicant, "phone": view.phone})

    @bp.post("/caller/deadline", name="caller_deadline")
    async def caller_deadline(request: Request) -> HTTPResponse:
        history = field(request, "history").strip()
        agency = field(request, "agency")
        if not history:
            return error(400, "请输入来电人说的经过，例如：“11月3日寄的挂号信，11月5日签收”。")
        agency = agency if agency in ctx.kb.agencies else settings.default_agency
        view = await in_thread(caller.deadline_view, history[:MAX_FIELD], clock.today(), ctx.kb, agency)
        return json_answer({"ok": True, **view})

    # ---- review queue and analytics (bot/desk/insights.py) ----------------------------------
    insights.register(bp, ctx, page, base_context, ctx.database_url)
    calendar_page.register(bp, page, base_context, field)

    return bp


# GET routes that answer with a page: without a session they redirect to the login page (the
# others answer 401, which scripts and streams understand)
PAGES = {"queue", "conversation", "callback", "caller", "views"} | insights.PAGES | calendar_page.PAGES
