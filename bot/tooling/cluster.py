"""The scaled-out assistant on one machine: N Rasa servers and M action servers sharing one
PostgreSQL database (trackers + case store) and one Redis (lock store, rate limits).

Used by the scale-out tests and the load benchmark; also a command for trying it by hand::

    .venv/bin/python -m bot.tooling.cluster --instances 2 --actions 2      # Ctrl+C stops everything

and the writer of one production instance's endpoints file (deploy/endpoints.production.yml)::

    .venv/bin/python -m bot.tooling.cluster --write-endpoints /etc/gongkai/endpoints.yml \
        --action-url http://10.0.0.21:5055/webhook \
        --database-url postgresql://gongkai:<password>@10.0.0.10:5432/gongkai \
        --redis-url redis://10.0.0.11:6379/0

In production each process runs on its own host behind a proxy (docs/deployment.md); this
launcher only wires loopback ports together.
"""
from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from sqlalchemy.engine.url import URL

from bot.core.settings import PROJECT_ROOT
from bot.tooling import servers

# the local PostgreSQL (trust auth, user postgres), where each cluster gets a database of its own
POSTGRES_ADMIN_URL = os.environ.get("GONGKAI_CLUSTER_POSTGRES_URL") or str(URL.create(
    "postgresql", username="postgres", host="127.0.0.1", port=5432, database="postgres"))
REDIS_URL = os.environ.get("GONGKAI_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/0")
DEMO_CASES = PROJECT_ROOT / "data" / "demo" / "cases.json"


@dataclass
class Cluster:
    rasa_urls: list[str]            # http://127.0.0.1:<port>, REST at /webhooks/rest/webhook
    action_urls: list[str]          # http://127.0.0.1:<port>, health at /health
    metrics_urls: list[str]         # Prometheus /metrics of each Rasa instance (the channel guard)
    action_metrics_urls: list[str]  # Prometheus /metrics of each action server
    database_url: str               # PostgreSQL: Rasa trackers and the case store
    redis_url: str
    key_prefix: str                 # alphanumeric, unique per cluster: lock and rate-limit keys
    work_dir: Path                  # endpoint files and logs (<name>.log)
    processes: list[servers.Process] = field(default_factory=list)
    _drop_database: Optional[str] = None

    def rasa_process(self, index: int) -> servers.Process:
        return [p for p in self.processes if p.name.startswith("Rasa")][index]

    def action_process(self, index: int) -> servers.Process:
        return [p for p in self.processes if p.name.startswith("action")][index]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self._drop_database:
            _drop_database(self._drop_database)
            self._drop_database = None

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_) -> None:
        self.stop()


