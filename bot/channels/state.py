"""Conversation state a text channel keeps between requests, on a KeyValueStore (memory or Redis):
which incoming messages were already seen, and which numbered choices a user may reply with."""
from __future__ import annotations

import json
from typing import Optional

from bot.channels.kvstore import KeyValueStore

PROCESSING = "processing"  # the first delivery is running its turn
RETRIED = "retried"        # a retry came while it ran: its passive reply would reach nobody
DONE = "done"              # answered through the messaging API, or nothing to answer
PASSIVE = "passive:"       # answered in the HTTP response; the reply text follows


class Deduplicator:
    """Claims each incoming message once. A duplicate learns what became of the original:
    still running, answered asynchronously, or answered passively (with the reply, so that a
    retry caused by a lost response can be given the same reply instead of a second turn)."""

    def __init__(self, store: KeyValueStore, ttl: float = 300.0, prefix: str = "seen:") -> None:
        self.store, self.ttl, self.prefix = store, ttl, prefix

    async def claim(self, key: str) -> Optional[str]:
        """None for the first delivery of ``key``; for a duplicate, the original's state."""
        key = self.prefix + key
        if await self.store.add(key, PROCESSING, self.ttl):
            return None
        if await self.store.replace(key, PROCESSING, RETRIED, self.ttl):
            return RETRIED
        return await self.store.get(key) or DONE  # expired meanwhile: answer nothing twice

    async def answered_passively(self, key: str, reply: str) -> bool:
        """Records the passive reply; False if a retry arrived first (then answer via the API)."""
        return await self.store.replace(self.prefix + key, PROCESSING, PASSIVE + reply, self.ttl)

    async def answered_later(self, key: str) -> None:
        await self.store.set(self.prefix + key, DONE, self.ttl)


def passive_reply(state: Optional[str]) -> Optional[str]:
    """The reply a duplicate should repeat, if the original was answered passively."""
    return state[len(PASSIVE):] if state and state.startswith(PASSIVE) else None


class PendingChoices:
    """The payloads behind the numbers of the last numbered list a user was shown."""

    def __init__(self, store: KeyValueStore, ttl: float = 1800.0,
                 prefix: str = "choices:") -> None:
        self.store, self.ttl, self.prefix = store, ttl, prefix

    async def offer(self, user: str, payloads: list[str]) -> None:
        await self.store.set(self.prefix + user, json.dumps(payloads, ensure_ascii=False),
                             self.ttl)

    async def take(self, user: str) -> list[str]:
        """The pending payloads, forgotten from now on (a new message starts afresh)."""
        raw = await self.store.pop(self.prefix + user)
        try:
            payloads = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [p for p in payloads if isinstance(p, str)] if isinstance(payloads, list) else []
