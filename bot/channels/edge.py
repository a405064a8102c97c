"""What every public channel does to a client's fields before Rasa sees them (docs/channels.md,
“At the channel edge”). Rasa stores what it is given: a lone UTF-16 surrogate in a sender id made
the SQL tracker store raise (and Rasa 3.6 exit, bot/serving/rasa_launch.py), and megabytes of metadata went
to disk as sent.

* text: anything but a string becomes ""; lone surrogates and NUL become U+FFFD (they cannot be
  encoded as UTF-8, and PostgreSQL text cannot hold NUL);
* sender ids: 1–255 printable characters, UTF-8-encodable, outside the namespaces of the channels
  that authenticate their users (``socketio:…``, ``wechat:…``); anything else is not accepted;
* metadata: only the keys we know, bounded; the trusted origin (``gongkai_origin``) is always
  ours, whatever the client sent under that name.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any, Mapping, Optional

MAX_SENDER_CHARS = 255  # Rasa's SQL tracker store: sender_id String(255)
REPLACEMENT = "\ufffd"
# Lone surrogates (a JSON "\ud800" decodes to one) and NUL: not storable as UTF-8 / in PostgreSQL.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")

# Sender ids of the channels whose users are authenticated (the widget's signed session, WeChat's
# signed openid) carry their channel's name; the REST channel may not use these namespaces, so a
# REST client cannot speak in a widget or WeChat conversation.
WIDGET_PREFIX = "socketio:"
WECHAT_PREFIX = "wechat:"
RESERVED_PREFIXES = (WIDGET_PREFIX, WECHAT_PREFIX)

ORIGIN_KEY = "gongkai_origin"  # the interface bot/cases codes against: do not change its shape

# Metadata a client may send: the widget's language tag. Nothing in the assistant reads any other
# key, and whatever is kept is written into the tracker with every message.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}")

# What a client gets when it sends something that is not text (socket.io, WeChat media).
TEXT_ONLY = "抱歉，我暂时只能看懂文字消息。请直接输入文字问题，例如：“申请信息公开多久答复？”"


def clean_text(value: Any) -> str:
    """The text as Rasa may store it: "" for a non-string, U+FFFD for each unstorable character."""
    if not isinstance(value, str):
        return ""
    return _UNSTORABLE.sub(REPLACEMENT, value)


def is_printable_id(value: str) -> bool:
    """1–255 characters, UTF-8-encodable, no control or format characters (a NUL, a newline or
    a bidi override in an id would corrupt logs and the desk, or a PostgreSQL column)."""
    if not 0 < len(value) <= MAX_SENDER_CHARS or _UNSTORABLE.search(value):
        return False
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
                   for ch in value)


def rest_sender(value: Any) -> str:
    """The REST client's sender id, or a fresh random one when it cannot be accepted (the client
    sees it as ``recipient_id`` in the reply). Rasa's own answer to a missing id, the shared
    conversation "default", would put every such client into one conversation.

    Not repaired: replacing an unstorable character with U+FFFD would merge different clients'
    conversations (``x\\ud800`` and ``x\\udc00``), and a reserved prefix is someone else's."""
    sender = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not is_printable_id(sender) or sender.startswith(RESERVED_PREFIXES):
        return uuid.uuid4().hex
    return sender


def client_metadata(value: Any) -> dict[str, Any]:
    """The keys of a client's metadata we keep, bounded: only ``language`` (a short language tag
    such as "zh" or "zh-CN"). Anything else is dropped."""
    if not isinstance(value, Mapping):
        return {}
    language = value.get("language")
    if isinstance(language, str) and _LANGUAGE.fullmatch(language):
        return {"language": language}
    return {}


def origin(channel: str, address: str, connection: str) -> dict[str, str]:
    """Where a message came from, as the channel (not the client) saw it. ``address`` is a keyed
    hash of the client's address (bot/channels/origin.py; "" where the client's address is not
    known: WeChat's requests come from WeChat's servers); ``connection`` is the socket.io sid, the
    WeChat openid, or "" (REST)."""
    return {"channel": channel, "address": address, "connection": connection}


def edge_metadata(client: Any, where: Mapping[str, str],
                  extra: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The metadata Rasa stores with a message: the client's known keys, the channel's own keys,
    and the origin — always ours, overwriting whatever the client sent under that key."""
    return {**client_metadata(client), **(extra or {}), ORIGIN_KEY: dict(where)}
