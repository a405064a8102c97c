"""The review queue (/desk/review): questions the assistant could not answer well, grouped,
searched, filtered by kind and date and paged; an agent or staff member adds them as paraphrases
of an FAQ, drafts a new FAQ from them, or marks them out of scope (bot.feedback.review). Changes
to the knowledge base are recorded (bot.desk.workbench.ChangeLog). Plain HTML forms,
post-redirect-get; no script needed."""
from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.labels import CHANNEL_LABELS
from bot.content import knowledge
from bot.core import clock
from bot.core.threads import in_thread
from bot.desk import web, workbench
from bot.feedback import review

log = logging.getLogger(__name__)

bp = Blueprint("desk_review")
PAGES = {"review"}

DONE = {"paraphrase": "已把 {n} 条问法加入「{title}」。", "out_of_scope": "已将 {n} 条记录标记为不在服务范围。",
        "new_faq": "已新建问题「{title}」（{n} 条记录）。"}
RETRAIN = "修改已写入知识库并通过校验。" + workbench.NEEDS_TRAINING
MAX_QUERY = 50


def china_bounds(start: dt.date, end: dt.date):
    begin = dt.datetime.combine(start, dt.time(), clock.CHINA)
    return begin, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.CHINA)


def wanted(request: Request) -> review.Query:
    """?q=words&kind=fallback&kind=…&page=2, each checked: unknown kinds and odd pages are
    ignored rather than refused."""
    page = request.args.get("page") or ""
    kinds = tuple(k for k in request.args.getlist("kind") or [] if k in review.REASON_LABELS)
    return review.Query((request.args.get("q") or "").strip()[:MAX_QUERY], kinds,
                        int(page) if page.isdigit() and len(page) <= 6 else 1)


async def review_page(request: Request, status: int = 200, problems=(), form=None) -> HTTPResponse:
    ctx = web.desk(request)
    kb_dir = ctx.settings.content.review_kb_dir
    start, end, problem = web.date_range(request, clock.today())
    items = await in_thread(ctx.feedback.open_items, *china_bounds(start, end))
    kb = await in_thread(knowledge.load, kb_dir)
    query = wanted(request)
    found = await in_thread(review.find, items, query)
    notice = request.args.get("notice", "")
    filters = [("q", query.text), ("start", start), ("end", end)] + [("kind", k) for k in query.reasons]

    def page_query(number: int) -> str:
        return urlencode(filters + [("page", number)])

    return web.page("review.html", status, **web.base_context(request), groups=found.groups, found=found,
                    kb=kb, q=query.text, kinds=query.reasons, page_query=page_query,
                    start=start, end=end, problems=list(problems) + ([problem] if problem else []),
                    notice=notice, reasons=review.REASON_LABELS, channels=CHANNEL_LABELS,
                    topics=workbench.topics(kb_dir), sources=workbench.sources_choice(kb),
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
    ctx = web.desk(request)
    kb_dir = ctx.settings.content.review_kb_dir
    who = web.username(request)
    ids = item_ids(request)
    action = request.form.get("action")
    if not ids or action not in ("paraphrase", "out_of_scope"):
        return await review_page(request, 400, ["请选择一组问题和一个处理方式。"])
    if action == "out_of_scope":
        n = await in_thread(ctx.feedback.resolve, ids, "out_of_scope", who, ctx.now())
        log.info("desk review: %s marked %d item(s) out of scope", who, n)
        return back(request, DONE["out_of_scope"].format(n=n))
    faq_id = request.form.get("faq_id") or ""
    questions = request.form.getlist("question") or []
    if not faq_id:
        return await review_page(request, 400, ["请选择要加入问法的问题。"])
    if not questions:
        return await review_page(request, 400, ["请至少勾选一条问法。"])
    try:
        added = await in_thread(ctx.changes.tracked, kb_dir, who, workbench.PARAPHRASE, lambda _: faq_id,
                                lambda: review.add_paraphrases(kb_dir, faq_id, questions), ctx.now())
    except review.ReviewError as refused:
        return await review_page(request, 400, refused.problems)
    await in_thread(ctx.feedback.resolve, ids, "paraphrase", who, ctx.now(), faq_id)
    title = (await in_thread(knowledge.load, kb_dir)).faqs[faq_id].title
    log.info("desk review: %s added %d paraphrase(s) to %s", who, len(added), faq_id)
    if not added:
        return back(request, f"所选问法已在「{title}」中，无需重复添加。")
    return back(request, DONE["paraphrase"].format(n=len(added), title=title) + RETRAIN)


@bp.post("/review/new-faq", name="review_new_faq")
async def review_new_faq(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    who = web.username(request)
    ids = item_ids(request)
    form = {k: (request.form.get(k) or "").strip() for k in
            ("faq_id", "title", "topic", "answer", "source_ref", "source_article", "examples")}
    form["item_ids"] = ",".join(map(str, ids))  # the group whose draft is shown again
    draft = review.NewFaq(form["faq_id"], form["title"], form["answer"], form["source_ref"],
                          form["source_article"], form["topic"], form["examples"].splitlines())
    if not (draft.title and draft.answer and draft.source_ref):
        return await review_page(request, 400, ["新问题需要标题、答复和出处。"], form)
    kb_dir = ctx.settings.content.review_kb_dir
    try:
        faq_id = await in_thread(ctx.changes.tracked, kb_dir, who, workbench.NEW_FAQ, lambda made: made,
                                 lambda: review.add_faq(kb_dir, draft), ctx.now())
    except review.ReviewError as refused:
        return await review_page(request, 400, refused.problems, form)
    n = await in_thread(ctx.feedback.resolve, ids, "new_faq", who, ctx.now(), faq_id)
    log.info("desk review: %s drafted FAQ %s from %d item(s)", who, faq_id, n)
    return back(request, DONE["new_faq"].format(n=n, title=draft.title) + RETRAIN)
