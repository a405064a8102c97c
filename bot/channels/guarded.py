"""Rasa's REST and socket.io channels behind the guard (bot/guard.py): message-length cap,
per-sender rate limit, and an apology with the hotline instead of an error or silence when
handling fails. Same channel names (``rest``, ``socketio``), so URLs, the widget and the desk's
replies through Rasa are unchanged. Registered by module path in credentials.yml."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.request import Request

from bot.guard import shared_guard

Handler = Callable[[UserMessage], Awaitable[Any]]
MAX_SENDER_CHARS = 255


def _body(request: Request) -> Dict[str, Any]:
    """The JSON object posted, or {} for anything else (no body, bad JSON, a list…), so that a
    malformed request gets the bot's polite answer to an empty message instead of a 400/500."""
    try:
        body = request.json
    except Exception:  # Sanic's InvalidUsage on unparsable JSON
        return {}
    return body if isinstance(body, dict) else {}


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook, always 200 with the bot's messages (or the guard's)."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        return guard.bind(super().blueprint(guard.wrap(on_new_message, self.name())))

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        sender = str(sender) if isinstance(sender, (str, int)) else ""
        # None makes Rasa pick a new id; the tracker store keeps at most 255 characters
        return sender if 0 < len(sender) <= MAX_SENDER_CHARS else None

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        return message if isinstance(message, str) else ""

    def _extract_input_channel(self, req: Request) -> Text:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None


class GuardedSocketIOInput(SocketIOInput):
    """The website widget's socket.io channel. With GONGKAI_REDIS_URL set, the socket.io servers
    of all Rasa instances share one Redis message queue (python-socketio's AsyncRedisManager):
    a message emitted by any instance — e.g. an agent's reply the desk sends through instance
    A — reaches the widget even though its socket is held by instance B."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        blueprint = guard.bind(super().blueprint(guard.wrap(on_new_message, self.name())))
        if guard.settings.redis_url:
            from socketio import AsyncRedisManager

            # swapped in before the server has seen any client (it initialises on first use)
            manager = AsyncRedisManager(guard.settings.redis_url,
                                        channel=f"{guard.settings.redis_prefix}:socketio")
            manager.set_server(self.sio)
            self.sio.manager = manager
        return blueprint
