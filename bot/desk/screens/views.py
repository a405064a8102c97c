"""Who read which transcript (/desk/views): the audit log of transcript views (bot.desk.audit),
optionally for one hand-off (?handoff=<id>), and of caller mode's case look-ups."""
from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.threads import in_thread
from bot.desk import present, web
from bot.desk.models import AGENT

bp = Blueprint("desk_views")
PAGES = {"views"}
ROLE = AGENT  # citizens' conversations and personal data: agents only


@bp.get("/views", name="views")
async def views(request: Request) -> HTTPResponse:
    ctx = web.desk(request)
    wanted = request.args.get("handoff", "")
    handoff_id = int(wanted) if wanted.isdigit() and len(wanted) <= 9 else None
    rows = await in_thread(ctx.views.recent, 200, handoff_id)
    names = await web.agent_names(ctx)
    lookups = await in_thread(ctx.lookups.recent, 200)
    return web.page("views.html", **web.base_context(request), handoff_id=handoff_id, rows=[
        {"opened": present.local_time(v.opened_at), "last_seen": present.local_time(v.last_seen_at),
         "agent": names.get(v.agent, v.agent), "handoff_id": v.handoff_id, "reason": v.reason}
        for v in rows], lookups=[
        {"at": present.local_time(x.at), "agent": names.get(x.agent, x.agent),
         "by": "来电号码" if x.by == "phone" else "申请编号", "query": x.query, "found": x.found}
        for x in lookups])
