"""Real servers for the WeChat channel tests (fixtures ``plain_server`` and ``safe_server`` in
tests/conftest.py): one action server and two Rasa servers that share it, with
the WeChat channel configured through environment variables, talking to a fake WeChat API:

* ``plain``: the committed credentials.yml (REST, socket.io widget, WeChat) in plain mode, an
  in-memory store, a 4.8 s reply budget and 300-byte message parts (so that the 20-working-day
  answer, ~400 bytes, comes as a passive first part plus a 客服消息);
* ``safe``: a test credentials file whose keys set safe (AES) mode and a 0.01 s budget (every
  answer goes through the 客服消息 API), de-duplication in the real Redis.

Both start in parallel on first use (~1–2 min with the model already trained)."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator

from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat_client import AES_KEY, APP_ID, APP_SECRET, TOKEN, WeChatClient

OFF_HOURS = "2026-11-23T20:00:00"  # Monday 20:00, Beijing time

REDIS_URL = "redis://127.0.0.1:6379/0"
PLAIN_TEXT_LIMIT = 300


@dataclass(frozen=True)
class WeChatRasa:
    rasa_url: str
    webhook: str
    client: WeChatClient
    fake: FakeWeChat
    log_path: Path


@contextlib.contextmanager
def running(work: Path, fake_wechat: FakeWeChat) -> Iterator[Dict[str, WeChatRasa]]:
    """The ``plain`` and ``safe`` servers (see above), started in the folder ``work``."""
    from bot.core import db
    from bot.core.settings import PROJECT_ROOT
    from bot.tooling import servers, training

    model = training.ensure_model(quiet=True)
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    base_env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url,
                "GONGKAI_WECHAT_TOKEN": TOKEN, "GONGKAI_WECHAT_APP_ID": APP_ID,
                "GONGKAI_WECHAT_APP_SECRET": APP_SECRET,
                "GONGKAI_WECHAT_ENCODING_AES_KEY": AES_KEY,
                "GONGKAI_WECHAT_API_BASE": fake_wechat.url,
                # an evening: 「转人工」 answers with office hours, not a pause (deterministic)
                "GONGKAI_NOW": OFF_HOURS}
    for name in list(base_env):  # a developer's own settings must not leak into the tests
        if name.startswith("GONGKAI_WECHAT_") and name not in (
                "GONGKAI_WECHAT_TOKEN", "GONGKAI_WECHAT_APP_ID", "GONGKAI_WECHAT_APP_SECRET",
                "GONGKAI_WECHAT_ENCODING_AES_KEY", "GONGKAI_WECHAT_API_BASE"):
            del base_env[name]
    # the hand-off runs in the action server: it needs the same pinned evening and a database of
    # its own (CI ran in office hours, and the hand-off then had no database to open a ticket in)
    action_port = servers.free_port()
    actions = servers.start_action_server(action_port, work / "actions.log", env=base_env)

    safe_credentials = work / "credentials-safe.yml"
    safe_credentials.write_text(
        "bot.channels.guarded.GuardedRestInput:\n"
        "bot.channels.wechat.WeChatInput:\n"
        "  mode: safe\n"
        "  reply_budget: 0.01\n", encoding="utf-8")
    configs = {
        "plain": (PROJECT_ROOT / "credentials.yml",
                  {"GONGKAI_WECHAT_MODE": "plain", "GONGKAI_WECHAT_REPLY_BUDGET": "4.8",
                   "GONGKAI_WECHAT_TEXT_LIMIT": str(PLAIN_TEXT_LIMIT)}),
        "safe": (safe_credentials, {"GONGKAI_WECHAT_REDIS_URL": REDIS_URL}),
    }
    started = {}
    try:
        for name, (credentials, extra) in configs.items():
            port = servers.free_port()
            endpoints = servers.write_endpoints(work / f"endpoints-{name}.yml", action_port,
                                                work / f"tracker-{name}.db")
            process = servers.start_rasa_server(port, model, endpoints, work / f"rasa-{name}.log",
                                                credentials=credentials,
                                                env={**base_env, **extra})
            started[name] = (port, process)
        actions.wait_ready()
        for _, process in started.values():
            process.wait_ready()
        yield {name: WeChatRasa(f"http://127.0.0.1:{port}",
                                f"http://127.0.0.1:{port}/webhooks/wechat/webhook",
                                WeChatClient(), fake_wechat, process.log_path)
               for name, (port, process) in started.items()}
    finally:
        for _, process in started.values():
            process.stop()
        actions.stop()

