"""The WeChat official account (微信公众号) as a Rasa input channel.

credentials.yml::

    bot.channels.wechat.WeChatInput:

Settings come from GONGKAI_WECHAT_* environment variables (bot/channels/wechat_settings.py,
docs/channels.md); keys under the channel in credentials.yml override them. Routes:

    GET  /webhooks/wechat/webhook   URL verification (echostr)
    POST /webhooks/wechat/webhook   messages and events (服务器地址 URL in the admin console)
    GET  /webhooks/wechat/          health: {"status": "ok" | "unconfigured"}

An unconfigured or misconfigured channel answers 503 with the reason; it never stops Rasa.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import (CollectingOutputChannel, InputChannel, OutputChannel,
                                        UserMessage)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.edge import WECHAT_PREFIX, edge_metadata, origin
from bot.channels.state import PendingChoices
from bot.channels.textparts import number_buttons
from bot.channels.wechat_api import WeChatSender
from bot.channels.wechat_endpoint import Reply, WeChatEndpoint
from bot.channels.wechat_settings import SettingsError, WeChatSettings, load
from bot.rules.privacy import PIIMaskingFilter

logger = logging.getLogger(__name__)
logger.addFilter(PIIMaskingFilter())

CHANNEL = "wechat"


class WeChatCollector(CollectingOutputChannel):
    """Collects one turn's messages, keeping each text whole (Rasa's collector would cut it at
    blank lines into several WeChat messages)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class WeChatOutput(OutputChannel):
    """Messages Rasa sends on its own (e.g. POST /conversations/<openid>/trigger_intent
    ?output_channel=wechat, or the desk's 好差评 prompt), through the 客服消息 API. Buttons become
    numbered text, and the numbers are remembered like the input channel's own, so replying 「1」
    picks the first."""

    def __init__(self, sender: WeChatSender, choices: Optional[PendingChoices] = None) -> None:
        self.sender = sender
        self.choices = choices

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.sender.send_text(openid_of(recipient_id), text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        numbered, payloads = number_buttons(text, buttons)
        await self.sender.send_text(openid_of(recipient_id), numbered)
        if self.choices is not None and payloads:
            try:
                await self.choices.offer(openid_of(recipient_id), payloads)
            except Exception:  # the store is down: the citizen can still type
                logger.exception("WeChat choices could not be stored")


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        return cls(credentials)

    def __init__(self, credentials: Optional[Mapping[str, Any]] = None,
                 environ: Optional[Mapping[str, str]] = None) -> None:
        self.problem: Optional[str] = None
        try:
            self.settings = load(credentials, environ)
        except SettingsError as error:
            # a bad setting must not stop the Rasa server (REST and the widget still work)
            self.settings = WeChatSettings()
            self.problem = f"微信公众号渠道配置有误：{error}（见 docs/channels.md）"
            logger.error("WeChat channel disabled: %s", error)
        if self.problem is None and not self.settings.configured:
            logger.info("WeChat channel not configured (GONGKAI_WECHAT_TOKEN unset): "
                        "its webhook answers 503")
        self.endpoint: Optional[WeChatEndpoint] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        from bot.serving.guard import shared_guard

        guard = shared_guard()  # length cap, rate limit, apology on failure (bot/serving/guard.py)
        on_new_message = guard.wrap(on_new_message, CHANNEL)

        async def turn(openid: str, text: str) -> List[Dict[str, Any]]:
            collector = WeChatCollector()
            # WeChat's signature vouches for the openid; the client address is WeChat's server
            metadata = edge_metadata({}, origin(CHANNEL, "", openid), {"channel": CHANNEL})
            await on_new_message(UserMessage(text, collector, sender_id(openid),
                                             input_channel=CHANNEL, metadata=metadata))
            return collector.messages

        self.endpoint = WeChatEndpoint(self.settings, turn, problem=self.problem)
        endpoint = self.endpoint
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "unconfigured" if endpoint.problem else "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return _http(await endpoint.verify(_query(request)))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return _http(await endpoint.receive(_query(request), request.body or b""))

        guard.bind(webhook)

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await endpoint.close()

        return webhook

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.endpoint is None or self.endpoint.sender is None:
            return None
        return WeChatOutput(self.endpoint.sender, self.endpoint.choices)


def sender_id(openid: str) -> str:
    """The conversation id of a WeChat user: their openid in WeChat's namespace, which the REST
    channel may not use (bot/channels/edge.py)."""
    return WECHAT_PREFIX + openid


def openid_of(recipient_id: str) -> str:
    """The openid to send to, for a conversation id (bare openids: conversations begun before
    the ids carried the channel's name)."""
    return recipient_id[len(WECHAT_PREFIX):] if recipient_id.startswith(WECHAT_PREFIX) \
        else recipient_id


def _query(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in request.args.items() if values}


def _http(reply: Reply) -> HTTPResponse:
    return response.text(reply.body, status=reply.status, content_type=reply.content_type,
                          headers={"X-Content-Type-Options": "nosniff"})

