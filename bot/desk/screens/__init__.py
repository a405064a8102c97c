"""The desk's screens, one module and one blueprint each, assembled here into the group
``desk`` under /desk. Every blueprint of the group gets the session guard and the
security headers (bot.desk.web); a new screen is a module with a ``bp`` and its ``PAGES`` (GET
routes answering with a page, which redirect to the login page without a session), added to
``SCREENS``. A screen for one role only (bot.desk.models.ROLES) says so in ``ROLE``: staff
do not open citizens' conversations, agents do not edit the knowledge base."""
from __future__ import annotations

from sanic import Blueprint

from bot.desk import web
from bot.desk.screens import (
                              analytics,
                              auth,
                              calendar,
                              callbacks,
                              caller,
                              conversation,
                              hit_test,
                              queue,
                              reports,
                              review,
                              training,
                              views,
                              workbench,
)

SCREENS = (auth, queue, conversation, views, callbacks, caller, review, analytics, calendar,
           workbench, hit_test, reports, training)
PUBLIC = auth.PUBLIC
PAGES = frozenset().union(*(screen.PAGES for screen in SCREENS))
ROLES = {screen.bp.name: screen.ROLE for screen in SCREENS if hasattr(screen, "ROLE")}


# built once, at import: the middleware is added to each screen's blueprint, which every app that
# mounts the desk (bot.desk.app.mount) then registers
desk = Blueprint.group(*(screen.bp for screen in SCREENS), url_prefix="/desk")
desk.middleware(web.session_guard(PUBLIC, PAGES, ROLES), "request")
desk.middleware(web.security_headers, "response")
