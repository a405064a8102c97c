"""Sending to a WeChat user through the official account's 客服消息 API (message/custom/send):
asynchronous answers that missed the 5-second window, the later parts of a long answer, and —
for the assist desk — an agent's reply (``WeChatSender.send_text(openid, text)``).

The access token (cgi-bin/token, valid ~2 h) is cached, in the shared store when there is one so
that several instances do not keep invalidating each other's token, and fetched again when it
expires or when WeChat answers 40001 / 40014 / 42001 (token invalid or expired).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Optional

import aiohttp

from bot.channels.kvstore import KeyValueStore, MemoryStore
from bot.channels.textparts import split_text
from bot.channels.wechat_settings import WeChatSettings, load
from bot.rules.privacy import PIIMaskingFilter

logger = logging.getLogger(__name__)
logger.addFilter(PIIMaskingFilter())

TOKEN_ERRORS = {40001, 40014, 42001}
TOKEN_MARGIN = 300.0  # seconds: a token is refreshed this long before WeChat says it expires
TIMEOUT = aiohttp.ClientTimeout(total=10)


class WeChatApiError(RuntimeError):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class WeChatSender:
    """One official account's outgoing messages. Create it inside the running event loop's
    lifetime; ``close()`` releases the HTTP session."""

    def __init__(self, settings: WeChatSettings, store: Optional[KeyValueStore] = None) -> None:
        if not settings.can_send:
            raise ValueError("sending needs GONGKAI_WECHAT_APP_ID and GONGKAI_WECHAT_APP_SECRET")
        self.settings = settings
        self.store = store or MemoryStore(max_entries=16)
        self._token_key = f"wechat:access_token:{settings.app_id}"
        self._token_lock = asyncio.Lock()
        self._session: Optional[aiohttp.ClientSession] = None

    @classmethod
    def from_env(cls, store: Optional[KeyValueStore] = None) -> WeChatSender:
        """The sender for the account configured by the GONGKAI_WECHAT_* variables."""
        return cls(load(), store)

    async def send_text(self, openid: str, text: str) -> int:
        """Sends ``text`` to one user, split into as many messages as WeChat's limit needs;
        returns how many were sent. Raises WeChatApiError / aiohttp.ClientError on failure."""
        parts = split_text(text, self.settings.text_limit)
        for part in parts:
            await self.call("cgi-bin/message/custom/send", {
                "touser": openid, "msgtype": "text", "text": {"content": part}})
        return len(parts)

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POSTs ``payload`` to an API path with the access token; retries once with a fresh
        token if WeChat says the token is no good."""
        token = await self.access_token()
        try:
            return await self._post(path, token, payload)
        except WeChatApiError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat rejected the access token (%s); fetching a new one",
                        error.errcode)
            return await self._post(path, await self.access_token(stale=token), payload)

    async def access_token(self, stale: Optional[str] = None) -> str:
        """The cached token, or a new one if there is none or the cached one is ``stale``."""
        async with self._token_lock:  # one refresh at a time in this process
            cached = await self.store.get(self._token_key)
            if cached and cached != stale:
                return cached
            data = await self._request("GET", "cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.settings.app_id,
                "secret": self.settings.app_secret})
            token = data.get("access_token")
            if not token:
                raise WeChatApiError(-1, "no access_token in the answer")
            lifetime = float(data.get("expires_in") or 7200)
            await self.store.set(self._token_key, token, max(1.0, lifetime - TOKEN_MARGIN))
            return token

    async def _post(self, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # WeChat wants UTF-8 as is: \\uXXXX escapes would reach the user literally
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return await self._request("POST", path, params={"access_token": token}, data=body,
                                   headers={"Content-Type": "application/json; charset=utf-8"})

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        url = f"{self.settings.api_base.rstrip('/')}/{path}"
        started = time.monotonic()
        async with self._session.request(method, url, **kwargs) as response:
            response.raise_for_status()
            data = await response.json(content_type=None)
        if not isinstance(data, dict):
            raise WeChatApiError(-1, "the answer is not a JSON object")
        if data.get("errcode"):
            raise WeChatApiError(int(data["errcode"]), str(data.get("errmsg", "")))
        logger.debug("WeChat %s %s ok in %.2f s", method, path, time.monotonic() - started)
        return data

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
