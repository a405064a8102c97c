"""Rasa's REST and socket.io channels behind the guard (bot/serving/guard.py: message-length cap,
per-sender rate limit, an apology with the hotline instead of an error or silence) and the channel
edge (bot/channels/edge.py: accepted sender ids, known metadata only, the trusted origin).
Same channel names (``rest``, ``socketio``), so URLs, the widget and the desk's replies through
Rasa are unchanged. Registered by module path in credentials.yml."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.request import Request

from bot.channels import widget_session
from bot.channels.edge import TEXT_ONLY, edge_metadata, origin, rest_sender
from bot.channels.origin import request_address
from bot.serving.guard import shared_guard

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]
# engine.io's limit for one message or long-polling POST (python-socketio's default is 1 MB). A
# widget message is at most GONGKAI_MAX_MESSAGE_CHARS (1,000) characters: ≤ 6 kB JSON-escaped.
MAX_SOCKET_BYTES = 64 * 1024


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
        return rest_sender(_body(req).get("sender"))

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        return message if isinstance(message, str) else ""  # the guard cleans it

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # never the client's word: analytics and the desk trust it

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return edge_metadata(_body(request).get("metadata"),
                             origin(self.name(), request_address(request), ""))


class GuardedSocketIOInput(SocketIOInput):
    """The website widget's socket.io channel, with server-issued session ids
    (bot/channels/widget_session.py): a socket speaks only in the conversation it was confirmed
    into. With GONGKAI_REDIS_URL set, the socket.io servers of all Rasa instances share one Redis
    message queue (python-socketio's AsyncRedisManager): a message emitted by any instance — e.g.
    an agent's reply the desk sends through instance A — reaches the widget even though its
    socket is held by instance B."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        guard = shared_guard()
        on_new_message = guard.wrap(on_new_message, self.name())
        blueprint = guard.bind(super().blueprint(on_new_message))
        sio = self.sio
        sio.eio.max_http_buffer_size = MAX_SOCKET_BYTES
        if guard.settings.redis_url:
            from socketio import AsyncRedisManager

            # swapped in before the server has seen any client (it initialises on first use)
            manager = AsyncRedisManager(guard.settings.redis_url,
                                        channel=f"{guard.settings.redis_prefix}:socketio")
            manager.set_server(sio)
            sio.manager = manager

        # data=None: an event sent without arguments
        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            await self._bind(sid, token)

        async def user_uttered(sid: Text, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            session = await self._session(sid, data.get("session_id"))
            if session is None:  # the socket went away meanwhile
                return
            text = data.get("message")
            if not isinstance(text, str):
                await sio.emit(self.bot_message_evt, {"text": TEXT_ONLY}, room=sid,
                               namespace=self.namespace)
                return
            where = origin(self.name(), session["address"], sid)
            await on_new_message(UserMessage(
                text, SocketIOOutput(sio, self.bot_message_evt), session["sender"],
                input_channel=self.name(),
                metadata=edge_metadata(_client_metadata(data.get(self.metadata_key)), where)))

        # in place of Rasa's handlers, which take the client's session_id as the conversation
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_uttered, namespace=self.namespace)
        return blueprint

    async def _session(self, sid: Text, token: Any) -> Optional[Dict[str, str]]:
        """The socket's session; a message before any session_request binds one first."""
        try:
            session = await self.sio.get_session(sid, namespace=self.namespace)
        except KeyError:
            return None
        if session.get("sender"):
            return session
        return await self._bind(sid, token)

    async def _bind(self, sid: Text, token: Any) -> Optional[Dict[str, str]]:
        """Puts the socket into the conversation of ``token`` if the server signed it, else into
        a new one, and confirms the token to the client (which keeps it for reloads). The
        session changes before anything that can suspend (get_session does no I/O), so a message
        right behind the session_request (python-socketio handles each event in its own task)
        finds it bound."""
        sender = widget_session.sender_of(token)
        if sender is None:
            token = widget_session.issue()
            sender = widget_session.sender_of(token)
        try:
            session = await self.sio.get_session(sid, namespace=self.namespace)  # the live dict
        except KeyError:
            return None
        previous = session.get("sender")
        if previous and previous != sender:
            self.sio.leave_room(sid, previous, namespace=self.namespace)
        self.sio.enter_room(sid, sender, namespace=self.namespace)
        if "address" not in session:
            request = (self.sio.get_environ(sid, namespace=self.namespace) or {}).get(
                "sanic.request")
            session["address"] = request_address(request) if request is not None else ""
        session["sender"] = sender
        await self.sio.save_session(sid, session, namespace=self.namespace)
        await self.sio.emit("session_confirm", token, room=sid, namespace=self.namespace)
        return session


def _client_metadata(value: Any) -> Any:
    """Rasa's socket.io channel also accepts metadata as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value
