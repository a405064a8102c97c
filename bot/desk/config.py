"""The desk's settings, read from the environment once when the web app is built.

    GONGKAI_DESK_SECURE_COOKIES   1: the session cookie is sent over HTTPS only (set it behind TLS)
    GONGKAI_TRUSTED_PROXIES       addresses/networks of the reverse proxy in front of the web app:
                                  from them (only), X-Real-IP / X-Forwarded-For name the client
                                  whose failed logins are counted (bot.desk.throttle)
    GONGKAI_RASA_URL, GONGKAI_RASA_TOKEN   where Rasa's HTTP API is (bot.handoff.rasa_client)
    GONGKAI_DESK_HOURS            agents' shifts (bot.handoff.hours)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Tuple

from bot.desk import throttle

SECURE_ENV = "GONGKAI_DESK_SECURE_COOKIES"
PROXIES_ENV = "GONGKAI_TRUSTED_PROXIES"


@dataclass(frozen=True)
class DeskConfig:
    secure_cookies: bool = False
    stream_interval: float = 2.0  # seconds between checks in a server-sent-events stream
    stream_lifetime: float = 50.0  # a stream ends after this; the browser reconnects by itself
    trusted_proxies: Tuple[throttle.Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DeskConfig:
        return cls(secure_cookies=env.get(SECURE_ENV, "").strip().lower() in ("1", "true", "yes"),
                   trusted_proxies=throttle.parse_proxies(env.get(PROXIES_ENV, "")))
