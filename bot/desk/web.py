"""What every desk screen (bot/desk/screens/) shares: the desk's context on ``app.ctx.desk``, page
rendering, JSON answers, form fields, cookies, and the two middleware the screens' blueprint group
runs (bot.desk.screens.desk).

Every route of the desk requires a logged-in agent, except those named in
``bot.desk.screens.PUBLIC``: the check is the group's request middleware, so a new route is
protected without anyone remembering to. State-changing requests (anything but GET/HEAD) also need
the session's CSRF token, in the ``X-CSRF-Token`` header or the ``csrf_token`` form field. The login
form has its own token (double-submit cookie), since there is no session yet.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable, Collection, Dict, Mapping, Optional, Tuple

import jinja2
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.cases.store import CaseStore
from bot.content import knowledge
from bot.core import clock
from bot.core.bootstrap import Root
from bot.core.settings import Settings
from bot.core.threads import in_thread
from bot.desk import audit, csrf, present
from bot.desk.accounts import AccountStore, SessionInfo
from bot.desk.models import STAFF
from bot.desk.workbench import ChangeLog
from bot.feedback import analytics
from bot.feedback.store import FeedbackStore
from bot.handoff.operations import SYSTEM, Agent, HandoffOperations
from bot.handoff.store import HandoffStore, storable
from bot.rules.workdays import calendar_warning

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "gongkai_desk"
LOGIN_COOKIE = "gongkai_desk_login"
COOKIE_PATH = "/desk"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FIELD = 4000
DEFAULT_DAYS = 7  # the review queue's and analytics' default period, "this week": today and the six days before

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
    """What the desk's handlers work with; bot.desk.app.mount puts it on ``app.ctx.desk``."""
    accounts: AccountStore
    handoffs: HandoffStore
    cases: CaseStore
    feedback: FeedbackStore
    ops: HandoffOperations
    served_kb: Callable[[], knowledge.KnowledgeBase]  # the one served now (knowledge.cached)
    settings: Settings  # the desk's own section, the trusted proxies, the default agency
    views: audit.ViewLog
    lookups: audit.CaseLookupLog  # caller mode's case look-ups
    changes: ChangeLog  # staff edits to the knowledge base (bot.desk.workbench)
    root: Root  # the engines, for the analytics
    now: Callable[[], dt.datetime] = clock.now

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        """The knowledge base as served now: a staff member's saved edit (bot.desk.workbench) is
        what caller mode and the suggestions show seconds later, as the bot does."""
        return self.served_kb()

    def agency_or_default(self, agency_id: str) -> str:
        """``agency_id`` if the knowledge base has that agency, else the default agency."""
        return agency_id if agency_id in self.kb.agencies else self.settings.answers.default_agency


def desk(request: Request) -> DeskContext:
    return request.app.ctx.desk


def session(request: Request) -> SessionInfo:
    """The logged-in agent's session (set by the guard on every non-public route)."""
    return request.ctx.session


def username(request: Request) -> str:
    return session(request).agent.username


def agent_of(request: Request) -> Agent:
    info = session(request)
    return Agent(info.agent.username, info.agent.display_name)


def route_name(request: Request) -> str:
    return request.route.name.rsplit(".", 1)[-1] if request.route else ""


# ---- answers ----------------------------------------------------------------------------------

def page(name: str, status: int = 200, **context: Any) -> HTTPResponse:
    html = templates.get_template(name).render(**context)
    return response.html(html, status=status, headers={"Cache-Control": "no-store"})


def base_context(request: Request) -> Dict[str, Any]:
    """What base.html needs on every page after login."""
    info = session(request)
    return {"agent": info.agent, "csrf_token": info.csrf_token,
            "calendar_warning": calendar_warning(clock.today())}


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


