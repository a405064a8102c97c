"""Configuration: every ``GONGKAI_*`` environment variable, read once when a process starts
(``settings = Settings.from_env()`` below), typed, with the documented default that runs the
assistant on one machine (SQLite, in-process lock store). This module is the one place the
variables are documented; README “配置” points here.

Each part of the product receives its section (``settings.desk``, ``settings.guard``, …) or reads it
from ``settings``. A value that cannot be used (``GONGKAI_RATE_LIMIT=fast``, a malformed address)
stops the process at start with ``SettingsError`` naming the variable.

Servers are spawned with their environment (bot.tooling.servers), so a test that needs other
settings starts a server with other variables, or builds ``Settings.from_env(its_env)`` itself.

Variables read by other programs, not by this package: ``GONGKAI_WIDGET_ORIGINS`` (Rasa's
credentials.yml, the widget channel's allowed origins), ``GONGKAI_RASA_PUBLIC_URL`` is also
written there by the launcher; ``GONGKAI_CLUSTER_POSTGRES_URL`` / ``GONGKAI_CLUSTER_REDIS_URL``
(bot/tooling/cluster.py, the multi-instance test harness).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Optional, Tuple, Union
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHINA = ZoneInfo("Asia/Shanghai")
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

DEFAULT_DATABASE_URL = "sqlite:///var/gongkai.db"
DEFAULT_KB_DIR = PROJECT_ROOT / "data" / "kb"
DEFAULT_HOURS = "08:30-12:00,13:30-17:00"  # the desk's shifts when GONGKAI_DESK_HOURS is unset (bot.handoff.hours)


class SettingsError(ValueError):
    """A setting has a value the assistant cannot use."""


# ---- sections ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerSettings:
    default_agency: str = "zibo_spj"   # GONGKAI_DEFAULT_AGENCY: the deployment's agency (an id in agencies.yml)
    faq_confidence: float = 0.5        # GONGKAI_FAQ_CONFIDENCE: below this the FAQ answer becomes "您是不是想问"
    faq_margin: float = 0.1            # GONGKAI_FAQ_MARGIN: top two candidates closer than this → ask too


@dataclass(frozen=True)
class ContentSettings:
    kb_dir: Path = DEFAULT_KB_DIR      # GONGKAI_KB_DIR: the knowledge base the servers answer from
    review_kb_dir: Path = DEFAULT_KB_DIR  # GONGKAI_REVIEW_KB_DIR: where the desk's review queue writes
    # GONGKAI_CALENDAR_OVERRIDES: holiday arrangements typed in by staff (the desk's calendar page)
    calendar_overrides: Path = PROJECT_ROOT / "data" / "calendar" / "overrides.yml"


@dataclass(frozen=True)
class ClockSettings:
    """GONGKAI_NOW (ISO date-time; without an offset it is Beijing time) pins the current moment
    (demos, tests of office hours); GONGKAI_TODAY (YYYY-MM-DD) pins the date alone and wins for
    ``clock.today()`` when both are set."""
    now: Optional[dt.datetime] = None
    today: Optional[dt.date] = None


@dataclass(frozen=True)
class DatabaseSettings:
    # GONGKAI_DATABASE_URL: a relative SQLite path is taken relative to the project root and its
    # folder is created; PostgreSQL: postgresql://user@host:5432/db (psycopg2)
    url: str = DEFAULT_DATABASE_URL
    # GONGKAI_TRACKER_URL: Rasa's tracker store for the analytics ("" = endpoints.yml's)
    tracker_url: str = ""


@dataclass(frozen=True)
class RasaSettings:
    url: str = "http://127.0.0.1:5005"  # GONGKAI_RASA_URL: Rasa's HTTP API, for the desk
    token: Optional[str] = None         # GONGKAI_RASA_TOKEN: Rasa's --auth-token (unset: none sent)
    public_url: str = "http://127.0.0.1:5005"  # GONGKAI_RASA_PUBLIC_URL: Rasa as citizens' browsers reach it (widget)
    fast_commits: bool = True           # GONGKAI_TRACKER_FAST_COMMITS: 0 = SQLite tracker store commits durably
    lean: bool = True                   # GONGKAI_RASA_LEAN: 0 = glibc's malloc arenas and TF's thread pools as default
    fast_nlu: bool = True               # GONGKAI_RASA_FAST_NLU: 0 = Rasa's own NLU code (rasa_launch.fast_nlu)


@dataclass(frozen=True)
class ActionServerSettings:
    # GONGKAI_ACTION_TOKEN: shared secret ("" = the one generated in var/action-token)
    token: str = ""
    host: str = "127.0.0.1"             # GONGKAI_ACTIONS_HOST: the address the action server listens on
    metrics_port: int = 0               # GONGKAI_ACTIONS_METRICS_PORT: its Prometheus port (0 = off)


@dataclass(frozen=True)
class DeskSettings:
    secure_cookies: bool = False        # GONGKAI_DESK_SECURE_COOKIES: 1 = cookies over HTTPS only (behind TLS)
    hours: str = DEFAULT_HOURS          # GONGKAI_DESK_HOURS: agents' shifts (bot.handoff.hours.parse_hours)
    stream_interval: float = 2.0        # seconds between checks in a server-sent-events stream
    stream_lifetime: float = 50.0       # a stream ends after this; the browser reconnects by itself


@dataclass(frozen=True)
class GuardSettings:
    """The guard around Rasa's message handling (bot.serving.guard)."""
    rate_messages: int = 30          # GONGKAI_RATE_LIMIT "30/60": at most 30 messages …
    rate_seconds: float = 60.0       # … per 60 seconds per sender; "off" = no limit
    max_chars: int = 1000            # GONGKAI_MAX_MESSAGE_CHARS
    reply_timeout: float = 30.0      # GONGKAI_REPLY_TIMEOUT seconds for one turn
    redis_url: str = ""              # GONGKAI_REDIS_URL: shared rate limits (empty = in process)
    redis_prefix: str = "gongkai"    # GONGKAI_REDIS_PREFIX
    metrics_port: int = 9105         # GONGKAI_METRICS_PORT: Rasa's Prometheus port (0 = off)
    metrics_addr: str = "127.0.0.1"  # GONGKAI_METRICS_ADDR: the address every metrics port listens on


