"""Login throttling, as pure rules: growing delays, never a lock-out.

Failed logins are counted over ``WINDOW`` per username and per client address (the real one:
behind a reverse proxy see ``client_address``). After a few free failures, the next attempt
must wait: 1 s after the last failure, then 2, 4, 8 … seconds, up to a cap. An attempt made
while it must wait is refused without checking the password and without counting, so hammering
does not grow the delay, and the account's owner waits at most the username cap (60 s) after an
attacker's last attempt — nobody can lock an agent out, let alone the whole desk. Guessing
stays slow: about 20 passwords per username, and per address, in 15 minutes.

The address has more free failures than the username because a hotline room's agents may share
one address. A success does not wipe the count (or one agent who knows their own password could
keep guessing others' between their own logins)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from bot.channels.origin import client_ip, ip_address, is_trusted
from bot.core.settings import Network

WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed within the window before attempts have to wait
    cap: dt.timedelta  # the longest wait

    def retry_at(self, failures: Sequence[dt.datetime], now: dt.datetime,
                 window: dt.timedelta = WINDOW) -> Optional[dt.datetime]:
        """When the next attempt is allowed, or None when it is allowed at ``now``."""
        recent = sorted(t for t in failures if now - window < t <= now)
        if len(recent) < self.free:
            return None
        extra = len(recent) - self.free  # 0 for the first failure beyond the free ones
        delay = self.cap if extra >= 30 else min(dt.timedelta(seconds=2 ** extra), self.cap)
        until = recent[-1] + delay
        return until if until > now else None


ACCOUNT = Rule(free=3, cap=dt.timedelta(seconds=60))
ADDRESS = Rule(free=10, cap=dt.timedelta(minutes=5))


def client_address(peer: str, headers: Mapping[str, str], proxies: Sequence[Network]) -> str:
    """The address a request came from: the trusted proxy's ``X-Real-IP`` when the peer is one of
    ``proxies``, else the channels' rule (``origin.client_ip``: the right-most ``X-Forwarded-For``
    entry that is not a trusted proxy). Headers from anyone else are ignored: a client cannot
    choose its own address."""
    address = ip_address(peer or "")
    if address is None:
        return (peer or "unknown")[:64]
    real = ip_address(headers.get("x-real-ip") or "")
    if real is not None and is_trusted(address, proxies):
        return str(real)
    return client_ip(peer, headers.get("x-forwarded-for"), proxies)
