"""The widget's session ids, issued and signed by the server.

Rasa's socket.io channel takes any ``session_id`` a client names as the conversation id and puts
the socket into that conversation's room: whoever knew a session id (it is the sender id shown on
the desk and in logs) received that citizen's answers, case status included, and could speak in the
conversation. Here the server issues every session: the browser keeps a token
``<id>.<signature>`` (HMAC-SHA-256 of the id under the channel secret, bot/channels/origin.py) and
the conversation's sender id is ``socketio:<id>`` — the signature never leaves the browser and the
server, so the sender id alone opens nothing. A token the server did not sign gets a new session.

Rasa's ``jwt_key`` does not fit: it authenticates a connection with a token the embedding website
issues, but the citizens on an agency's page are anonymous and any holder of a valid JWT could still
name any session id.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any, Optional

from bot.channels.edge import WIDGET_PREFIX
from bot.channels.origin import channel_key

_TOKEN = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")


def _signature(session: str) -> str:
    return hmac.new(channel_key("widget-session"), session.encode("ascii"),
                    hashlib.sha256).hexdigest()[:32]


def issue() -> str:
    """A new session token."""
    session = secrets.token_hex(16)
    return f"{session}.{_signature(session)}"


def sender_of(token: Any) -> Optional[str]:
    """The sender id of a token the server signed; None for anything else."""
    match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None or not hmac.compare_digest(match.group(2), _signature(match.group(1))):
        return None
    return WIDGET_PREFIX + match.group(1)