def _create_database(admin_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL database next to `admin_url`'s; returns (its URL, its name)."""
    import psycopg2
    from sqlalchemy.engine.url import make_url

    name = f"gongkai_cluster_{uuid.uuid4().hex[:10]}"
    connection = psycopg2.connect(admin_url, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return str(make_url(admin_url).set(database=name)), name


def _drop_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def start_cluster(instances: int = 2, actions: int = 2, *,
                  model: Optional[Path] = None,
                  database_url: Optional[str] = None,
                  redis_url: str = REDIS_URL,
                  work_dir: Optional[Path] = None,
                  env: Optional[Mapping[str, str]] = None,
                  rasa_env: Optional[list[Mapping[str, str]]] = None,
                  import_demo_cases: bool = True,
                  wait: bool = True) -> Cluster:
    """Starts `actions` action servers and `instances` Rasa servers (Rasa i → action server
    i mod `actions`) on free loopback ports and returns their URLs once all answer.

    Without `database_url` a fresh PostgreSQL database is created (dropped by Cluster.stop()).
    `env` is added to every process's environment, `rasa_env[i]` to Rasa instance i only.
    The caller stops it: ``with start_cluster(...) as cluster:`` or ``cluster.stop()``."""
    from bot.cases import importer
    from bot.tooling import training

    model = model or training.ensure_model(quiet=True)
    work = work_dir or Path(tempfile.mkdtemp(prefix="gongkai-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    drop = None
    if database_url is None:
        database_url, drop = _create_database(POSTGRES_ADMIN_URL)
    key_prefix = f"gk{uuid.uuid4().hex[:10]}"
    cluster = Cluster([], [], [], [], database_url, redis_url, key_prefix, work, _drop_database=drop)
    try:
        if import_demo_cases:
            assert importer.main([str(DEMO_CASES), "--database-url", database_url]) == 0
        else:
            from bot.core import db
            db.upgrade(database_url)
        common = {**training.rasa_env(), **(env or {}), "GONGKAI_DATABASE_URL": database_url,
                  "GONGKAI_REDIS_URL": redis_url, "GONGKAI_REDIS_PREFIX": key_prefix}
        action_ports = []
        for i in range(actions):
            port, metrics_port = servers.free_port(), servers.free_port()
            process_env = {**common, "GONGKAI_ACTIONS_METRICS_PORT": str(metrics_port)}
            cluster.processes.append(servers.start_action_server(
                port, work / f"actions-{i}.log", env=process_env))
            action_ports.append(port)
            cluster.action_urls.append(f"http://127.0.0.1:{port}")
            cluster.action_metrics_urls.append(f"http://127.0.0.1:{metrics_port}/metrics")
        tracker_store = servers.sql_tracker_store(database_url)
        lock_store = servers.redis_lock_store(redis_url, key_prefix)
        for i in range(instances):
            port, metrics_port = servers.free_port(), servers.free_port()
            endpoints = servers.write_endpoints(
                work / f"endpoints-{i}.yml", action_ports[i % actions],
                tracker_store=tracker_store, lock_store=lock_store)
            extra = rasa_env[i] if rasa_env and i < len(rasa_env) else {}
            process_env = {**common, "GONGKAI_METRICS_PORT": str(metrics_port), **extra}
            cluster.processes.append(servers.start_rasa_server(
                port, model, endpoints, work / f"rasa-{i}.log", env=process_env))
            cluster.rasa_urls.append(f"http://127.0.0.1:{port}")
            cluster.metrics_urls.append(f"http://127.0.0.1:{metrics_port}/metrics")
        if wait:
            for process in cluster.processes:
                process.wait_ready()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def restart_rasa(cluster: Cluster, index: int, wait: bool = True) -> servers.Process:
    """Stops Rasa instance `index` and starts it again with the same port, files and environment."""
    old = cluster.rasa_process(index)
    old.stop()
    new = servers._spawn(old.name, old.command, old.health_url, old.log_path, old.env)
    cluster.processes[cluster.processes.index(old)] = new
    if wait:
        new.wait_ready()
    return new


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tooling.cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh database, dropped at exit)")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--write-endpoints", type=Path, metavar="FILE",
                        help="only write one Rasa instance's endpoints file (needs --action-url, "
                             "--database-url) and exit")
    parser.add_argument("--action-url", help="with --write-endpoints: http://host:5055/webhook")
    parser.add_argument("--key-prefix", default="gongkai", help="Redis key prefix (alphanumeric)")
    args = parser.parse_args(argv)
    if args.write_endpoints:
        if not (args.action_url and args.database_url):
            parser.error("--write-endpoints needs --action-url and --database-url")
        path = servers.write_endpoints(
            args.write_endpoints, 0, action_url=args.action_url,
            tracker_store=servers.sql_tracker_store(args.database_url),
            lock_store=servers.redis_lock_store(args.redis_url, args.key_prefix))
        path.chmod(0o600)  # it holds the database password
        print(f"wrote {path}")
        return 0
    print("starting… (Rasa needs about a minute to load)", flush=True)
    cluster = start_cluster(args.instances, args.actions, database_url=args.database_url,
                            redis_url=args.redis_url)
    try:
        for name, urls in (("rasa", cluster.rasa_urls), ("actions", cluster.action_urls),
                           ("rasa metrics", cluster.metrics_urls),
                           ("action metrics", cluster.action_metrics_urls)):
            print(f"{name}: {' '.join(urls)}")
        print(f"database: {cluster.database_url}\nredis: {cluster.redis_url} "
              f"(key prefix {cluster.key_prefix})\nlogs: {cluster.work_dir}\nCtrl+C stops.", flush=True)
        for stop_signal in (signal.SIGINT, signal.SIGTERM):  # SIGINT is ignored in background jobs
            signal.signal(stop_signal, signal.default_int_handler)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
