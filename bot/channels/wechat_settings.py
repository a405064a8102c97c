"""The WeChat channel's settings: the GONGKAI_WECHAT_* variables (read once with all the others,
``bot.core.settings.settings.wechat``) with documented defaults, optionally overridden by keys
under the channel in credentials.yml (Rasa cannot leave a ``${VAR}`` unset, so secrets come from
the environment). docs/channels.md lists them for operators."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, fields
from typing import Any, Mapping, Optional

from wechatpy.client import WeChatClient

from bot.core.settings import SettingsError, settings as process_settings

MODES = ("plain", "compatible", "safe")
WECHAT_TEXT_LIMIT = 2048  # bytes of UTF-8 in one text message, passive or 客服消息
# WeChat's public API server, as wechatpy's (synchronous, unused) client names it
DEFAULT_API_BASE = WeChatClient.API_BASE_URL.split("/cgi-bin", 1)[0]


@dataclass(frozen=True)
class WeChatSettings:
    token: str = ""                      # GONGKAI_WECHAT_TOKEN: 令牌 (Token) of 服务器配置
    app_id: str = ""                     # GONGKAI_WECHAT_APP_ID: AppID (开发者ID)
    app_secret: str = ""                 # GONGKAI_WECHAT_APP_SECRET: AppSecret (开发者密码)
    encoding_aes_key: str = ""           # GONGKAI_WECHAT_ENCODING_AES_KEY: 43 characters
    mode: str = "plain"                  # GONGKAI_WECHAT_MODE: plain | compatible | safe
    reply_budget: float = 4.0            # GONGKAI_WECHAT_REPLY_BUDGET: seconds to answer passively
    api_base: str = DEFAULT_API_BASE     # GONGKAI_WECHAT_API_BASE: WeChat's API server
    redis_url: str = ""                  # GONGKAI_WECHAT_REDIS_URL: empty = this process's memory
    max_clock_skew: float = 300.0        # GONGKAI_WECHAT_MAX_CLOCK_SKEW: seconds; older = replay
    text_limit: int = 2000               # GONGKAI_WECHAT_TEXT_LIMIT: bytes per message part
    max_body: int = 65536                # GONGKAI_WECHAT_MAX_BODY: bytes; larger → 413
    dedup_ttl: float = 300.0             # GONGKAI_WECHAT_DEDUP_TTL: seconds a MsgId is remembered
    choice_ttl: float = 1800.0           # GONGKAI_WECHAT_CHOICE_TTL: seconds "回复 1/2/3" stays valid
    followup_delay: float = 0.5          # GONGKAI_WECHAT_FOLLOWUP_DELAY: seconds before part 2…

    @property
    def configured(self) -> bool:
        return bool(self.token)

    @property
    def can_send(self) -> bool:
        """Whether the 客服消息 API can be used (needs AppID and AppSecret)."""
        return bool(self.app_id and self.app_secret)

    @property
    def aes_key(self) -> Optional[bytes]:
        return decode_aes_key(self.encoding_aes_key) if self.encoding_aes_key else None


def env_name(field_name: str) -> str:
    return f"GONGKAI_WECHAT_{field_name.upper()}"


def load(credentials: Optional[Mapping[str, Any]] = None,
         environ: Optional[Mapping[str, str]] = None) -> WeChatSettings:
    """Settings from credentials.yml keys (same names as the fields, lower case), else the
    environment (default: the process's GONGKAI_WECHAT_* variables), else the defaults. Raises
    SettingsError for unusable values."""
    credentials = credentials or {}
    environ = process_settings.wechat if environ is None else environ
    unknown = set(credentials) - {f.name for f in fields(WeChatSettings)}
    if unknown:
        raise SettingsError(f"unknown keys under the WeChat channel in credentials.yml: "
                            f"{', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for f in fields(WeChatSettings):
        raw = credentials.get(f.name)
        if raw is None or raw == "":
            raw = environ.get(env_name(f.name))
        if raw is None or str(raw).strip() == "":
            continue
        kind = type(f.default)
        try:
            values[f.name] = kind(str(raw).strip())
        except ValueError:
            raise SettingsError(f"{env_name(f.name)}={raw!r} is not a valid {kind.__name__}") \
                from None
    settings = WeChatSettings(**values)
    _check(settings)
    return settings


def _check(s: WeChatSettings) -> None:
    if s.mode not in MODES:
        raise SettingsError(f"GONGKAI_WECHAT_MODE must be one of {', '.join(MODES)}, "
                            f"not {s.mode!r}")
    if s.mode != "plain" and s.configured and not (s.encoding_aes_key and s.app_id):
        raise SettingsError(f"mode {s.mode} needs GONGKAI_WECHAT_ENCODING_AES_KEY and "
                            "GONGKAI_WECHAT_APP_ID")
    if s.encoding_aes_key:
        decode_aes_key(s.encoding_aes_key)
    if not 0 <= s.reply_budget <= 4.8:
        raise SettingsError("GONGKAI_WECHAT_REPLY_BUDGET must be between 0 and 4.8 seconds "
                            "(WeChat waits 5 s for a passive reply)")
    if not 64 <= s.text_limit <= WECHAT_TEXT_LIMIT:
        raise SettingsError(f"GONGKAI_WECHAT_TEXT_LIMIT must be between 64 and "
                            f"{WECHAT_TEXT_LIMIT} bytes")
    if not s.api_base.startswith(("http://", "https://")):
        raise SettingsError("GONGKAI_WECHAT_API_BASE must be an http(s) URL")
    if min(s.max_clock_skew, s.max_body, s.dedup_ttl, s.choice_ttl) <= 0 or s.followup_delay < 0:
        raise SettingsError("the WeChat channel's sizes and durations must be positive")


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """EncodingAESKey (43 characters of Base64 without the final '=') → the 32-byte AES key."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise SettingsError("GONGKAI_WECHAT_ENCODING_AES_KEY must be the 43-character "
                            "EncodingAESKey shown in the WeChat admin console")
    return key
