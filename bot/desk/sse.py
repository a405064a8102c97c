"""Server-sent events on Sanic 21.12's streaming responses: the desk's live queue and
conversation view. Each stream polls a producer (database / Rasa) every few seconds, sends an
event only when its data changed, and ends after a while; EventSource reconnects by itself, so a
stream never pins a connection (or a graceful shutdown) for long."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable, Dict, Iterable, Tuple

from sanic.request import Request

Produce = Callable[[], Awaitable[Iterable[Tuple[str, Any]]]]
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
HEARTBEAT_EVERY = 15.0


def event(name: str, data: str) -> str:
    # data is one line of JSON (json.dumps escapes newlines), so one data: field suffices
    return f"event: {name}\ndata: {data}\n\n"


async def stream(request: Request, produce: Produce, interval: float, lifetime: float,
                 headers: dict) -> None:
    response = await request.respond(content_type="text/event-stream; charset=utf-8",
                                     headers={**HEADERS, **headers})
    await response.send("retry: 2000\n\n")
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    sent: Dict[str, Any] = {}
    while loop.time() - started < lifetime:
        for name, data in await produce():
            payload = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
            if sent.get(name) != payload:
                sent[name] = payload
                await response.send(event(name, payload))
                last_sent = loop.time()
        if loop.time() - last_sent > HEARTBEAT_EVERY:
            await response.send(": keep-alive\n\n")
            last_sent = loop.time()
        await asyncio.sleep(interval)
    await response.eof()
