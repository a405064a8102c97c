"""deploy/endpoints.production.yml is what `python -m bot.tooling.cluster --write-endpoints` writes for
the documented example, and Rasa builds our stores from it."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.serving.lockstore import SerialRedisLockStore
from bot.tooling import cluster, servers

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
EXAMPLE = ["--action-url", "http://10.0.0.21:5055/webhook",
           "--database-url", "postgresql://gongkai:change-me@10.0.0.10:5432/gongkai",
           "--redis-url", "redis://10.0.0.11:6379/0"]


def test_production_endpoints_match_the_writer(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_ACTION_TOKEN", "change-me-action-token")  # the documented value
    written = tmp_path / "endpoints.yml"
    assert cluster.main(["--write-endpoints", str(written), *EXAMPLE]) == 0
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    documented = yaml.safe_load((DEPLOY / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert yaml.safe_load(written.read_text(encoding="utf-8")) == documented


def test_rasa_builds_the_serial_redis_lock_store_from_it():
    config = read_endpoint_config(str(DEPLOY / "endpoints.production.yml"), "lock_store")
    store = LockStore.create(config)
    assert isinstance(store, SerialRedisLockStore)
    assert store.key_prefix == "gongkai:lock:"
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("10.0.0.11", 6379, 0)
    tracker = read_endpoint_config(str(DEPLOY / "endpoints.production.yml"), "tracker_store")
    assert tracker.type == servers.WINDOWED_TRACKER_STORE and tracker.kwargs["dialect"] == "postgresql"
