"""Rasa's REST and socket.io channels behind the guard (bot/guard.py): message-length cap,
per-sender rate limit, and an apology with the hotline instead of an error or silence when
handling fails. Same channel names (``rest``, ``socketio``), so URLs, the widget and the desk's
replies through Rasa are unchanged. Registered by module path in credentials.yml."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.guard import shared_guard

Handler = Callable[[UserMessage], Awaitable[Any]]


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook, always 200 with the bot's messages (or the guard's)."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        return guard.bind(super().blueprint(guard.wrap(on_new_message)))


class GuardedSocketIOInput(SocketIOInput):
    """The website widget's socket.io channel. With GONGKAI_REDIS_URL set, the socket.io servers
    of all Rasa instances share one Redis message queue (python-socketio's AsyncRedisManager):
    a message emitted by any instance — e.g. an agent's reply the desk sends through instance
    A — reaches the widget even though its socket is held by instance B."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        blueprint = guard.bind(super().blueprint(guard.wrap(on_new_message)))
        if guard.settings.redis_url:
            from socketio import AsyncRedisManager

            # swapped in before the server has seen any client (it initialises on first use)
            manager = AsyncRedisManager(guard.settings.redis_url,
                                        channel=f"{guard.settings.redis_prefix}:socketio")
            manager.set_server(self.sio)
            self.sio.manager = manager
        return blueprint
