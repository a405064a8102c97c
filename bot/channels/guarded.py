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
    """The website widget's socket.io channel."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        return guard.bind(super().blueprint(guard.wrap(on_new_message)))
