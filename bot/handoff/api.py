"""Collecting the desk's messages over plain HTTP, for REST-channel clients (Sanic blueprint).

    GET /api/conversations/<sender>/messages?since=<timestamp>

The REST channel answers each message synchronously and cannot push, so while a conversation is
with an agent (and just after it is handed back), the client polls here every few seconds. The
answer lists the agents' replies and the desk's notices recorded after ``since`` (a Rasa event
timestamp, seconds since the epoch; pass the last ``timestamp`` received, or 0):

    {"messages": [{"text": "...", "timestamp": 1763877600.5, "kind": "agent", "agent": "王芳"}],
     "handed_off": true, "next_since": 1763877600.5}

Trust model: the same as the REST webhook itself. Whoever knows a sender id can already post as
that citizen there, so sender ids must be unguessable (clients choose random UUIDs). Conversations
that never had a hand-off get an empty answer without Rasa being asked (no tracker is created for
ids someone makes up).
"""
from __future__ import annotations

import json
import math
from functools import partial

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json

from bot.handoff import transcript
from bot.handoff.operations import in_thread
from bot.handoff.rasa_client import RasaClient, RasaError
from bot.handoff.store import HandoffStore

MAX_SENDER = 128


def _json(body, status: int = 200) -> HTTPResponse:
    return sanic_json(body, status=status, dumps=partial(json.dumps, ensure_ascii=False),
                      headers={"Cache-Control": "no-store"})


def create_blueprint(store: HandoffStore, rasa: RasaClient, name: str = "handoff_messages") -> Blueprint:
    bp = Blueprint(name, url_prefix="/api/conversations")

    @bp.get("/<sender_id:str>/messages", name="messages")
    async def messages(request: Request, sender_id: str) -> HTTPResponse:
        if not sender_id or len(sender_id) > MAX_SENDER:
            return _json({"ok": False, "message": "会话编号无效。"}, 400)
        try:
            since = float(request.args.get("since", "0") or 0)
        except ValueError:
            since = math.nan
        if not math.isfinite(since):
            return _json({"ok": False, "message": "since 应为时间戳（秒）。"}, 400)
        if not await in_thread(store.has_handoff, sender_id):
            return _json({"messages": [], "handed_off": False, "next_since": since})
        try:
            tracker = await rasa.tracker(sender_id)
        except RasaError:
            return _json({"ok": False, "message": "暂时无法读取消息，请稍后重试。"}, 503)
        found = transcript.desk_messages_since(tracker, since)
        return _json({"messages": found, "handed_off": transcript.is_paused(tracker),
                      "next_since": max([since] + [m["timestamp"] for m in found])})

    return bp
