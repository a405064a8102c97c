"""The WeChat official account's webhook without Rasa or Sanic: a request (query + body) in, a
status and body out. ``bot.channels.wechat`` plugs it into Rasa as an input channel.

Per POST: size limits → URL signature and timestamp → XML (no DTDs) → AES envelope and
msg_signature (safe / compatible mode) → what the message means → de-duplication → a Rasa turn
given ``reply_budget`` seconds. Ready in time: the first part is the passive reply (in the HTTP
response) and any further parts follow through the 客服消息 API; not ready: "success" at once and
everything through the API when the turn ends.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, Optional

from wechatpy import parse_message
from wechatpy.events import ClickEvent, SubscribeEvent, SubscribeScanEvent
from wechatpy.messages import BaseMessage, TextMessage, VoiceMessage
from wechatpy.replies import TextReply

from bot.channels.edge import TEXT_ONLY
from bot.channels.kvstore import KeyValueStore, open_store
from bot.channels.state import Deduplicator, PendingChoices, passive_reply
from bot.channels.textparts import number_buttons, parse_choice, split_text
from bot.channels.wechat_api import WeChatSender
from bot.channels.wechat_security import AesEnvelope, BadRequest, Forbidden, check_query, parse_xml
from bot.channels.wechat_settings import WeChatSettings
from bot.rules.privacy import PIIMaskingFilter, mask_text

logger = logging.getLogger(__name__)
logger.addFilter(PIIMaskingFilter())

# What the citizen reads when no Rasa turn is needed.
VOICE_UNRECOGNISED = "抱歉，没能识别这段语音。请直接输入文字问题。"
MENU_UNAVAILABLE = "抱歉，这个菜单暂时不可用。请直接输入文字问题。"
TURN_FAILED = "抱歉，系统暂时出了点问题，没能完成您的请求，请稍后再试。"
NOT_CONFIGURED = ("微信公众号渠道未配置：请设置环境变量 GONGKAI_WECHAT_TOKEN"
                  "（及 AppID、AppSecret、EncodingAESKey），见 docs/channels.md。")
SUCCESS = "success"  # WeChat's "received, no passive reply"
GREET = "/greet"

# Custom-menu CLICK keys (自定义菜单 key): FAQ_<FAQ ID> asks that knowledge-base question,
# INTENT_<INTENT> sends that intent — e.g. FAQ_REPLY_DEADLINE, INTENT_REQUEST_HUMAN.
MENU_KEY = re.compile(r"(FAQ|INTENT)_([A-Z][A-Z0-9_]{0,63})")
OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DIGITS = re.compile(r"[0-9]{1,20}")
ECHOSTR = re.compile(r"[A-Za-z0-9_=+/-]{1,256}")

# A turn: the user's id and text (or /intent payload) → the bot's messages, as Rasa's
# CollectingOutputChannel records them ({"text": ..., "buttons": [...], ...}).
Turn = Callable[[str, str], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def menu_payload(key: str) -> Optional[str]:
    """The Rasa message for a menu key; None for keys outside the scheme."""
    match = MENU_KEY.fullmatch((key or "").strip())
    if not match:
        return None
    kind, name = match.group(1), match.group(2).lower()
    return f'/choose_faq{{"faq_id":"{name}"}}' if kind == "FAQ" else f"/{name}"


def user_tag(openid: str) -> str:
    """A short stable pseudonym for logs: enough to follow one user, not their openid."""
    return hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


def _cdata_safe(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


@dataclass
class _Request:
    message: BaseMessage
    msg_type: str  # MsgType, lower case: text, voice, event, image …
    query: Mapping[str, str]
    encrypted: bool
    openid: str
    dedup_key: str


@dataclass
class WeChatEndpoint:
    settings: WeChatSettings
    turn: Turn
    store: Optional[KeyValueStore] = None
    sender: Optional[WeChatSender] = None
    clock: Callable[[], float] = time.time
    problem: Optional[str] = None  # set: every request gets 503 with this text
    _tasks: set = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.problem is None and not self.settings.configured:
            self.problem = NOT_CONFIGURED
        if self.store is None:
            self.store = open_store(self.settings.redis_url)
        self.dedup = Deduplicator(self.store, self.settings.dedup_ttl, prefix="wechat:seen:")
        self.choices = PendingChoices(self.store, self.settings.choice_ttl,
                                      prefix="wechat:choices:")
        if self.sender is None and self.settings.can_send and self.problem is None:
            self.sender = WeChatSender(self.settings, self.store)
        key = self.settings.aes_key if self.problem is None else None
        self.envelope = (AesEnvelope(self.settings.token, key, self.settings.encoding_aes_key,
                                     self.settings.app_id) if key else None)

    # --- the two HTTP entry points -------------------------------------------------------

    async def verify(self, query: Mapping[str, str]) -> Reply:
        """GET: WeChat's URL check when the server address is saved in the admin console."""
        if self.problem:
            return Reply(503, self.problem)
        try:
            check_query(query, self.settings.token, self.clock(), self.settings.max_clock_skew)
        except Forbidden as error:
            logger.warning("WeChat URL check refused: %s", error)
            return Reply(403, "forbidden")
        echostr = query.get("echostr") or ""
        if not ECHOSTR.fullmatch(echostr):
            return Reply(400, "missing or invalid echostr")
        return Reply(200, echostr)

    async def receive(self, query: Mapping[str, str], body: bytes) -> Reply:
        """POST: one message or event from a user."""
        if self.problem:
            return Reply(503, self.problem)
        if not body or not body.strip():
            return Reply(400, "empty body")
        if len(body) > self.settings.max_body:
            return Reply(413, "body too large")
        try:
            request = self._authenticate(query, body)
            await self._check_replay(query, body)
        except Forbidden as error:
            logger.warning("WeChat request refused: %s", error)
            return Reply(403, "forbidden")
        except BadRequest as error:
            logger.warning("WeChat request malformed: %s", error)
            return Reply(400, "bad request")
        return await self._handle(request)

    # --- checks ----------------------------------------------------------------------------

    def _authenticate(self, query: Mapping[str, str], body: bytes) -> _Request:
        check_query(query, self.settings.token, self.clock(), self.settings.max_clock_skew)
        fields = parse_xml(body)
        encrypted = fields.get("Encrypt")
        if encrypted is not None:
            if self.envelope is None:
                raise BadRequest("encrypted message but no EncodingAESKey configured")
            if not isinstance(encrypted, str):
                raise BadRequest("<Encrypt> must hold text")
            inner = self.envelope.open(encrypted, query)
            fields = parse_xml(inner)
            xml = inner
        elif self.settings.mode == "safe":
            raise Forbidden("safe mode accepts encrypted messages only")
        else:
            xml = body
        openid = fields.get("FromUserName")
        if not isinstance(openid, str) or not OPENID.fullmatch(openid):
            raise BadRequest("missing or invalid FromUserName")
        if not isinstance(fields.get("MsgType"), str) or not isinstance(
                fields.get("ToUserName"), str):
            raise BadRequest("missing MsgType or ToUserName")
        for name in ("MsgId", "CreateTime"):  # the de-duplication key is made of them
            if fields.get(name) is not None and not DIGITS.fullmatch(str(fields[name])):
                raise BadRequest(f"invalid {name}")
        try:
            message = parse_message(xml.decode("utf-8") if isinstance(xml, bytes) else xml)
        except Exception as error:  # a field of the wrong shape (e.g. a non-numeric MsgId)
            raise BadRequest(f"unreadable message: {type(error).__name__}") from None
        account = fields["ToUserName"]
        if fields.get("MsgId"):  # unique per user only: two users' messages may share one
            key = f"{account}:msg:{openid}:{fields['MsgId']}"
        else:  # events carry no MsgId: WeChat advises FromUserName + CreateTime; the event
            # and its key tell apart two menu clicks within one second
            event = f"{fields.get('Event', '')}:{fields.get('EventKey') or ''}"
            digest = hashlib.sha256(event.encode("utf-8")).hexdigest()[:16]
            key = f"{account}:evt:{openid}:{fields.get('CreateTime', '')}:{digest}"
        return _Request(message, fields["MsgType"].lower(), query, encrypted is not None, openid,
                        key)

    async def _check_replay(self, query: Mapping[str, str], body: bytes) -> None:
        """A signed URL carries one body. In plain mode the signature covers the URL only, so a
        captured URL would otherwise take any body for the whole clock-skew window; WeChat's own
        retries repeat URL and body alike and pass (de-duplication answers them)."""
        key = f"wechat:url:{query.get('timestamp')}:{query.get('nonce')}"
        digest = hashlib.sha256(body).hexdigest()
        assert self.store is not None  # opened by __post_init__
        try:
            if await self.store.add(key, digest, 2 * self.settings.max_clock_skew + 1):
                return
            seen = await self.store.get(key)
        except Exception:  # the store is down: the signature and timestamp checks still hold
            logger.exception("WeChat replay check unavailable")
            return
        if seen is not None and seen != digest:
            raise Forbidden("a signed URL used again with another body")

    # --- what a message means ----------------------------------------------------------------

    async def _meaning(self, request: _Request) -> tuple[str, Optional[str]]:
        """("turn", text for Rasa) | ("reply", a fixed answer) | ("ignore", None)."""
        message, openid = request.message, request.openid
        if isinstance(message, TextMessage):
            if not isinstance(message.content or "", str):  # <Content> holding elements
                return "reply", TEXT_ONLY
            return await self._text_or_choice(openid, message.content or "")
        if isinstance(message, VoiceMessage):
            if not isinstance(message.recognition or "", str):
                return "reply", VOICE_UNRECOGNISED
            recognised = (message.recognition or "").strip()
            if not recognised:
                return "reply", VOICE_UNRECOGNISED
            return await self._text_or_choice(openid, recognised)
        if isinstance(message, (SubscribeEvent, SubscribeScanEvent)):
            await self.choices.take(openid)
            return "turn", GREET
        if isinstance(message, ClickEvent):
            await self.choices.take(openid)  # a new topic: an earlier numbered list is stale
            payload = menu_payload(message.key) if isinstance(message.key, str) else None
            if payload is None:
                logger.warning("WeChat menu key %r is outside the FAQ_/INTENT_ scheme",
                               message.key)
                return "reply", MENU_UNAVAILABLE
            return "turn", payload
        if request.msg_type == "event":  # unsubscribe, VIEW, LOCATION, template-send reports …
            return "ignore", None
        return "reply", TEXT_ONLY  # image, voice-less media, location, link, video …

    async def _text_or_choice(self, openid: str, text: str) -> tuple[str, Optional[str]]:
        pending = await self.choices.take(openid)
        number = parse_choice(text)
        if number is None or not pending:
            return "turn", text
        if 1 <= number <= len(pending):
            return "turn", pending[number - 1]
        await self.choices.offer(openid, pending)  # a slip of the finger: keep the list
        numbers = "/".join(str(n) for n in range(1, len(pending) + 1))
        return "reply", f"请回复序号 {numbers} 选择，或直接输入您的问题。"

    # --- answering ------------------------------------------------------------------------

    async def _handle(self, request: _Request) -> Reply:
        tag = user_tag(request.openid)
        try:
            state = await self.dedup.claim(request.dedup_key)
        except Exception:  # the store is down: answering twice beats not answering
            logger.exception("WeChat de-duplication unavailable; processing %s anyway", tag)
            state = None
        if state is not None:
            logger.info("WeChat retry of a message from %s ignored (%s)", tag,
                        state.split(":", 1)[0])
            again = passive_reply(state)
            return self._passive(request, again) if again else Reply(200, SUCCESS)

        kind, text = await self._meaning(request)
        logger.info("WeChat %s from %s: %s → %s", request.msg_type, tag,
                    mask_text(text or "")[:60], kind)
        if kind == "ignore":
            await self._settled(request, None)
            return Reply(200, SUCCESS)
        assert text is not None  # only "ignore" comes without a text
        if kind == "reply":
            return await self._answer(request, [text])
        return await self._turn_within_budget(request, text)

    async def _turn_within_budget(self, request: _Request, text: str) -> Reply:
        task = asyncio.create_task(self._run_turn(request.openid, text))
        self._keep(task)
        try:
            parts = await asyncio.wait_for(asyncio.shield(task), self.settings.reply_budget)
        except asyncio.TimeoutError:
            logger.info("WeChat turn for %s over the %.2f s budget: answering through the API",
                        user_tag(request.openid), self.settings.reply_budget)
            self._keep(asyncio.create_task(self._answer_later(request, task)))
            return Reply(200, SUCCESS)
        return await self._answer(request, parts)

    async def _answer(self, request: _Request, parts: list[str]) -> Reply:
        """First part passively (unless a retry has already taken over), the rest by API."""
        if not parts:
            await self._settled(request, None)
            return Reply(200, SUCCESS)
        if await self._settled(request, parts[0]):
            if parts[1:]:
                self._keep(asyncio.create_task(
                    self._deliver(request.openid, parts[1:], self.settings.followup_delay)))
            return self._passive(request, parts[0])
        self._keep(asyncio.create_task(self._deliver(request.openid, parts)))
        return Reply(200, SUCCESS)

    async def _answer_later(self, request: _Request, task: asyncio.Task[list[str]]) -> None:
        parts = await task  # _run_turn never raises
        await self._settled(request, None)
        await self._deliver(request.openid, parts)

    async def _settled(self, request: _Request, passive: Optional[str]) -> bool:
        """Records the outcome for retries; True if ``passive`` may be sent passively."""
        try:
            if passive is None:
                await self.dedup.answered_later(request.dedup_key)
                return False
            return await self.dedup.answered_passively(request.dedup_key, passive)
        except Exception:
            logger.exception("WeChat de-duplication store failed")
            return passive is not None

    async def _run_turn(self, openid: str, text: str) -> list[str]:
        """The bot's messages for one user message, as WeChat-sized text parts; remembers any
        buttons as numbered choices."""
        try:
            messages = await self.turn(openid, text)
        except Exception:
            logger.exception("Rasa turn failed for %s", user_tag(openid))
            messages = [{"text": TURN_FAILED}]
        parts, payloads = render_messages(messages, self.settings.text_limit)
        if payloads:
            try:
                await self.choices.offer(openid, payloads)
            except Exception:
                logger.exception("WeChat choices could not be stored")
        return parts

    async def _deliver(self, openid: str, parts: list[str], delay: float = 0.0) -> None:
        """Sends parts through the 客服消息 API, in order; a failure is logged, not raised."""
        if delay:
            await asyncio.sleep(delay)  # let the passive reply reach the user first
        if self.sender is None:
            logger.error("WeChat: %d message(s) for %s dropped: asynchronous delivery needs "
                         "GONGKAI_WECHAT_APP_ID and GONGKAI_WECHAT_APP_SECRET", len(parts),
                         user_tag(openid))
            return
        for number, part in enumerate(parts, start=1):
            try:
                await self.sender.send_text(openid, part)
            except Exception as error:
                logger.error("WeChat 客服消息 %d/%d to %s failed: %s", number, len(parts),
                             user_tag(openid), error)
                return

    def _passive(self, request: _Request, text: str) -> Reply:
        xml = TextReply(message=request.message, content=_cdata_safe(text)).render()
        if request.encrypted and self.envelope is not None:
            xml = self.envelope.seal(xml, request.query.get("nonce") or "",
                                     request.query.get("timestamp") or str(int(self.clock())))
        return Reply(200, xml, "application/xml; charset=utf-8")

    def _keep(self, task: asyncio.Task) -> None:
        """Holds a reference to a background task until it ends (asyncio keeps weak ones)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Releases the HTTP session and the store's connections (server shutdown)."""
        if self.sender is not None:
            await self.sender.close()
        assert self.store is not None  # opened by __post_init__
        await self.store.close()

    async def drain(self) -> None:
        """Waits for background deliveries (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def render_messages(messages: list[dict[str, Any]], limit: int) -> tuple[list[str], list[str]]:
    """Rasa's bot messages → WeChat text parts, and the payloads of their buttons numbered
    1, 2, 3 … across the whole turn."""
    parts: list[str] = []
    payloads: list[str] = []
    for message in messages:
        text = str(message.get("text") or "")
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            text, numbered = number_buttons(text, buttons, first=len(payloads) + 1)
            payloads.extend(numbered)
        for link in (message.get("image"), message.get("attachment")):
            if isinstance(link, str) and link:
                text = f"{text}\n{link}" if text else link
        parts.extend(split_text(text, limit))
    return parts, payloads
