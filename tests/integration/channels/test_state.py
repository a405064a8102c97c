"""De-duplication and pending choices on both stores: memory and the real Redis on this machine."""
import uuid

import pytest

from bot.channels.kvstore import MemoryStore, RedisStore
from bot.channels.state import DONE, PROCESSING, RETRIED, Deduplicator, PendingChoices, passive_reply

REDIS_URL = "redis://127.0.0.1:6379/0"
# async fixtures run on the session loop (pyproject); the tests must share it
pytestmark = pytest.mark.asyncio(loop_scope="session")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    redis_store = RedisStore(REDIS_URL, prefix=f"gongkai-test:{uuid.uuid4().hex}:")
    try:
        await redis_store.get("ping")
    except Exception as error:  # the brief's machine has Redis; say so plainly if it is gone
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
    yield redis_store
    await redis_store.close()


async def test_first_delivery_is_claimed_and_a_retry_during_processing_is_refused(store):
    dedup = Deduplicator(store)
    assert await dedup.claim("msg:1") is None
    assert await dedup.claim("msg:1") == RETRIED
    assert await dedup.claim("msg:1") == RETRIED
    assert await dedup.claim("msg:2") is None


async def test_a_passive_answer_is_repeated_to_a_later_retry(store):
    dedup = Deduplicator(store)
    await dedup.claim("msg:1")
    assert await dedup.answered_passively("msg:1", "20个工作日内答复")
    assert passive_reply(await dedup.claim("msg:1")) == "20个工作日内答复"


async def test_no_passive_answer_after_a_retry_arrived(store):
    dedup = Deduplicator(store)
    await dedup.claim("msg:1")
    await dedup.claim("msg:1")  # the retry
    assert not await dedup.answered_passively("msg:1", "太迟了")
    await dedup.answered_later("msg:1")
    state = await dedup.claim("msg:1")
    assert state == DONE and passive_reply(state) is None


async def test_pending_choices_are_taken_once(store):
    choices = PendingChoices(store)
    await choices.offer("openid-1", ["/choose_faq{\"faq_id\":\"reply_deadline\"}", "/request_human"])
    assert await choices.take("openid-1") == ['/choose_faq{"faq_id":"reply_deadline"}',
                                              "/request_human"]
    assert await choices.take("openid-1") == []
    assert await choices.take("someone-else") == []


async def test_redis_marks_expire():
    redis_store = RedisStore(REDIS_URL, prefix=f"gongkai-test:{uuid.uuid4().hex}:")
    try:
        assert await redis_store.add("k", PROCESSING, ttl=0.05)
        assert not await redis_store.add("k", PROCESSING, ttl=0.05)
        import asyncio
        await asyncio.sleep(0.15)
        assert await redis_store.add("k", PROCESSING, ttl=0.05)
    finally:
        await redis_store.close()


async def test_memory_marks_expire_after_their_ttl():
    clock = Clock()
    dedup = Deduplicator(MemoryStore(clock=clock), ttl=300)
    assert await dedup.claim("msg:1") is None
    clock.now += 299
    assert await dedup.claim("msg:1") == RETRIED
    clock.now += 299  # each change of state starts the TTL again
    assert await dedup.claim("msg:1") == RETRIED
    clock.now += 301
    assert await dedup.claim("msg:1") is None


async def test_memory_store_is_bounded_and_drops_the_oldest_first():
    store = MemoryStore(max_entries=3)
    for key in "abcd":
        await store.set(key, key, ttl=60)
    assert len(store) == 3
    assert await store.get("a") is None
    assert [await store.get(k) for k in "bcd"] == ["b", "c", "d"]


async def test_memory_store_drops_expired_entries_before_live_ones():
    clock = Clock()
    store = MemoryStore(max_entries=2, clock=clock)
    await store.set("old-but-live", "1", ttl=100)
    await store.set("expiring", "2", ttl=1)
    clock.now += 5
    await store.set("new", "3", ttl=100)
    assert await store.get("old-but-live") == "1" and await store.get("new") == "3"
