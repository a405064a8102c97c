"""The holiday-arrangement page (/desk/calendar): staff enter next year's State Council
arrangement without editing YAML. A whole year is validated exactly as the override file is
(bot.rules.workdays.year_from_form) before it is written; deadline answers use it at once (the
calendar re-reads the file when it changes). Plain HTML form, post-redirect-get."""
from __future__ import annotations

import logging
from typing import Any, Dict, List
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import clock
from bot.core.threads import in_thread
from bot.desk import web
from bot.rules import workdays

log = logging.getLogger(__name__)

bp = Blueprint("desk_calendar")
PAGES = {"calendar"}


def known_years(today_year: int) -> List[Dict[str, Any]]:
    cal = workdays.default_calendar()
    rows = []
    for year in (today_year, today_year + 1):
        known = cal.is_known(year)
        rows.append({"year": year, "known": known, "source": cal.source(year) if known else ""})
    return rows


async def show(request: Request, status: int = 200, problem: str = "", form=None) -> HTTPResponse:
    today = clock.today()
    form = form or {"year": str(today.year + 1), "source": "", "holidays": "", "workdays": ""}
    return web.page("calendar.html", status, **web.base_context(request), years=known_years(today.year),
                    problem=problem, notice=request.args.get("notice", ""), form=form)


@bp.get("/calendar", name="calendar")
async def calendar_get(request: Request) -> HTTPResponse:
    return await show(request)


@bp.post("/calendar", name="calendar_save")
async def calendar_save(request: Request) -> HTTPResponse:
    form = {name: web.field(request, name) for name in ("year", "source", "holidays", "workdays")}
    try:
        override = workdays.year_from_form(form["year"], form["source"], form["holidays"], form["workdays"])
    except workdays.CalendarDataError as problem:
        return await show(request, 400, f"没有保存：{problem}", form)
    await in_thread(workdays.save_year, override)
    log.info("desk: %s entered the %d holiday arrangement (%d days off, %d make-up days)",
             web.username(request), override.year, len(override.holidays), len(override.workdays))
    notice = f"已保存{override.year}年的节假日安排，期限计算即刻按此执行。"
    return response.redirect("/desk/calendar?" + urlencode({"notice": notice}), status=303)
