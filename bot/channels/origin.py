"""The channels' secret and the client's address as a channel may believe it.

GONGKAI_CHANNEL_SECRET: signs the widget's session ids (bot/channels/widget_session.py) and keys
the hash of client addresses. Several Rasa instances must share one value. Unset: a random secret
kept in GONGKAI_CHANNEL_SECRET_FILE (default var/channel-secret, created owner-only), so one
machine's restarts keep the widget's conversations.

GONGKAI_TRUSTED_PROXIES: comma- or space-separated addresses or networks (e.g. "10.0.0.5" or
"127.0.0.1,10.0.0.0/24") of the reverse proxies in front of Rasa (deploy/nginx.conf; read with
the other settings, bot.core.settings). Only a
request whose peer is one of them has its X-Forwarded-For believed; the client address is then
the right-most entry that is not itself a trusted proxy. Unset: the peer is the client, and any
X-Forwarded-For is ignored (a client could write anything there).

The address leaves the channel only as a keyed hash (HMAC-SHA-256 under the channel secret,
16 hex digits): enough to count per address (bot/cases), not an IP address stored in every
tracker event and shown in transcripts; without the secret the 2³² IPv4 addresses cannot simply
be hashed and compared. An IPv6 client is counted per /64 network: one subscriber gets a whole
/64 and could otherwise take a fresh address for every request.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence, Union

from bot.core.settings import Network, SettingsError, settings

logger = logging.getLogger(__name__)


def _secret_from_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by another process
        value = path.read_text(encoding="ascii").strip()
        if len(value) < 32:
            raise SettingsError(f"{path} holds no usable channel secret") from None
        return value.encode("ascii")
    value = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(value + "\n")
    logger.info("channel secret created in %s (set GONGKAI_CHANNEL_SECRET on every instance "
                "when there are several)", path)
    return value.encode("ascii")


@lru_cache(maxsize=1)
def _master_secret() -> bytes:
    value = settings.channels.secret
    if value:
        if len(value) < 16:
            raise SettingsError("GONGKAI_CHANNEL_SECRET must be at least 16 characters")
        return value.encode("utf-8")
    return _secret_from_file(settings.channels.secret_file)


def channel_key(purpose: str) -> bytes:
    """A key for one purpose, derived from the channel secret (one secret, separate keys)."""
    return hmac.new(_master_secret(), purpose.encode("utf-8"), hashlib.sha256).digest()


def ip_address(value: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_ip(peer: str, forwarded_for: Optional[str],
              proxies: Optional[Sequence[Network]] = None) -> str:
    """The client's address: the peer's, or — when the peer is a trusted proxy — the right-most
    X-Forwarded-For entry that is not a trusted proxy ("" when nothing usable is known)."""
    proxies = settings.trusted_proxies if proxies is None else proxies
    address = ip_address(peer or "")
    if address is None:
        return ""
    if not forwarded_for or not is_trusted(address, proxies):
        return str(address)
    for entry in reversed(forwarded_for.split(",")):
        hop = ip_address(entry)
        if hop is None:
            return str(address)  # a garbled chain: believe no further than the proxy itself
        if not is_trusted(hop, proxies):
            return str(hop)
        address = hop
    return str(address)


def address_tag(ip: str) -> str:
    """The keyed hash a channel records instead of the address (IPv6: of its /64 network)."""
    address = ip_address(ip)
    if address is None:
        return ""
    text = (str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6
            else str(address))
    return hmac.new(channel_key("client-address"), text.encode("ascii"),
                    hashlib.sha256).hexdigest()[:16]


def forwarded_for(headers: Mapping[str, str]) -> Optional[str]:
    """All X-Forwarded-For headers of a request, joined in order."""
    getall = getattr(headers, "getall", None)
    values = getall("x-forwarded-for", []) if getall else [headers.get("x-forwarded-for") or ""]
    joined = ",".join(v for v in values if v)
    return joined or None


def request_address(request) -> str:
    """The keyed hash of a Sanic request's client address."""
    return address_tag(client_ip(request.ip, forwarded_for(request.headers)))
