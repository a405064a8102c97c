"""The desk's review queue (/desk/review) and analytics (/desk/analytics, /desk/analytics.csv).

Routes on the desk blueprint, so the blueprint's guard applies: agent login for everything, the
session's CSRF token for every POST. Plain HTML forms, post-redirect-get; no script needed.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content import knowledge
from bot.core import clock
from bot.core.threads import in_thread
from bot.feedback import analytics, charts, review
from bot.feedback.store import FeedbackStore

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7  # "this week": today and the six days before
DONE = {"paraphrase": "已把 {n} 条问法加入「{title}」。", "out_of_scope": "已将 {n} 条记录标记为不在服务范围。",
        "new_faq": "已新建问题「{title}」（{n} 条记录）。"}
RETRAIN = "修改已写入知识库并通过校验；在项目目录运行 make train 重新训练后生效，再用 make evaluate 检查准确率。"
PAGES = {"review", "analytics", "analytics_csv"}


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


def percent(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def minutes(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f} 分钟" if seconds >= 60 else f"{seconds:.0f} 秒"


def register(bp: Blueprint, ctx: Any, page: Callable[..., HTTPResponse],
             base_context: Callable[[Request], Dict[str, Any]], database_url: Optional[str]) -> None:
    store = FeedbackStore.from_url(database_url)

    def kb_dir():
        return review.review_kb_dir()

    def china_bounds(start: dt.date, end: dt.date):
        begin = dt.datetime.combine(start, dt.time(), clock.CHINA)
        return begin, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.CHINA)

    # ---- review queue -----------------------------------------------------------------------

    async def review_page(request: Request, status: int = 200, problems=(), form=None) -> HTTPResponse:
        start, end, problem = date_range(request, clock.today())
        items = await in_thread(store.open_items, *china_bounds(start, end))
        kb = await in_thread(knowledge.load, kb_dir())
        groups = review.group_items(items)
        notice = request.args.get("notice", "")
        return page("review.html", status, **base_context(request), groups=groups, kb=kb,
                    start=start, end=end, problems=list(problems) + ([problem] if problem else []),
                    notice=notice, reasons=review.REASON_LABELS, channels=charts.CHANNEL_LABELS,
                    topics=sorted(p.stem for p in (kb_dir() / "faq").glob("*.yml")),
                    local=lambda m: m.astimezone(clock.CHINA).strftime("%m-%d %H:%M"),
                    form=form or {}, query=urlencode({"start": start, "end": end}))

    @bp.get("/review", name="review")
    async def review_get(request: Request) -> HTTPResponse:
        return await review_page(request)

    def item_ids(request: Request):
        return [int(x) for x in (request.form.get("item_ids") or "").split(",") if x.strip().isdigit()]

    def back(request: Request, text: str) -> HTTPResponse:
        query = {k: request.form.get(k) for k in ("start", "end") if request.form.get(k)}
        query["notice"] = text
        return response.redirect("/desk/review?" + urlencode(query), status=303)

    @bp.post("/review/resolve", name="review_resolve")
    async def review_resolve(request: Request) -> HTTPResponse:
        who = request.ctx.desk.agent.username
        ids = item_ids(request)
        action = request.form.get("action")
        if not ids or action not in ("paraphrase", "out_of_scope"):
            return await review_page(request, 400, ["请选择一组问题和一个处理方式。"])
        if action == "out_of_scope":
            n = await in_thread(store.resolve, ids, "out_of_scope", who, ctx.now())
            log.info("desk review: %s marked %d item(s) out of scope", who, n)
            return back(request, DONE["out_of_scope"].format(n=n))
        faq_id = request.form.get("faq_id") or ""
        questions = request.form.getlist("question") or []
        if not faq_id:
            return await review_page(request, 400, ["请选择要加入问法的问题。"])
        if not questions:
            return await review_page(request, 400, ["请至少勾选一条问法。"])
        try:
            added = await in_thread(review.add_paraphrases, kb_dir(), faq_id, questions)
        except review.ReviewError as refused:
            return await review_page(request, 400, refused.problems)
        await in_thread(store.resolve, ids, "paraphrase", who, ctx.now(), faq_id)
        title = (await in_thread(knowledge.load, kb_dir())).faqs[faq_id].title
        log.info("desk review: %s added %d paraphrase(s) to %s", who, len(added), faq_id)
        if not added:
            return back(request, f"所选问法已在「{title}」中，无需重复添加。")
        return back(request, DONE["paraphrase"].format(n=len(added), title=title) + RETRAIN)

    @bp.post("/review/new-faq", name="review_new_faq")
    async def review_new_faq(request: Request) -> HTTPResponse:
        who = request.ctx.desk.agent.username
        ids = item_ids(request)
        form = {k: (request.form.get(k) or "").strip() for k in
                ("faq_id", "title", "topic", "answer", "source_ref", "source_article", "examples")}
        form["item_ids"] = ",".join(map(str, ids))  # the group whose draft is shown again
        draft = review.NewFaq(form["faq_id"], form["title"], form["answer"], form["source_ref"],
                              form["source_article"], form["topic"], form["examples"].splitlines())
        if not (draft.title and draft.answer and draft.source_ref):
            return await review_page(request, 400, ["新问题需要标题、答复和出处。"], form)
        try:
            await in_thread(review.add_faq, kb_dir(), draft)
        except review.ReviewError as refused:
            return await review_page(request, 400, refused.problems, form)
        n = await in_thread(store.resolve, ids, "new_faq", who, ctx.now(), draft.id)
        log.info("desk review: %s drafted FAQ %s from %d item(s)", who, draft.id, n)
        return back(request, DONE["new_faq"].format(n=n, title=draft.title) + RETRAIN)

    # ---- analytics --------------------------------------------------------------------------

    @bp.get("/analytics", name="analytics")
    async def analytics_page(request: Request) -> HTTPResponse:
        start, end, problem = date_range(request, clock.today())
        report = await in_thread(analytics.build, start, end, database_url)
        titles = {faq_id: faq.title for faq_id, faq in ctx.kb.faqs.items()}
        days = report.days
        return page(
            "analytics.html", **base_context(request), report=report, start=start, end=end,
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
        start, end, _ = date_range(request, clock.today())
        report = await in_thread(analytics.build, start, end, database_url)
        return response.text(analytics.to_csv(report), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="gongkai-{start}-{end}.csv"',
            "Cache-Control": "no-store"})


RATING_LABELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
