"""The staff's knowledge workbench (/desk/workbench): find an FAQ, edit its title, answer and
sources with a preview for every agency, save it (live in seconds), and read who changed what
(bot.desk.workbench). Staff only (``ROLE``). Plain HTML forms: 「预览」 and 「保存」 post the
form; static/workbench.js also refreshes the preview as the staff member types (…/preview, JSON)."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, Optional, Sequence

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content import knowledge
from bot.core import clock
from bot.core.threads import in_thread
from bot.desk import annual_reports, web, workbench
from bot.desk.models import STAFF
from bot.feedback import review

log = logging.getLogger(__name__)

bp = Blueprint("desk_workbench")
PAGES = {"workbench", "workbench_faq"}
ROLE = STAFF
MAX_QUERY = 50


def local(moment) -> str:
    return moment.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")


def matches(faq: knowledge.Faq, needle: str) -> bool:
    return not needle or any(needle in knowledge.fold(text) for text in (faq.title, faq.answer, faq.id))


async def changes_context(request: Request, kb: knowledge.KnowledgeBase,
                          faq_id: Optional[str] = None) -> Dict[str, Any]:
    ctx = web.desk(request)
    changes = await in_thread(ctx.changes.recent, 20, faq_id)
    return {"changes": changes, "names": await web.agent_names(ctx), "local": local,
            "titles": {**annual_reports.change_titles(kb), **{f.id: f.title for f in kb.faqs.values()}}}


@bp.get("/workbench", name="workbench")
async def faq_list(request: Request) -> HTTPResponse:
    kb = await in_thread(knowledge.load, web.desk(request).settings.content.review_kb_dir)
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    needle = knowledge.fold(q)
    faqs = [faq for faq in kb.faqs.values() if matches(faq, needle)]
    return web.page("workbench.html", **web.base_context(request), q=q, faqs=faqs,
                    topics=workbench.TOPIC_LABELS,
                    **await changes_context(request, kb))


def edit_from_form(request: Request) -> workbench.FaqEdit:
    refs = request.form.getlist("source_ref") or []
    articles = request.form.getlist("source_article") or []
    sources = tuple(workbench.Source(ref.strip(), (articles[i] if i < len(articles) else "").strip())
                    for i, ref in enumerate(refs[:workbench.MAX_SOURCES]) if ref.strip())
    return workbench.FaqEdit(web.field(request, "title").strip(), web.field(request, "answer"), sources)


async def edit_page(request: Request, kb: knowledge.KnowledgeBase, faq: knowledge.Faq,
                    edit: workbench.FaqEdit, status: int = 200, problems: Sequence[str] = (),
                    notice: str = "") -> HTTPResponse:
    return web.page("workbench_faq.html", status, **web.base_context(request), faq=faq, edit=edit,
                    previews=workbench.preview(kb, faq.id, edit), problems=list(problems), notice=notice,
                    sources=workbench.sources_choice(kb), blank_source=workbench.Source(""),
                    max_title=workbench.MAX_TITLE, max_answer=workbench.MAX_ANSWER,
                    **await changes_context(request, kb, faq.id))


async def faq_or_none(request: Request, faq_id: str):
    kb = await in_thread(knowledge.load, web.desk(request).settings.content.review_kb_dir)
    return kb, kb.faqs.get(faq_id)


@bp.get("/workbench/faq/<faq_id:str>", name="workbench_faq")
async def faq_page(request: Request, faq_id: str) -> HTTPResponse:
    kb, faq = await faq_or_none(request, faq_id)
    if faq is None:
        return web.page("missing.html", 404, **web.base_context(request), what="这条问题")
    notice = workbench.LIVE if request.args.get("saved") else ""
    return await edit_page(request, kb, faq, workbench.edit_of(faq), notice=notice)


@bp.post("/workbench/faq/<faq_id:str>/preview", name="workbench_preview")
async def faq_preview(request: Request, faq_id: str) -> HTTPResponse:
    kb, faq = await faq_or_none(request, faq_id)
    if faq is None:
        return web.error(404, "没有这条问题。")
    shown = workbench.preview(kb, faq_id, edit_from_form(request))
    return web.json_answer({"ok": True, "previews": [dataclasses.asdict(p) for p in shown]})


@bp.post("/workbench/faq/<faq_id:str>", name="workbench_save")
async def faq_save(request: Request, faq_id: str) -> HTTPResponse:
    ctx = web.desk(request)
    kb, faq = await faq_or_none(request, faq_id)
    if faq is None:
        return web.page("missing.html", 404, **web.base_context(request), what="这条问题")
    edit = edit_from_form(request)
    if request.form.get("action") != "save":
        return await edit_page(request, kb, faq, edit)
    who = web.username(request)
    kb_dir = ctx.settings.content.review_kb_dir
    try:
        await in_thread(ctx.changes.tracked, kb_dir, who, workbench.EDIT, lambda _: faq_id,
                        lambda: workbench.save_edit(kb_dir, faq_id, edit), ctx.now())
    except review.ReviewError as refused:
        return await edit_page(request, kb, faq, edit, 400, refused.problems)
    log.info("desk workbench: %s edited the answer of %s", who, faq_id)
    return response.redirect(f"/desk/workbench/faq/{faq_id}?saved=1", status=303)
