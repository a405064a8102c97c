"""Logging in and out (/desk/login, /desk/logout) and the desk's own static files: the routes a
visitor without a session may reach (``PUBLIC``)."""
from __future__ import annotations

import math

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import csrf, throttle, web
from bot.desk.accounts import LoginStatus
from bot.handoff.store import storable

bp = Blueprint("desk_auth")
PUBLIC = {"login_form", "login", "static"}  # route names reachable without a session
PAGES: set = set()

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "application/javascript; charset=utf-8"}
STATIC_FILES = {p.name: p for p in (web.HERE / "static").iterdir() if p.suffix in STATIC_TYPES}


@bp.route("/static/<name:str>", methods=["GET", "HEAD"], name="static")
async def static(request: Request, name: str) -> HTTPResponse:
    """The desk's own two files, by name; any other name (a path, a NUL, 5,000 characters)
    is simply not one of them: 404."""
    path = STATIC_FILES.get(name)
    if path is None:
        return web.error(404, "没有这个文件。")
    return await response.file(path, mime_type=STATIC_TYPES[path.suffix],
                               headers={"Cache-Control": "no-cache"})


def login_page(request: Request, message: str = "", status: int = 200, username: str = "") -> HTTPResponse:
    token = csrf.new_token()
    resp = web.page("login.html", status, csrf_token=token, message=message, username=username)
    web.set_cookie(resp, web.LOGIN_COOKIE, token, 3600, web.desk(request).settings.desk.secure_cookies)
    return resp


@bp.get("/login", name="login_form")
async def login_form(request: Request) -> HTTPResponse:
    return login_page(request)


@bp.post("/login", name="login")
async def login(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    if not csrf.tokens_match(request.cookies.get(web.LOGIN_COOKIE), request.form.get(csrf.FIELD)):
        return login_page(request, "页面已过期，请重新输入。", 403)
    username = storable(request.form.get("username") or "", 64)
    password = storable(request.form.get("password") or "", 512)
    ip = throttle.client_address(request.ip, request.headers, ctx.settings.trusted_proxies)
    now = ctx.now()
    result = await in_thread(ctx.accounts.login, username, password, ip, now)
    if result.status is LoginStatus.WAIT:
        seconds = max(math.ceil((result.retry_at - now).total_seconds()), 1)
        resp = login_page(request, f"登录失败次数较多，请{seconds}秒后再试。", 429, username)
        resp.headers["Retry-After"] = str(seconds)
        return resp
    if result.status is LoginStatus.WRONG:
        return login_page(request, "用户名或密码不正确。", 401, username)
    resp = response.redirect("/desk/", status=303)
    web.set_cookie(resp, web.SESSION_COOKIE, result.token, int(ctx.accounts.absolute.total_seconds()),
                   ctx.settings.desk.secure_cookies)
    web.set_cookie(resp, web.LOGIN_COOKIE, "", 0, ctx.settings.desk.secure_cookies)
    return resp


@bp.post("/logout", name="logout")
async def logout(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    await in_thread(ctx.accounts.logout, request.cookies.get(web.SESSION_COOKIE))
    resp = response.redirect("/desk/login", status=303)
    web.set_cookie(resp, web.SESSION_COOKIE, "", 0, ctx.settings.desk.secure_cookies)
    return resp
