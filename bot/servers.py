"""Starting and stopping the assistant's processes (action server, Rasa server), shared by
`gongkai run` and the integration tests."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Optional

from bot.settings import PROJECT_ROOT
from bot.training import rasa_env, rasa_executable

# masks personal data in every log record of the Rasa and action servers (bot.privacy)
LOGGING_CONFIG = PROJECT_ROOT / "logging.yml"
STARTUP_TIMEOUT = 240.0  # seconds; Rasa needs ~50 s to load TensorFlow and the model here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    health_url: str
    log_path: Path
    _log: IO = field(repr=False, default=None)
    env: Optional[dict] = field(repr=False, default=None)

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.popen.returncode}; "
                                   f"see {self.log_path}:\n{self.tail()}")
            if http_ok(self.health_url):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s; see {self.log_path}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self._log:
            self._log.close()


def _spawn(name: str, command: list[str], health_url: str, log_path: Path,
           env: Optional[dict] = None) -> Process:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    popen = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env or rasa_env(), stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    return Process(name, popen, health_url, log_path, log, env)


def start_action_server(port: int, log_path: Path, env: Optional[dict] = None) -> Process:
    # bot.actions_launch: rasa_sdk's action server with the metrics exporter started first
    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.actions_launch",
               "--actions", "actions", "--port", str(port),
               "--logging-config-file", str(LOGGING_CONFIG)]
    env = dict(env or rasa_env())
    env.setdefault("GONGKAI_ACTIONS_METRICS_PORT", "9106")  # served by bot.actions_launch
    return _spawn("action server", command, f"http://127.0.0.1:{port}/health", log_path, env)


def start_rasa_server(port: int, model: Path, endpoints: Path, log_path: Path,
                      credentials: Path = PROJECT_ROOT / "credentials.yml",
                      env: Optional[dict] = None, auth_token: Optional[str] = None) -> Process:
    """Rasa with its HTTP API on; with `auth_token`, the API wants `?token=` (the desk sends it)."""
    # bot.rasa_launch: the rasa command with log masking and a cached response validator
    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.rasa_launch",
               "run", "--model", str(model), "--port", str(port),
               "--endpoints", str(endpoints), "--credentials", str(credentials),
               "--enable-api", "--cors", "*", "--interface", "127.0.0.1",
               "--logging-config-file", str(LOGGING_CONFIG)]
    health = f"http://127.0.0.1:{port}/status"
    if auth_token:
        command += ["--auth-token", auth_token]
        health += f"?token={auth_token}"
    return _spawn("Rasa server", command, health, log_path, env)


def start_web(port: int, log_path: Path, env: Optional[dict] = None) -> Process:
    """The project's own web app (desk, case API, widget page)."""
    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.web",
               "--port", str(port)]
    return _spawn("web app", command, f"http://127.0.0.1:{port}/health", log_path, env)


def sql_tracker_store(database_url: str) -> dict:
    """Rasa's SQL tracker-store settings for a SQLAlchemy URL (sqlite:///… or postgresql://…)."""
    from sqlalchemy.engine.url import make_url

    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    config = {"type": "SQL", "dialect": url.drivername, "url": url.host or "127.0.0.1",
              "port": url.port or 5432, "db": url.database, "username": url.username}
    if url.password:
        config["password"] = url.password
    if url.query:
        config["query"] = dict(url.query)  # e.g. options=-csearch_path=… or sslmode
    return {k: v for k, v in config.items() if v is not None}


def redis_lock_store(redis_url: str, key_prefix: str = "gongkai") -> dict:
    """Lock-store settings for a redis://host:port/db URL: our atomic SerialRedisLockStore
    (bot/lockstore.py). `key_prefix` must be alphanumeric (Rasa ignores it otherwise)."""
    from urllib.parse import urlsplit

    url = urlsplit(redis_url)
    config = {"type": "bot.lockstore.SerialRedisLockStore", "url": url.hostname or "127.0.0.1",
              "port": url.port or 6379, "db": int((url.path or "/0").strip("/") or 0),
              "key_prefix": key_prefix}
    if url.password:
        config["password"] = url.password
    return config


def write_endpoints(path: Path, action_port: int, tracker_db: Optional[Path] = None, *,
                    action_url: Optional[str] = None, tracker_store: Optional[dict] = None,
                    lock_store: Optional[dict] = None) -> Path:
    """An endpoints file for one Rasa instance: the action server at `action_port` (or
    `action_url`), the tracker store (`tracker_store` settings, e.g. sql_tracker_store(url), or a
    SQLite file `tracker_db`) and optionally a lock store (e.g. redis_lock_store(url)).

    Written per instance rather than with ${VAR}s because Rasa refuses unset variables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if tracker_store is None:
        if tracker_db is None:
            raise ValueError("write_endpoints needs tracker_db or tracker_store")
        tracker_store = {"type": "SQL", "dialect": "sqlite", "db": str(tracker_db)}
    config = {
        "action_endpoint": {"url": action_url or f"http://127.0.0.1:{action_port}/webhook"},
        "tracker_store": tracker_store,
    }
    if lock_store:
        config["lock_store"] = lock_store
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2))  # JSON is valid YAML
    return path
