"""HTTP API for the agency's case system to push cases and events (Sanic blueprint).

    POST /api/cases                    one case (fields as in docs/case-import.md, with optional
                                       ``events``): inserted or updated
    POST /api/cases/<number>/events    one event (object) or several (list) for an existing case

    GONGKAI_CASE_API_TOKEN   the bearer token the case system sends as
                             ``Authorization: Bearer <token>``. Unset: every request gets 503.

Responses are JSON: 200 ``{"ok": true, "case": {...}, "changes": {...}}``; 400 with ``errors``
(the importer's messages: same checks, same words); 401 bad token; 404 unknown case; 503 not
configured. The response carries no applicant name or phone. The web layer only parses and
answers: checking is ``bot.cases.validation``, storing ``CaseStore`` (run in a worker thread, its
sessions being synchronous).

Mount ``create_blueprint(store, token)`` on the project's web app, or run it alone:
``python -m bot.cases.api --port 8010``.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
from datetime import date
from functools import partial
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import unquote

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json
from sqlalchemy.exc import IntegrityError

from bot.cases.located import loads_with_lines
from bot.cases.numbers import normalize_case_number
from bot.cases.records import CaseRecord
from bot.cases.store import CaseNotFound, CaseStore, SaveSummary
from bot.core import clock
from bot.cases.validation import CaseDataError, Problem, parse_cases, parse_events, shown
from bot.core.db import database_url, upgrade
from bot.core.settings import settings
from bot.core.threads import in_thread

log = logging.getLogger(__name__)

TOKEN_ENV = "GONGKAI_CASE_API_TOKEN"
MAX_BODY_BYTES = 1024 * 1024


def _json(body: Dict[str, Any], status: int = 200, **kwargs) -> HTTPResponse:
    return sanic_json(body, status=status, dumps=partial(json.dumps, ensure_ascii=False), **kwargs)


def _error(status: int, code: str, zh: str, en: str, headers=None, **extra) -> HTTPResponse:
    body = {"ok": False, "error": code, "message": f"{zh} / {en}", "message_zh": zh,
            "message_en": en}
    body.update(extra)
    return _json(body, status, headers=headers)


def _invalid(error: CaseDataError) -> HTTPResponse:
    return _error(
        400, "invalid", "数据有问题，未写入", "invalid data, nothing stored",
        errors=[problem.as_dict() for problem in error.problems],
    )


def _digest(text: str) -> bytes:
    # equal-length digests, so comparing them reveals nothing about the token's length either
    return hashlib.sha256(text.encode("utf-8")).digest()


def _case_json(record: CaseRecord) -> Dict[str, Any]:
    return {
        "case_number": record.case_number,
        "agency_id": record.agency_id,
        "channel": record.channel,
        "submitted_on": record.submitted_on.isoformat(),
        "received_on": record.received_on.isoformat() if record.received_on else None,
        "stage": record.stage,
        "stage_label": record.stage_label,
        "answer_type": record.answer_type,
        "answer_label": record.answer_label,
        "subject": record.subject,
        "updated_at": record.updated_at.isoformat(),
        "events": [
            {
                "kind": event.kind,
                "occurred_on": event.occurred_on.isoformat(),
                "actor": event.actor,
                "note": event.note,
                "answer_type": event.answer_type,
            }
            for event in record.events
        ],
    }


def create_blueprint(
    store: CaseStore,
    token: Optional[str],
    *,
    today: Callable[[], date] = clock.today,
    name: str = "case_api",
) -> Blueprint:
    """The case API on ``store``, accepting ``token`` (None: refuse everything with 503)."""
    bp = Blueprint(name, url_prefix="/api")
    expected = _digest(token) if token else None

    def refused(request: Request) -> Optional[HTTPResponse]:
        if expected is None:
            return _error(
                503, "not_configured",
                f"案件接口未启用：服务器没有设置 {TOKEN_ENV}",
                f"the case API is disabled: {TOKEN_ENV} is not set on the server",
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(given.strip()), expected):
            return _error(
                401, "unauthorized", "令牌无效或缺失", "missing or invalid bearer token",
                headers={"WWW-Authenticate": 'Bearer realm="gongkai-cases"'},
            )
        return None

    def read_body(request: Request) -> Any:
        text = (request.body or b"").decode("utf-8", errors="replace")
        if not text.strip():
            raise CaseDataError([_problem("请求体为空，应为 JSON", "empty body; send JSON")])
        try:
            return loads_with_lines(text)
        except json.JSONDecodeError as error:
            raise CaseDataError([_problem(
                f"JSON 格式错误：{error.msg}（第{error.colno}列）",
                f"invalid JSON: {error.msg} (column {error.colno})",
                error.lineno,
            )])
        except (ValueError, RecursionError):
            # a number too long to convert, or nesting deeper than any case record needs
            raise CaseDataError([_problem(
                "JSON 无法处理：数字过长或嵌套过深",
                "JSON cannot be processed: a number too long or nesting too deep",
            )])

    async def answer(number: str, summary: SaveSummary) -> HTTPResponse:
        record = await in_thread(store.get, number)
        return _json({"ok": True, "case": _case_json(record), "changes": summary.as_dict()})

    @bp.post("/cases")
    async def post_case(request: Request) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        try:
            body = read_body(request)
            if not isinstance(body, dict):
                raise CaseDataError([_problem("请求体应为一个案件对象", "the body must be one case object", 1)])
            day = today()
            cases = parse_cases([body], today=day)
            summary = await in_thread(store.save_cases, cases, today=day)
        except CaseDataError as error:
            return _invalid(error)
        return await answer(cases[0].case_number, summary)

    @bp.post("/cases/<number>/events")
    async def post_events(request: Request, number: str) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        canonical = normalize_case_number(unquote(number))
        try:
            if canonical is None:
                raise CaseDataError([_problem(
                    f"案件编号“{shown(unquote(number))}”格式不正确，应类似 ZBSP-2026-0001",
                    f"\"{shown(unquote(number))}\" is not a case number like ZBSP-2026-0001",
                )])
            body = read_body(request)
            records: List[Any] = body if isinstance(body, list) else [body]
            events = parse_events(records)
            summary = await in_thread(store.add_events, canonical, events, today=today())
        except CaseDataError as error:
            return _invalid(error)
        except CaseNotFound:
            return _error(404, "not_found", f"没有案件 {canonical}", f"no case {canonical}")
        return await answer(canonical, summary)

    @bp.exception(IntegrityError)
    async def conflict(request: Request, error: Exception) -> HTTPResponse:
        log.warning("case API write conflict: %s", error.__class__.__name__)
        return _error(409, "conflict", "同时有另一个写入，请重试", "a concurrent write conflicted; retry")

    return bp


def _problem(zh: str, en: str, line: Optional[int] = None) -> Problem:
    return Problem(zh, en, line)


def create_app(
    database_url: Optional[str] = None,
    token: Optional[str] = None,
    *,
    store: Optional[CaseStore] = None,
    name: str = "gongkai_case_api",
) -> Sanic:
    """A Sanic app serving only the case API (``token`` None: read ``GONGKAI_CASE_API_TOKEN``)."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    store = store or CaseStore.from_url(database_url)
    token = token if token is not None else settings.cases.api_token
    if token is None:
        log.warning("%s is not set: the case API refuses every request (503)", TOKEN_ENV)
    app.blueprint(create_blueprint(store, token))
    return app


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.cases.api", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--database-url", help="default: GONGKAI_DATABASE_URL or sqlite:///var/gongkai.db")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = args.database_url or database_url()
    upgrade(url)
    create_app(url).run(host=args.host, port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
