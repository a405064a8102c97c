"""「试一试」 (/desk/try): staff type a question and see what the running assistant does with it —
the answer or 「您是不是想问」, the confidence, the next candidates and the agency — and can add it
as a paraphrase of the right FAQ (written to data/kb, live after training). The question is
parsed by the running Rasa server (/model/parse, with its API token) and read with the FAQ
action's own decision (actions.faq.decide). Staff only (``ROLE``)."""
from __future__ import annotations

import logging
from typing import Any, Sequence

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content import knowledge
from bot.core.threads import in_thread
from bot.desk import web, workbench
from bot.desk.models import STAFF
from bot.feedback import review
from bot.handoff.rasa_client import RasaError

log = logging.getLogger(__name__)

bp = Blueprint("desk_hit_test")
PAGES = {"try_page"}
ROLE = STAFF
MAX_QUESTION = 200
INTENTS = {"faq": "常见问题", "out_of_scope": "超出服务范围", "nlu_fallback": "没听懂", "greet": "问候",
           "goodbye": "告别", "request_human": "要求转人工", "thank": "致谢"}


def decide(ranking, text):
    """The FAQ action's decision; imported on first use (the action package loads rasa_sdk)."""
    from actions.faq import decide as faq_decide

    return faq_decide(ranking, text)


async def try_page_with(request: Request, status: int = 200, question: str = "", result: Any = None,
                        problems: Sequence[str] = (), notice: str = "") -> HTTPResponse:
    kb = await in_thread(knowledge.load, web.desk(request).settings.content.review_kb_dir)
    best = None
    if result is not None:
        best = result.faq_id or (result.candidates[0].faq_id if result.candidates else None)
    return web.page("try.html", status, **web.base_context(request), question=question, result=result,
                    problems=list(problems), notice=notice, verdicts=workbench.VERDICTS, intents=INTENTS,
                    titles={f.id: f.title for f in kb.faqs.values()}, best=best,
                    max_question=MAX_QUESTION)


@bp.get("/try", name="try_page")
async def try_page(request: Request) -> HTTPResponse:
    return await try_page_with(request)


@bp.post("/try", name="try_question")
async def try_question(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    question = " ".join(web.field(request, "question").split())
    if not question:
        return await try_page_with(request, 400, problems=["请输入一个问题。"])
    if len(question) > MAX_QUESTION:
        return await try_page_with(request, 400, question[:MAX_QUESTION],
                                   problems=[f"问题最多{MAX_QUESTION}个字。"])
    try:
        parse = await ctx.ops.rasa.parse(question)
    except RasaError as failure:
        log.warning("desk 试一试: %s", failure)
        return await try_page_with(request, 502, question, problems=["助手（Rasa 服务器）暂时无响应，请稍后再试。"])
    kb = knowledge.cached()  # what the assistant answers from right now
    result = await in_thread(workbench.hit_test, parse, kb, ctx.settings.answers.default_agency, decide)
    return await try_page_with(request, question=question, result=result)


@bp.post("/try/paraphrase", name="try_paraphrase")
async def try_paraphrase(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    question = " ".join(web.field(request, "question").split())[:MAX_QUESTION]
    faq_id = web.field(request, "faq_id")
    kb_dir = ctx.settings.content.review_kb_dir
    if not question or not faq_id:
        return await try_page_with(request, 400, question, problems=["请先试一个问题，再选择它应得到的答复。"])
    who = web.username(request)
    try:
        added = await in_thread(ctx.changes.tracked, kb_dir, who, workbench.PARAPHRASE, lambda _: faq_id,
                                lambda: workbench.add_paraphrase(kb_dir, faq_id, question), ctx.now())
    except review.ReviewError as refused:
        return await try_page_with(request, 400, question, problems=refused.problems)
    title = (await in_thread(knowledge.load, kb_dir)).faqs[faq_id].title
    log.info("desk 试一试: %s added a paraphrase to %s", who, faq_id)
    done = (f"已把「{question}」加为「{title}」的问法。" if added
            else f"「{question}」已是「{title}」的问法，无需重复添加。")
    return await try_page_with(request, question=question, notice=done + workbench.NEEDS_TRAINING)
