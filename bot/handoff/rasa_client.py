"""Rasa's HTTP API, as the desk uses it (aiohttp; the server runs with ``--enable-api``).

Where Rasa is and its token: ``settings.rasa`` (bot.core.settings: GONGKAI_RASA_URL,
GONGKAI_RASA_TOKEN, sent as ``?token=``).

Used: ``GET /conversations/<id>/tracker`` (the transcript), ``POST /conversations/<id>/tracker/events``
with ``output_channel`` and ``execute_side_effects`` (agent messages, pause/resume) and
``POST /model/parse`` (suggested answers).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp



class RasaError(RuntimeError):
    """Rasa answered with an error or could not be reached."""


class RasaClient:
    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _params(self, **extra: str) -> Dict[str, str]:
        params = {k: v for k, v in extra.items() if v is not None}
        if self.token:
            params["token"] = self.token
        return params

    async def _request(self, method: str, path: str, params: Dict[str, str],
                       body: Any = None) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.base_url + path, params=params,
                                             json=body) as response:
                if response.status >= 400:
                    # the body may echo conversation data: keep it out of the message
                    raise RasaError(f"Rasa {method} {path.split('/')[1]} → HTTP {response.status}")
                return await response.json(content_type=None)
        except aiohttp.ClientError as error:
            raise RasaError(f"Rasa unreachable: {error.__class__.__name__}") from None

    @staticmethod
    def _conversation(sender_id: str) -> str:
        return "/conversations/" + quote(sender_id, safe="")

    async def tracker(self, sender_id: str, all_events: bool = False) -> Dict[str, Any]:
        """The conversation; with ``all_events``, also the events before a /restart."""
        params = self._params(include_events="ALL" if all_events else None)
        return await self._request("GET", self._conversation(sender_id) + "/tracker", params)

    async def append_events(self, sender_id: str, events: List[Dict[str, Any]],
                            output_channel: Optional[str] = None) -> Dict[str, Any]:
        """Append ``events``; with ``output_channel``, bot events are also sent on that channel."""
        params = self._params(output_channel=output_channel,
                              execute_side_effects="true" if output_channel else None)
        return await self._request("POST", self._conversation(sender_id) + "/tracker/events",
                                   params, events)

    async def parse(self, text: str) -> Dict[str, Any]:
        return await self._request("POST", "/model/parse", self._params(), {"text": text})
