"""A Redis lock store whose ticket book-keeping is atomic across Rasa processes.

Rasa 3.6's ``RedisLockStore`` keeps each conversation's ticket queue as one JSON value and
changes it by read-modify-write (``issue_ticket``, ``update_lock``, ``cleanup``). Two
``rasa run`` processes that receive messages of the same sender at the same moment can both read
the empty queue and both take ticket 0, and then handle the messages at the same time — the
tracker loses events. (Rasa's own attempt at an atomic variant, RasaHQ/rasa#11256, was
reverted in #11428.) Here every read-modify-write of a queue runs under a short Redis mutex
(redis-py's ``Lock``: SET NX PX plus a token-checked release), so tickets are unique and
messages of one sender are handled one after another whichever instance they reach.

Referenced by module path in the endpoints file::

    lock_store:
      type: bot.serving.lockstore.SerialRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 0
      key_prefix: gongkai
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MUTEX_TIMEOUT = 5.0   # seconds a crashed holder can block the queue at most
MUTEX_WAIT = 10.0     # seconds to wait for the mutex before giving up with LockError


class SerialRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds lock stores named by module path as cls(endpoint_config=…); `url` is the
        # Redis host, the other keys (port, db, password, key_prefix, …) as for `type: redis`
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
        import redis

        # outside the lock keys' namespace, so no conversation id can collide with it
        name = f"gongkai-mutex:{self.key_prefix}{conversation_id}"
        mutex = self.red.lock(name, timeout=MUTEX_TIMEOUT, blocking_timeout=MUTEX_WAIT)
        try:
            acquired = mutex.acquire()
        except redis.RedisError as error:
            raise LockError(f"Redis lock store unreachable: {error}") from error
        if not acquired:
            raise LockError(f"Timed out waiting for the ticket mutex of '{conversation_id}'.")
        try:
            yield
        finally:
            try:
                mutex.release()
            except redis.RedisError:  # expired meanwhile: nothing left to release
                logger.warning("ticket mutex expired before release (conversation queue busy)")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving + "delete if nobody waits" as one step: otherwise a ticket issued in
        # between by another process is deleted with the lock
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
