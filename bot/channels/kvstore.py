"""A tiny key-value store with expiry for channel state: de-duplication marks, pending numbered
choices, the cached access token.

In memory (bounded, with TTL) for one process; in Redis when several Rasa instances must share
the state (a WeChat retry may reach another instance than the first delivery). Every operation is
atomic in both: memory because asyncio runs one coroutine at a time and no method awaits midway;
Redis through SET NX / GETDEL and a small Lua script for compare-and-set.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Optional, Protocol


class KeyValueStore(Protocol):
    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Sets ``key`` only if it is absent; True if it was set."""

    async def get(self, key: str) -> Optional[str]: ...

    async def set(self, key: str, value: str, ttl: float) -> None: ...

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        """Sets ``key`` to ``value`` only if it currently holds ``expected``."""

    async def pop(self, key: str) -> Optional[str]:
        """Deletes ``key`` and returns the value it held."""

    async def close(self) -> None: ...


class MemoryStore:
    """One process's store: at most ``max_entries`` keys, the oldest dropped first."""

    def __init__(self, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def __len__(self) -> int:
        self._purge()
        return len(self._data)

    def _live(self, key: str) -> Optional[str]:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._data[key]
            return None
        return entry[0]

    def _purge(self) -> None:
        now = self._clock()
        for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
            del self._data[key]

    def _put(self, key: str, value: str, ttl: float) -> None:
        self._data.pop(key, None)
        if len(self._data) >= self.max_entries:
            self._purge()
        while len(self._data) >= self.max_entries:
            self._data.popitem(last=False)
        self._data[key] = (value, self._clock() + ttl)

    async def add(self, key: str, value: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl)
        return True

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._put(key, value, ttl)

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        if self._live(key) != expected:
            return False
        self._put(key, value, ttl)
        return True

    async def pop(self, key: str) -> Optional[str]:
        value = self._live(key)
        self._data.pop(key, None)
        return value

    async def close(self) -> None:
        pass


_REPLACE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""


class RedisStore:
    """Shared by every instance that uses the same Redis (SET NX PX, GETDEL: Redis ≥ 6.2)."""

    def __init__(self, url: str, prefix: str = "gongkai:") -> None:
        import redis.asyncio  # imported here: the memory store must work without a Redis client

        self.prefix = prefix
        self._redis = redis.asyncio.from_url(url, decode_responses=True,
                                             socket_connect_timeout=2, socket_timeout=2)
        self._replace = self._redis.register_script(_REPLACE)

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, int(ttl * 1000))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._redis.set(self.prefix + key, value, nx=True, px=self._ms(ttl)))

    async def get(self, key: str) -> Optional[str]:
        return await self._redis.get(self.prefix + key)

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._redis.set(self.prefix + key, value, px=self._ms(ttl))

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        done = await self._replace(keys=[self.prefix + key], args=[expected, value, self._ms(ttl)])
        return bool(done)

    async def pop(self, key: str) -> Optional[str]:
        return await self._redis.getdel(self.prefix + key)

    async def close(self) -> None:
        await self._redis.close()


def open_store(redis_url: str = "", max_entries: int = 10_000) -> KeyValueStore:
    """Redis when a URL is given, else memory."""
    return RedisStore(redis_url) if redis_url else MemoryStore(max_entries)
