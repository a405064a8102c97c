"""A website-widget client for tests: a python-socketio client that speaks as rasa-webchat does
(session_request on connect, user_uttered with the session id) and keeps what the server says.

The server issues the session (bot/channels/widget_session.py): ``token`` is what the browser
keeps, ``sender`` the conversation id Rasa stores — by the documented format ``socketio:`` + the
token's part before the dot, written out here rather than computed by the code under test."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional, Sequence

import socketio


def sender_of(token: str) -> str:
    return "socketio:" + token.split(".", 1)[0]


class Widget:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.texts: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.token: Optional[str] = None
        self.disconnected = asyncio.Event()
        self.client.on("bot_uttered", self._bot_uttered)
        self.client.on("session_confirm", self._session_confirm)
        self.client.on("disconnect", self.disconnected.set)

    async def _bot_uttered(self, data: Any) -> None:
        await self.texts.put((data or {}).get("text") or "")

    async def _session_confirm(self, token: Any) -> None:
        self.token = token
        await self.confirmed.put(token)

    @property
    def sender(self) -> str:
        assert self.token, "no session confirmed"
        return sender_of(self.token)

    async def request_session(self, session_id: Any = None, timeout: float = 30) -> str:
        """Sends session_request (``session_id`` as given, any value) → the confirmed token."""
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), timeout)

    async def emit(self, data: Any) -> None:
        await self.client.emit("user_uttered", data)

    async def say(self, message: Any, **extra: Any) -> None:
        await self.emit({"message": message, "session_id": self.token, **extra})

    async def answer_or_disconnect(self, timeout: float = 60) -> Optional[str]:
        """The next bot message, or None when the server closed the socket first."""
        answer = asyncio.ensure_future(self.texts.get())
        closed = asyncio.ensure_future(self.disconnected.wait())
        done, pending = await asyncio.wait({answer, closed}, timeout=timeout,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        assert done, "neither an answer nor a disconnect"
        return answer.result() if answer in done else None

    async def next_text(self, containing: str = "", timeout: float = 30) -> str:
        """The next bot message containing ``containing`` (earlier ones are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            text = await asyncio.wait_for(self.texts.get(), max(deadline - time.monotonic(), 0.1))
            if containing in text:
                return text


@asynccontextmanager
async def widget(url: str, session_id: Any = None,
                 transports: Sequence[str] = ("websocket",)) -> AsyncIterator[Widget]:
    """A connected widget with a confirmed session (``session_id``: what the browser offers)."""
    w = Widget()
    await w.client.connect(url, transports=list(transports), socketio_path="/socket.io")
    try:
        await w.request_session(session_id)
        yield w
    finally:
        await w.client.disconnect()