@dataclass(frozen=True)
class CaseSettings:
    api_token: Optional[str] = None     # GONGKAI_CASE_API_TOKEN: the case API's bearer token (unset: API refuses, 503)
    secret_key: str = ""                # GONGKAI_SECRET_KEY: HMAC key of the query codes ("" = development key, warned)


@dataclass(frozen=True)
class ChannelSettings:
    secret: str = ""                    # GONGKAI_CHANNEL_SECRET: ≥ 16 characters, the same on every instance
    # GONGKAI_CHANNEL_SECRET_FILE: where a generated secret is kept when GONGKAI_CHANNEL_SECRET is unset
    secret_file: Path = PROJECT_ROOT / "var" / "channel-secret"


@dataclass(frozen=True)
class Settings:
    answers: AnswerSettings = field(default_factory=AnswerSettings)
    content: ContentSettings = field(default_factory=ContentSettings)
    clock: ClockSettings = field(default_factory=ClockSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    rasa: RasaSettings = field(default_factory=RasaSettings)
    actions: ActionServerSettings = field(default_factory=ActionServerSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    # GONGKAI_WECHAT_*: the WeChat channel's variables as given. bot.channels.wechat_settings
    # types and checks them together with credentials.yml (it documents each one), so that a bad
    # value disables that channel only and the Rasa server still answers on the others.
    wechat: Mapping[str, str] = field(default_factory=dict)
    cases: CaseSettings = field(default_factory=CaseSettings)
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    # GONGKAI_TRUSTED_PROXIES: addresses/networks (comma- or space-separated) of the reverse proxy
    # in front of the web app and Rasa: from them (only), X-Real-IP / X-Forwarded-For name the
    # client (the desk's login throttle, the channels' per-address limits)
    trusted_proxies: Tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def text(name: str, default: str = "") -> str:
            return (env.get(name) or "").strip() or default

        def number(name: str, default: str, kind=float):
            try:
                return kind(text(name, default))
            except ValueError:
                raise SettingsError(f"{name}={env.get(name)!r} is not a number") from None

        def flag(name: str, default: bool) -> bool:
            value = text(name).lower()
            if not value:
                return default
            return value in ("1", "true", "yes", "on")

        rate_messages, rate_seconds = parse_rate(text("GONGKAI_RATE_LIMIT", "30/60"))
        return cls(
            answers=AnswerSettings(
                default_agency=text("GONGKAI_DEFAULT_AGENCY", "zibo_spj"),
                faq_confidence=number("GONGKAI_FAQ_CONFIDENCE", "0.5"),
                faq_margin=number("GONGKAI_FAQ_MARGIN", "0.1")),
            content=ContentSettings(
                kb_dir=Path(text("GONGKAI_KB_DIR") or DEFAULT_KB_DIR),
                review_kb_dir=Path(text("GONGKAI_REVIEW_KB_DIR") or DEFAULT_KB_DIR),
                calendar_overrides=Path(text("GONGKAI_CALENDAR_OVERRIDES")
                                        or ContentSettings.calendar_overrides)),
            clock=ClockSettings(now=parse_moment(text("GONGKAI_NOW")),
                                today=parse_day(text("GONGKAI_TODAY"))),
            database=DatabaseSettings(url=text("GONGKAI_DATABASE_URL", DEFAULT_DATABASE_URL),
                                      tracker_url=text("GONGKAI_TRACKER_URL")),
            rasa=RasaSettings(url=text("GONGKAI_RASA_URL", RasaSettings.url),
                              token=text("GONGKAI_RASA_TOKEN") or None,
                              public_url=text("GONGKAI_RASA_PUBLIC_URL", RasaSettings.public_url).rstrip("/"),
                              # any value but 0/off/no keeps the fast commits
                              fast_commits=text("GONGKAI_TRACKER_FAST_COMMITS").lower() not in ("0", "off", "no"),
                              lean=text("GONGKAI_RASA_LEAN").lower() not in ("0", "off", "no"),
                              fast_nlu=text("GONGKAI_RASA_FAST_NLU").lower() not in ("0", "off", "no")),
            actions=ActionServerSettings(token=text("GONGKAI_ACTION_TOKEN"),
                                         host=text("GONGKAI_ACTIONS_HOST", "127.0.0.1"),
                                         metrics_port=number("GONGKAI_ACTIONS_METRICS_PORT", "0", int)),
            desk=DeskSettings(secure_cookies=flag("GONGKAI_DESK_SECURE_COOKIES", False),
                              hours=text("GONGKAI_DESK_HOURS", DEFAULT_HOURS)),
            guard=GuardSettings(rate_messages=rate_messages, rate_seconds=rate_seconds,
                                max_chars=number("GONGKAI_MAX_MESSAGE_CHARS", "1000", int),
                                reply_timeout=number("GONGKAI_REPLY_TIMEOUT", "30"),
                                redis_url=text("GONGKAI_REDIS_URL"),
                                redis_prefix=text("GONGKAI_REDIS_PREFIX", "gongkai"),
                                metrics_port=number("GONGKAI_METRICS_PORT", "9105", int),
                                metrics_addr=text("GONGKAI_METRICS_ADDR", "127.0.0.1")),
            wechat=MappingProxyType({k: v for k, v in env.items() if k.startswith("GONGKAI_WECHAT_")}),
            cases=CaseSettings(api_token=text("GONGKAI_CASE_API_TOKEN") or None,
                               secret_key=text("GONGKAI_SECRET_KEY")),
            channels=ChannelSettings(secret=text("GONGKAI_CHANNEL_SECRET"),
                                     secret_file=Path(text("GONGKAI_CHANNEL_SECRET_FILE")
                                                      or ChannelSettings.secret_file)),
            trusted_proxies=parse_networks(text("GONGKAI_TRUSTED_PROXIES")),
        )


# ---- parsers of the variables' formats --------------------------------------------------------

def parse_rate(value: str) -> Tuple[int, float]:
    """"20/60" → (20, 60.0); "0" / "off" / "" → (0, 0) = unlimited."""
    value = value.strip().lower()
    if value in ("", "0", "off", "none"):
        return 0, 0.0
    try:
        count, _, seconds = value.partition("/")
        parsed = int(count), float(seconds or 60)
    except ValueError:
        raise SettingsError(f"GONGKAI_RATE_LIMIT must look like 20/60, not {value!r}") from None
    if parsed[0] < 0 or parsed[1] <= 0:
        raise SettingsError(f"GONGKAI_RATE_LIMIT must look like 20/60, not {value!r}")
    return parsed


def parse_networks(value: str) -> Tuple[Network, ...]:
    """GONGKAI_TRUSTED_PROXIES: ``10.0.0.5`` or ``10.0.0.0/24``, comma- or space-separated."""
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(f"GONGKAI_TRUSTED_PROXIES: {part!r} is not an address or "
                                f"network") from None
    return tuple(networks)


def parse_moment(value: str) -> Optional[dt.datetime]:
    """GONGKAI_NOW: an ISO date-time, Beijing time unless it names its offset; "" = not pinned."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"GONGKAI_NOW must be an ISO date-time, not {value!r}") from None
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment.astimezone(CHINA)


def parse_day(value: str) -> Optional[dt.date]:
    """GONGKAI_TODAY: YYYY-MM-DD; "" = not pinned."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"GONGKAI_TODAY must be a date like 2026-11-23, not {value!r}") from None


settings = Settings.from_env()
