"""The guard every channel puts around Rasa's message handling (bot/channels/guarded.py, the
WeChat channel): whatever goes wrong, the citizen gets a polite Chinese answer and the HTTP
request a 200 — never a 5xx, never silence.

* text cleaned first (bot/channels/edge.py: lone surrogates and NUL → U+FFFD), and a message
  whose sender id Rasa could not store is refused (the channels accept only such ids already);
* message longer than GONGKAI_MAX_MESSAGE_CHARS → asked to shorten it (not handled, not stored);
* more than GONGKAI_RATE_LIMIT messages from one sender → asked to slow down (shared through
  Redis when GONGKAI_REDIS_URL is set, so it holds across Rasa instances; else per process);
* Rasa raises (e.g. Redis lock store down) → apology with the agency's hotline, one log line;
* an action fails (action server down; Rasa itself carries on without the action's events) →
  what Rasa answered plus the apology; Rasa has saved the citizen's message;
* no answer within GONGKAI_REPLY_TIMEOUT (action server hanging: Rasa would wait 5 minutes) →
  the turn is cancelled, the citizen's message and the apology are written to the tracker,
  and the apology is sent.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

from prometheus_client import Counter, Histogram

from bot.channels.edge import clean_text, is_printable_id
from bot.core.settings import GuardSettings, settings
from bot.rules.privacy import mask_text

logger = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[Any]]

RATE_LIMITED = "您发送消息太频繁了，请稍等一分钟再继续提问。"
TOO_LONG = "您的消息太长了（超过{limit}个字），请精简后再发送，或分几次发送，一次只问一个问题。"


TURNS = Counter("gongkai_turns", "Citizen messages received, by channel and outcome "
                "(ok, apology, rate_limited, too_long, refused)", ["channel", "outcome"])
TURN_SECONDS = Histogram("gongkai_turn_seconds", "Time from receiving a message to the last reply",
                         ["channel"], buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60))


class MemoryRateLimiter:
    """Fixed window per sender, in this process."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_senders: int = 100_000) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._max = max_senders
        self._windows: dict[str, tuple[float, int]] = {}

    async def allow(self, sender: str) -> bool:
        now = self._clock()
        start, count = self._windows.get(sender, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if len(self._windows) >= self._max and sender not in self._windows:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self.window}
        self._windows[sender] = (start, count + 1)
        return count + 1 <= self.limit


class RedisRateLimiter:
    """Fixed window per sender in Redis (SET NX EX + INCR in one transaction), shared by every
    instance. If Redis is unreachable the message is let through: the rate limit must not
    take the assistant down with it."""

    def __init__(self, limit: int, window: float, url: str, prefix: str) -> None:
        import redis.asyncio

        self.limit, self.window = limit, window
        self.prefix = f"{prefix}:rate:"
        self._redis = redis.asyncio.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._warned = False

    async def allow(self, sender: str) -> bool:
        import redis

        key = self.prefix + sender
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                window = max(1, int(self.window))
                _, count = await pipe.set(key, 0, ex=window, nx=True).incr(key).execute()
        except (redis.RedisError, OSError) as error:
            if not self._warned:
                logger.error("rate limit not applied: Redis unreachable (%s)", error)
                self._warned = True
            return True
        self._warned = False
        return int(count) <= self.limit


class Unlimited:
    async def allow(self, sender: str) -> bool:
        return True


@dataclass
class _Turn:
    action_failed: bool = False


_turn: contextvars.ContextVar[Optional[_Turn]] = contextvars.ContextVar("gongkai_turn", default=None)


class _ActionFailureFilter(logging.Filter):
    """Rasa's processor logs this (and carries on without the action's events) when the action
    server is down or answers with an error; it is the only sign the channel gets of it."""
    MARK = "Encountered an exception while running action"

    def filter(self, record: logging.LogRecord) -> bool:
        turn = _turn.get()
        if turn is not None and str(record.msg).startswith(self.MARK):
            turn.action_failed = True
        return True


def apology_text(agency_id: Optional[str] = None) -> str:
    """The apology, with the hotline of the agency (default: the deployment's) from
    data/kb/agencies.yml; its first listed phone when it has no hotline. (Kept out of
    data/kb/messages.yml: those files are model inputs, and this text needs no retraining.)"""
    from bot.content import knowledge
    from bot.core.settings import settings

    agency = knowledge.cached().agency(agency_id or settings.answers.default_agency)
    text = "抱歉，系统暂时出了点问题，没能及时回复您，请稍后再试。"
    hotline = agency.get("hotline") or {}
    if hotline.get("number"):
        return f"{text}着急的话，可以拨打{hotline.get('name', '咨询热线')}：{hotline['number']}。"
    if agency.get("phones"):
        return f"{text}着急的话，可以致电{agency['name']}：{agency['phones'][0]['number']}。"
    return text


