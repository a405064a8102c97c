"""「导入年度报告」 (/desk/reports): staff paste (or upload as a PDF or text file) a new 政府信息公开工作年度报告,
choose the agency and year, see the figures read from it beside those the knowledge base has, and
confirm; the figures are written to data/kb/annual_reports.yml through the validator, recorded in
the change log (who, when, the diff) and live in the answers within seconds, without training
(bot.desk.annual_reports). Staff only (``ROLE``). One plain HTML form: 「读取并对比」 shows the
comparison, 「确认导入」 saves; the text is read again on saving, never taken from the page's figures."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content import knowledge
from bot.content import report_import as parser
from bot.core import clock
from bot.core.threads import in_thread
from bot.desk import annual_reports, web, workbench
from bot.desk.models import STAFF
from bot.desk.screens.workbench import local
from bot.feedback import review

log = logging.getLogger(__name__)

bp = Blueprint("desk_reports")
PAGES = {"reports"}
ROLE = STAFF
CHECK, SAVE = "check", "save"


def _text(request: Request) -> str:
    """The pasted text, or the uploaded file's: a PDF's text (bot.content.report_import.pdf_text),
    or a text file in UTF-8 or GB18030 (as Chinese Windows saves it)."""
    upload = request.files.get("file") if request.files else None
    if upload is not None and upload.body:
        body = upload.body
        if body.startswith(b"%PDF"):
            text = parser.pdf_text(body)
            if not text.strip():
                raise ValueError("这个 PDF 文件里没有文字（可能是扫描件），请改为粘贴年报的文字。")
            return text[:annual_reports.MAX_TEXT]
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return body.decode(encoding)[:annual_reports.MAX_TEXT]
            except UnicodeDecodeError:
                continue
        raise ValueError("上传的文件不是 PDF 或文本文件（UTF-8 或 GBK 编码），请改为粘贴年报的文字。")
    return str(request.form.get("text") or "")[:annual_reports.MAX_TEXT]


def _year(value: str) -> Optional[int]:
    try:
        year = int(value.strip())
    except ValueError:
        return None
    return year if 2000 <= year <= clock.today().year else None


async def show(request: Request, status: int = 200, form: Optional[Dict[str, Any]] = None,
               rows: Sequence[annual_reports.Row] = (), parsed: Optional[parser.ParsedReport] = None,
               problems: Sequence[str] = (), notes: str = "") -> HTTPResponse:
    ctx = web.desk(request)
    kb = await in_thread(knowledge.load, ctx.settings.content.review_kb_dir)
    form = form or {"agency": next(iter(kb.agencies)), "year": str(clock.today().year - 1), "text": ""}
    changes = [c for c in await in_thread(ctx.changes.recent, 50) if c.kind == workbench.REPORT][:10]
    known = sorted(((r["agency"], r["year"]) for r in kb.reports.get("reports") or []),
                   key=lambda r: (r[0], -r[1]))
    titles = annual_reports.change_titles(kb)
    return web.page("reports.html", status, **web.base_context(request), form=form, rows=list(rows),
                    parsed=parsed, problems=list(problems), notes=notes, agencies=kb.agencies,
                    known=known, notice=request.args.get("notice", ""), changes=changes,
                    names=await web.agent_names(ctx), local=local, titles=titles,
                    ADDED=annual_reports.ADDED, REMOVED=annual_reports.REMOVED, CHANGED=annual_reports.CHANGED)


@bp.get("/reports", name="reports")
async def reports_page(request: Request) -> HTTPResponse:
    return await show(request)


@bp.post("/reports", name="reports_import")
async def reports_import(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    kb_dir = ctx.settings.content.review_kb_dir
    kb = await in_thread(knowledge.load, kb_dir)
    agency_id = str(request.form.get("agency") or "")
    year_text = str(request.form.get("year") or "")
    notes_text = str(request.form.get("notes") or "")[:annual_reports.MAX_NOTE * annual_reports.MAX_NOTES]
    try:
        text = await in_thread(_text, request)
    except ValueError as refused:
        form = {"agency": agency_id, "year": year_text, "text": ""}
        return await show(request, 400, form, problems=[str(refused)])
    form = {"agency": agency_id, "year": year_text, "text": text}
    year = _year(year_text)
    problems: List[str] = []
    if agency_id not in kb.agencies:
        problems.append("请选择机构。")
    if year is None:
        problems.append(f"年份应为2000年到{clock.today().year}年之间的四位数字，例如 {clock.today().year - 1}。")
    if not text.strip():
        problems.append("请粘贴年度报告的全文，或选择年报的文本文件。")
    if problems:
        return await show(request, 400, form, problems=problems)
    assert year is not None
    names = annual_reports.agency_names(kb)
    report_text, found = parser.report_of(text, names, agency_id, year)
    if report_text is None:
        given = "、".join(f"{kb.agencies[r.agency_id]['name']}{r.year}年" for r in found)
        return await show(request, 400, form, problems=[
            f"粘贴的文字是{given}的年度报告，不是{kb.agencies[agency_id]['name']}{year}年的；请核对机构和年份。"])
    parsed = await in_thread(parser.parse, report_text)
    rows = annual_reports.compare(kb, agency_id, year, parsed)
    known = annual_reports.existing(kb, agency_id, year)
    if request.form.get("action") != SAVE:
        notes = "\n".join(known.get("notes") or []) if known else ""
        return await show(request, 200, form, rows, parsed, notes=notes)
    notes_given = annual_reports.notes_from_form(notes_text)
    who = web.username(request)
    try:
        await in_thread(ctx.changes.tracked, kb_dir, who, workbench.REPORT,
                        lambda _: annual_reports.change_id(agency_id, year),
                        lambda: annual_reports.save(kb_dir, agency_id, year, parsed, notes_given), ctx.now(),
                        annual_reports.changed_files)
    except review.ReviewError as refused:
        return await show(request, 400, form, rows, parsed, problems=refused.problems, notes=notes_text)
    changed = sum(1 for row in rows if row.state != annual_reports.SAME)
    log.info("desk reports: %s imported the %d report of %s (%d items differ)", who, year, agency_id, changed)
    notice = (f"已导入{kb.agencies[agency_id]['name']}{year}年度报告（{changed}项与原有数字不同），"
              "并通过校验。助手将在几秒内按新数字回答，无需重新训练。")
    return response.redirect("/desk/reports?" + urlencode({"notice": notice}), status=303)