def date_range(request: Request, today: dt.date) -> Tuple[dt.date, dt.date, Optional[str]]:
    """start, end (inclusive) from ?start=&end= (YYYY-MM-DD); default the last seven days."""
    end, start = today, today - dt.timedelta(days=DEFAULT_DAYS - 1)
    try:
        if request.args.get("end"):
            end = dt.date.fromisoformat(request.args.get("end"))
        if request.args.get("start"):
            start = dt.date.fromisoformat(request.args.get("start"))
        elif request.args.get("end"):
            start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    except (ValueError, OverflowError):  # OverflowError: a week before 0001-01-01
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today, "日期格式应为 2026-11-23。"
    if end < start:
        return start, start, "结束日期不能早于开始日期。"
    if (end - start).days >= analytics.MAX_DAYS:
        return end - dt.timedelta(days=analytics.MAX_DAYS - 1), end, "一次最多查看一年。"
    return start, end, None


async def agent_names(ctx: DeskContext) -> Dict[str, str]:
    """username → display name, for showing who holds a hand-off."""
    names = {a.username: f"{a.display_name}（{a.username}）" for a in await in_thread(ctx.accounts.agents)}
    names[SYSTEM] = "系统（下班自动转回）"
    return names


# ---- middleware -------------------------------------------------------------------------------

Middleware = Callable[[Request], Awaitable[Optional[HTTPResponse]]]


STAFF_HOME = "/desk/workbench"
NOT_FOR_AGENTS = "这个页面供知识库维护人员使用，坐席账号不能打开。"
NOT_FOR_STAFF = "这个页面供坐席使用：群众的对话和个人信息只对坐席开放。"


def screen_name(request: Request) -> str:
    """The blueprint (screen) of the route: ``app.desk_queue.queue`` → ``desk_queue``."""
    parts = request.route.name.split(".") if request.route else []
    return parts[-2] if len(parts) >= 2 else ""


def role_refusal(request: Request, info: SessionInfo, roles: Mapping[str, str],
                 pages: Collection[str]) -> Optional[HTTPResponse]:
    """None when the account's role may use the route's screen (``roles``: screen → the one
    role it is for; screens not named are for both). Otherwise a staff member asking for an
    agent's page is taken to the workbench, and everything else answers 403 with the reason."""
    wanted = roles.get(screen_name(request))
    if wanted is None or wanted == info.agent.role:
        return None
    if request.method == "GET" and route_name(request) in pages:
        if info.agent.role == STAFF:
            return response.redirect(STAFF_HOME, status=303)
        request.ctx.session = info
        return page("forbidden.html", 403, **base_context(request), message=NOT_FOR_AGENTS, home="/desk/")
    return error(403, NOT_FOR_STAFF if info.agent.role == STAFF else NOT_FOR_AGENTS)


def session_guard(public: Collection[str], pages: Collection[str],
                  roles: Mapping[str, str] = {}) -> Middleware:
    """The request middleware: a session for every route not named in `public`, the role the
    route's screen is for (``roles``, see role_refusal), then the CSRF token for state-changing
    requests. Without a session, GETs of `pages` redirect to the login page; everything else
    answers 401, which scripts and streams understand."""

    async def guard(request: Request) -> Optional[HTTPResponse]:
        request.ctx.session = None
        name = route_name(request)
        if name in public:
            return None
        ctx = desk(request)
        token = request.cookies.get(SESSION_COOKIE)
        info = await in_thread(ctx.accounts.session, token, ctx.now()) if token else None
        if info is None:
            if request.method == "GET" and name in pages:
                return response.redirect("/desk/login", status=303)
            return error(401, "请先登录。")
        refused = role_refusal(request, info, roles, pages)
        if refused is not None:
            return refused
        request.ctx.session = info
        if request.method not in SAFE_METHODS:
            given = request.headers.get(csrf.HEADER) or (
                request.form.get(csrf.FIELD) if not request.content_type.startswith("application/json") else None)
            if not csrf.tokens_match(info.csrf_token, given):
                log.warning("desk: CSRF token missing or wrong on %s", name)
                return error(403, "页面已过期，请刷新后重试。")
        return None

    return guard


async def security_headers(request: Request, resp: HTTPResponse) -> None:
    """The response middleware: the desk's pages never run foreign scripts or sit in frames."""
    for key, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(key, value)
