"""Analytics (/desk/analytics, /desk/analytics.csv): conversations, answers, hand-offs and ratings
over a period, as charts and as CSV (bot.feedback.analytics, bot.feedback.charts)."""
from __future__ import annotations

import datetime as dt
from typing import Optional
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import clock
from bot.core.bootstrap import Root
from bot.core.threads import in_thread
from bot.desk import web
from bot.feedback import analytics, charts

bp = Blueprint("desk_analytics")
PAGES = {"analytics", "analytics_csv"}

RATING_LABELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))


def percent(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def minutes(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f} 分钟" if seconds >= 60 else f"{seconds:.0f} 秒"


def report_of(root: Root, start: dt.date, end: dt.date) -> analytics.Report:
    return analytics.build(start, end, root.engine(), root.tracker_engine())


@bp.get("/analytics", name="analytics")
async def analytics_page(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    start, end, problem = web.date_range(request, clock.today())
    report = await in_thread(report_of, ctx.root, start, end)
    titles = {faq_id: faq.title for faq_id, faq in ctx.kb.faqs.items()}
    days = report.days
    return web.page(
        "analytics.html", **web.base_context(request), report=report, start=start, end=end,
        problem=problem, percent=percent, minutes=minutes,
        query=urlencode({"start": start, "end": end}),
        conversations_chart=charts.stacked_bars("每日对话数（按渠道）", days, report.series("conversations")),
        turns_chart=charts.stacked_bars("每日消息数（按渠道）", days, report.series("turns")),
        fallback_chart=charts.rate_line("每日未能直接答复的比例", days, report.unanswered_rates()),
        top_chart=charts.horizontal_bars("答复最多的问题", [
            (titles.get(faq_id, faq_id), n) for faq_id, n in report.top_faqs]),
        ratings=[(label, report.ratings.get(value, 0)) for value, label in RATING_LABELS])


@bp.get("/analytics.csv", name="analytics_csv")
async def analytics_csv(request: Request) -> HTTPResponse:
    start, end, _ = web.date_range(request, clock.today())
    report = await in_thread(report_of, web.desk(request).root, start, end)
    return response.text(analytics.to_csv(report), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="gongkai-{start}-{end}.csv"',
        "Cache-Control": "no-store"})