class Guard:
    def __init__(self, settings: GuardSettings, apology: str) -> None:
        self.settings = settings
        self.apology = apology
        self.app: Any = None  # the Rasa Sanic app, for writing the tracker after a timeout
        if settings.rate_messages <= 0:
            self.limiter: Any = Unlimited()
        elif settings.redis_url:
            self.limiter = RedisRateLimiter(settings.rate_messages, settings.rate_seconds,
                                            settings.redis_url, settings.redis_prefix)
        else:
            self.limiter = MemoryRateLimiter(settings.rate_messages, settings.rate_seconds)
        processor_log = logging.getLogger("rasa.core.processor")
        if not any(isinstance(f, _ActionFailureFilter) for f in processor_log.filters):
            processor_log.addFilter(_ActionFailureFilter())

    def wrap(self, on_new_message: Handler, channel: str) -> Handler:
        async def guarded(message: Any) -> None:
            await self.handle(message, on_new_message, channel)
        return guarded

    def bind(self, blueprint: Any) -> Any:
        """Remembers the Sanic app the channel's blueprint is registered on."""
        @blueprint.listener("before_server_start")
        async def keep_app(app: Any, _loop: Any) -> None:
            self.app = app
        return blueprint

    async def handle(self, message: Any, on_new_message: Handler, channel: str = "rest") -> str:
        """Handles one message; returns the outcome (ok, apology, rate_limited, too_long,
        refused). `channel` is the channel's own name (a metrics label: never taken from the request)."""
        started = time.perf_counter()
        message.text = text = clean_text(message.text)
        if not is_printable_id(str(message.sender_id)):
            logger.error("message refused: the %s channel passed an unusable sender id", channel)
            outcome = "refused"
        elif len(text) > self.settings.max_chars:
            outcome = "too_long"
            await self._say(message, TOO_LONG.format(limit=self.settings.max_chars))
        elif not await self.limiter.allow(str(message.sender_id)):
            outcome = "rate_limited"
            await self._say(message, RATE_LIMITED)
        else:
            outcome = await self._run(message, on_new_message)
        TURNS.labels(channel, outcome).inc()
        TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)
        return outcome

    async def _run(self, message: Any, on_new_message: Handler) -> str:
        turn = _Turn()
        token = _turn.set(turn)
        try:
            await asyncio.wait_for(on_new_message(message), self.settings.reply_timeout)
        except asyncio.TimeoutError:
            logger.error("no reply within %.0f s (action server hanging?): turn cancelled, "
                         "apology sent", self.settings.reply_timeout)
            await self._record(message)
        except Exception as error:  # anything: the citizen must still get an answer
            logger.error("message not handled: %s: %s", type(error).__name__,
                         mask_text(str(error)).splitlines()[0] if str(error) else "")
        else:
            if not turn.action_failed:
                return "ok"
            logger.error("an action failed (action server down?): apology added to the reply")
        finally:
            _turn.reset(token)
        await self._say(message, self.apology)
        return "apology"

    async def _say(self, message: Any, text: str) -> None:
        try:
            await message.output_channel.send_text_message(message.sender_id, text)
        except Exception as error:
            logger.error("could not send the guard's reply: %s", type(error).__name__)

    async def _record(self, message: Any) -> None:
        """After a cancelled turn: the citizen's message and the apology go into the tracker,
        so the conversation (and the agents' desk) shows what was said."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        if agent is None or agent.processor is None:
            return
        from rasa.shared.core.constants import ACTION_LISTEN_NAME
        from rasa.shared.core.events import ActionExecuted, BotUttered

        async def write() -> None:
            async with agent.lock_store.lock(message.sender_id):
                tracker = await agent.processor.log_message(message, should_save_tracker=False)
                tracker.update(BotUttered(self.apology, metadata={"gongkai_guard": "timeout"}))
                # the bot's turn is over: the next message is predicted as after any answer
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.processor.save_tracker(tracker)
        try:
            await asyncio.wait_for(write(), 15)
        except Exception as error:
            logger.error("the cancelled turn's message could not be stored: %s",
                         type(error).__name__)


_shared: Optional[Guard] = None


def shared_guard() -> Guard:
    """The process's guard (one rate limiter and metrics exporter for all channels)."""
    global _shared
    if _shared is None:
        from bot.serving import metrics

        _shared = Guard(settings.guard, apology_text())
        metrics.serve(settings.guard.metrics_port, settings.guard.metrics_addr)
    return _shared
