"""The channel guard (bot/serving/guard.py) around a message handler: length cap, rate limits (in
process and on the real Redis), and the apology when handling fails or hangs. The guard in a
real Rasa cluster is tested in test_cluster.py."""
from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.serving import guard as guard_module
from bot.core.settings import GuardSettings, parse_rate
from bot.serving.guard import Guard, MemoryRateLimiter, RedisRateLimiter
from tests.support import free_closed_port

APOLOGY = guard_module.apology_text()


def message(text: str = "申请信息公开多久答复？", sender: str = "citizen-1") -> UserMessage:
    return UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")


def make_guard(**settings) -> Guard:
    return Guard(GuardSettings(**{"metrics_port": 0, **settings}), APOLOGY)


async def answering(msg: UserMessage) -> None:
    await msg.output_channel.send_text_message(msg.sender_id, "20个工作日内答复")


def sent(msg: UserMessage) -> list[str]:
    return [m["text"] for m in msg.output_channel.messages]


def test_apology_names_the_default_agencys_hotline():
    assert "2512345" in APOLOGY and "稍后再试" in APOLOGY  # data/kb/agencies.yml, zibo_spj


def test_rate_setting_is_parsed():
    assert parse_rate("20/60") == (20, 60.0)
    assert parse_rate("off") == (0, 0.0)
    with pytest.raises(ValueError):
        parse_rate("fast")


async def test_a_normal_message_passes_through():
    msg = message()
    assert await make_guard().handle(msg, answering) == "ok"
    assert sent(msg) == ["20个工作日内答复"]


async def test_overlong_message_is_refused_politely_and_not_handled():
    handled = []

    async def handler(msg):
        handled.append(msg)

    msg = message("查" * 1001)
    assert await make_guard(max_chars=1000).handle(msg, handler) == "too_long"
    assert handled == [] and "太长" in sent(msg)[0] and "1000" in sent(msg)[0]
    ok = message("查" * 1000)
    assert await make_guard(max_chars=1000).handle(ok, answering) == "ok"


async def test_rate_limit_per_sender_in_process():
    guard = make_guard(rate_messages=3, rate_seconds=60)
    outcomes = [await guard.handle(message(sender="a"), answering) for _ in range(4)]
    assert outcomes == ["ok", "ok", "ok", "rate_limited"]
    assert await guard.handle(message(sender="b"), answering) == "ok"  # others unaffected
    limited = message(sender="a")
    await guard.handle(limited, answering)
    assert "太频繁" in sent(limited)[0]


async def test_memory_window_resets():
    now = [0.0]
    limiter = MemoryRateLimiter(2, 10, clock=lambda: now[0])
    assert [await limiter.allow("x") for _ in range(3)] == [True, True, False]
    now[0] = 10.5
    assert await limiter.allow("x")


async def test_redis_rate_limit_is_shared_between_instances():
    prefix = f"gkt{uuid.uuid4().hex[:8]}"
    url = "redis://127.0.0.1:6379/0"
    one, two = RedisRateLimiter(3, 60, url, prefix), RedisRateLimiter(3, 60, url, prefix)
    results = [await one.allow("s"), await two.allow("s"), await one.allow("s"), await two.allow("s")]
    assert results == [True, True, True, False]


async def test_redis_down_lets_messages_through(caplog):
    limiter = RedisRateLimiter(1, 60, f"redis://127.0.0.1:{free_closed_port()}/0", "x")
    with caplog.at_level(logging.ERROR):
        assert [await limiter.allow("s") for _ in range(3)] == [True, True, True]
    assert len([r for r in caplog.records if "Redis unreachable" in r.getMessage()]) == 1


async def test_an_exception_becomes_the_apology_with_one_log_line(caplog):
    async def broken(msg):
        raise RuntimeError("Redis lock store unreachable: Error 111 connecting to 127.0.0.1:1")

    msg = message()
    with caplog.at_level(logging.ERROR, logger="bot.serving.guard"):
        assert await make_guard().handle(msg, broken) == "apology"
    assert sent(msg) == [APOLOGY]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.serving.guard"]
    assert lines == ["message not handled: RuntimeError: Redis lock store unreachable: "
                     "Error 111 connecting to 127.0.0.1:1"]


async def test_a_hanging_turn_is_cut_off_with_the_apology():
    async def hangs(msg):
        await asyncio.sleep(30)

    msg = message()
    assert await make_guard(reply_timeout=0.2).handle(msg, hangs) == "apology"
    assert sent(msg) == [APOLOGY]


async def test_a_failed_action_adds_the_apology_to_what_rasa_said():
    processor_log = logging.getLogger("rasa.core.processor")

    async def action_server_down(msg):
        await msg.output_channel.send_text_message(msg.sender_id, "请提供申请编号")
        processor_log.error("Encountered an exception while running action 'action_x'."
                            "Bot will continue, but the actions events are lost.")

    msg = message()
    guard = make_guard()
    assert await guard.handle(msg, action_server_down) == "apology"
    assert sent(msg) == ["请提供申请编号", APOLOGY]
    assert await guard.handle(message(), answering) == "ok"  # the flag is per turn
