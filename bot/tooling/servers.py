"""Starting and stopping the assistant's processes (action server, Rasa server, web app), shared by
`gongkai run` and the integration tests; keeping them running (`Supervisor`); and what
`gongkai run` starts (`RunPlan`, `start_run`), including the protection of Rasa's HTTP API: an
API token (`rasa_api_token`) and the browser origins allowed to call it (`widget_origins`)."""
from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, List, Mapping, Optional, Sequence
from urllib.parse import quote, urlsplit

from bot.core.settings import PROJECT_ROOT
from bot.tooling.training import rasa_env, rasa_executable

# masks personal data in every log record of the Rasa and action servers (bot.rules.privacy)
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
    _log: Optional[IO] = field(repr=False, default=None)
    env: Optional[dict] = field(repr=False, default=None)
    command: List[str] = field(repr=False, default_factory=list)

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
            self._log = None

    def restart(self) -> None:
        """Start the same command again (after it exited), appending to the same log."""
        self.stop()
        self._log = open(self.log_path, "ab")
        self.popen = _popen(self.command, self._log, self.env)


def _popen(command: List[str], log: IO, env: Optional[dict]) -> subprocess.Popen:
    # umask 077: what the servers create (Rasa's SQLite tracker store, logs) is owner-only
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env or rasa_env(), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, umask=0o077)


def _spawn(name: str, command: list[str], health_url: str, log_path: Path,
           env: Optional[dict] = None) -> Process:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    return Process(name, _popen(command, log, env), health_url, log_path, log, env, command)


def start_action_server(port: int, log_path: Path, env: Optional[dict] = None) -> Process:
    """The action server on 127.0.0.1:`port` (bot.serving.action_server), wanting the shared secret
    (action_token(): GONGKAI_ACTION_TOKEN or the generated var/action-token). rasa_env() gives
    every Rasa process the same secret, for the repository's endpoints.yml."""
    from bot.serving.action_server import TOKEN_ENV, action_token

    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.serving.action_server",
               "--port", str(port), "--logging-config-file", str(LOGGING_CONFIG)]
    env = dict(env or rasa_env())
    env.setdefault("GONGKAI_ACTIONS_METRICS_PORT", "9106")  # bot.serving.action_server starts the exporter
    env.setdefault(TOKEN_ENV, action_token(env))
    return _spawn("action server", command, f"http://127.0.0.1:{port}/health", log_path, env)


ANY_ORIGIN = ("*",)


def rasa_command(port: int, model: Path, endpoints: Path, credentials: Path,
                 auth_token: Optional[str], cors_origins: Sequence[str]) -> List[str]:
    """The Rasa server's command line: HTTP API on, `auth_token` required by every API route
    (`?token=`; the channels' webhooks and socket.io do not need it), browsers allowed to call it
    only from `cors_origins` (Rasa's `--cors`; empty: from none)."""
    # bot.serving.rasa_launch: the rasa command with log masking and a cached response validator
    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.serving.rasa_launch",
               "run", "--model", str(model), "--port", str(port),
               "--endpoints", str(endpoints), "--credentials", str(credentials),
               "--enable-api", "--interface", "127.0.0.1",
               "--logging-config-file", str(LOGGING_CONFIG)]
    if cors_origins:
        command += ["--cors", *cors_origins]
    if auth_token:
        # one argument with "=": a token may begin with "-" (token_urlsafe does, one time in 64),
        # which argparse would otherwise read as an option and stop the server
        command.append(f"--auth-token={auth_token}")
    return command


def start_rasa_server(port: int, model: Path, endpoints: Path, log_path: Path,
                      credentials: Path = PROJECT_ROOT / "credentials.yml",
                      env: Optional[dict] = None, auth_token: Optional[str] = None,
                      cors_origins: Sequence[str] = ANY_ORIGIN) -> Process:
    """Rasa with its HTTP API on; with `auth_token`, the API wants `?token=` (the desk sends it).
    The defaults (no token, any origin) are for tests on loopback; `gongkai run` passes both."""
    command = rasa_command(port, model, endpoints, credentials, auth_token, cors_origins)
    health = f"http://127.0.0.1:{port}/status"
    if auth_token:
        health += f"?token={quote(auth_token, safe='')}"
    return _spawn("Rasa server", command, health, log_path, env)


def start_web(port: int, log_path: Path, env: Optional[dict] = None) -> Process:
    """The project's own web app (desk, case API, widget page)."""
    command = [str(Path(rasa_executable()).with_name("python")), "-m", "bot.web",
               "--port", str(port)]
    return _spawn("web app", command, f"http://127.0.0.1:{port}/health", log_path, env)


# the Rasa server's tracker store (bot/serving/tracker_store.py): Rasa's SQL events table, and each
# turn works on the session's state and its last WINDOW_TURNS turns
WINDOWED_TRACKER_STORE = "bot.serving.tracker_store.WindowedSQLTrackerStore"
WINDOW_TURNS = 20


def is_sql_tracker_store(store_type: object) -> bool:
    """Whether an endpoints file's tracker_store type keeps every event in Rasa's SQL ``events``
    table (Rasa's ``SQL`` or the windowed store), where the analytics and the desk read them."""
    value = str(store_type or "").strip()
    return value.upper() == "SQL" or value == WINDOWED_TRACKER_STORE


def sql_tracker_store(database_url: str, window_turns: Optional[int] = WINDOW_TURNS) -> dict:
    """The tracker-store settings for a SQLAlchemy URL (sqlite:///… or postgresql://…): the windowed
    store keeping `window_turns` turns; None: Rasa's own SQLTrackerStore, which loads the whole
    session on every turn (for comparisons, bench/conversation_length.py)."""
    from sqlalchemy.engine.url import make_url

    url = make_url(database_url)
    kind = {"type": "SQL"} if window_turns is None else {"type": WINDOWED_TRACKER_STORE,
                                                         "window_turns": window_turns}
    if url.drivername.startswith("sqlite"):
        return {**kind, "dialect": "sqlite", "db": url.database}
    config = {**kind, "dialect": url.drivername, "url": url.host or "127.0.0.1",
              "port": url.port or 5432, "db": url.database, "username": url.username}
    if url.password:
        config["password"] = url.password
    if url.query:
        config["query"] = dict(url.query)  # e.g. options=-csearch_path=… or sslmode
    return {k: v for k, v in config.items() if v is not None}


def redis_lock_store(redis_url: str, key_prefix: str = "gongkai") -> dict:
    """Lock-store settings for a redis://host:port/db URL: our atomic SerialRedisLockStore
    (bot/serving/lockstore.py). `key_prefix` must be alphanumeric (Rasa ignores it otherwise)."""
    from urllib.parse import urlsplit

    url = urlsplit(redis_url)
    config = {"type": "bot.serving.lockstore.SerialRedisLockStore", "url": url.hostname or "127.0.0.1",
              "port": url.port or 6379, "db": int((url.path or "/0").strip("/") or 0),
              "key_prefix": key_prefix}
    if url.password:
        config["password"] = url.password
    return config


def write_endpoints(path: Path, action_port: int, tracker_db: Optional[Path] = None, *,
                    action_url: Optional[str] = None, tracker_store: Optional[dict] = None,
                    lock_store: Optional[dict] = None,
                    window_turns: Optional[int] = WINDOW_TURNS) -> Path:
    """An endpoints file for one Rasa instance: the action server at `action_port` (or
    `action_url`) with the shared secret it wants (bot.serving.action_server.action_token()), the tracker
    store (`tracker_store` settings, e.g. sql_tracker_store(url), or a SQLite file `tracker_db`,
    created owner-only, keeping `window_turns` turns per turn) and optionally a lock store (e.g.
    redis_lock_store(url)).

    Written per instance rather than with ${VAR}s because Rasa refuses unset variables. The file
    holds the secret: it is written owner-only."""
    from bot.core.db import private_sqlite_file
    from bot.serving.action_server import action_token, authorization_header

    path.parent.mkdir(parents=True, exist_ok=True)
    if tracker_store is None:
        if tracker_db is None:
            raise ValueError("write_endpoints needs tracker_db or tracker_store")
        private_sqlite_file(Path(tracker_db))
        tracker_store = sql_tracker_store(f"sqlite:///{tracker_db}", window_turns)
    config = {
        "action_endpoint": {"url": action_url or f"http://127.0.0.1:{action_port}/webhook",
                            "headers": authorization_header(action_token())},
        "tracker_store": tracker_store,
    }
    if lock_store:
        config["lock_store"] = lock_store
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2))  # JSON is valid YAML
    return path


# ---- what `gongkai run` starts ---------------------------------------------------------------

RASA_TOKEN_ENV = "GONGKAI_RASA_TOKEN"  # also read by the desk (bot.handoff.rasa_client)
WIDGET_ORIGINS_ENV = "GONGKAI_WIDGET_ORIGINS"
TOKEN_FILE = "rasa-api-token"


@dataclass(frozen=True)
class RunPlan:
    """Ports and the folder of one `gongkai run` (logs, the SQLite tracker, the API token)."""
    rasa_port: int = 5005
    web_port: int = 8000
    action_port: int = 5055
    var: Path = PROJECT_ROOT / "var"

    @property
    def logs(self) -> Path:
        return self.var / "log"


def rasa_api_token(var: Path, env: Mapping[str, str] = os.environ) -> str:
    """The token Rasa's HTTP API requires: GONGKAI_RASA_TOKEN when the operator set one, else a
    random one generated on the first run and kept in var/rasa-api-token (owner-only), so that a
    restarted Rasa server and an already running desk keep agreeing."""
    configured = env.get(RASA_TOKEN_ENV, "").strip()
    if configured:
        return configured
    path = var / TOKEN_FILE
    var.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 32:
            return token
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)  # empty or cut short: make a new one
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(token + "\n")
    return token


def widget_origins(web_port: int, env: Mapping[str, str] = os.environ) -> List[str]:
    """The browser origins allowed to call the Rasa server (its socket.io channel's long-polling
    needs CORS): the web app's own widget page, plus GONGKAI_WIDGET_ORIGINS, the agency's
    websites that embed the widget (comma- or space-separated, e.g.
    ``https://<the agency site>``). Each must be a bare origin —
    scheme, host, optional port — compared exactly: no wildcard, no path."""
    origins = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    for origin in env.get(WIDGET_ORIGINS_ENV, "").replace(",", " ").split():
        parts = urlsplit(origin)
        if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
                or parts.query or parts.fragment or parts.username or any(c in origin for c in "*?\\[]")):
            raise ValueError(f"{WIDGET_ORIGINS_ENV}: {origin!r} is not an origin such as "
                             "https://<the agency site>")
        origin = origin.rstrip("/").lower()
        if origin not in origins:
            origins.append(origin)
    return origins


def run_endpoints(plan: RunPlan) -> Path:
    """The endpoints file of this run: the project's endpoints.yml with the action server's port
    and the SQLite tracker under `plan.var` (unchanged for the default ports and folder)."""
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    action = config.get("action_endpoint") or {}
    url = urlsplit(str(action.get("url", "")))
    if url.hostname in ("127.0.0.1", "localhost"):
        action["url"] = url._replace(netloc=f"{url.hostname}:{plan.action_port}").geturl()
    store = config.get("tracker_store") or {}
    if str(store.get("dialect", "")).startswith("sqlite") and store.get("db"):
        db_path = Path(store["db"])
        if not db_path.is_absolute() and db_path.parts[:1] == ("var",):
            store["db"] = str(plan.var.joinpath(*db_path.parts[1:]))
    plan.var.mkdir(parents=True, exist_ok=True)
    path = plan.var / "endpoints.run.yml"
    path.write_text("# written by `gongkai run` from endpoints.yml; edit that file instead\n"
                    + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def start_run(plan: RunPlan, model: Path, env: Optional[Mapping[str, str]] = None) -> List[Process]:
    """The action server, the Rasa server (API token required, CORS for the widget's origins only)
    and the web app (which gets the token for the desk), as `gongkai run` starts them."""
    from bot.feedback.analytics import tracker_url

    env = dict(env or rasa_env())
    token = rasa_api_token(plan.var, env)
    origins = widget_origins(plan.web_port, env)
    endpoints = run_endpoints(plan)
    web_env = {**env, RASA_TOKEN_ENV: token,
               "GONGKAI_RASA_URL": env.get("GONGKAI_RASA_URL") or f"http://127.0.0.1:{plan.rasa_port}",
               "GONGKAI_RASA_PUBLIC_URL": (env.get("GONGKAI_RASA_PUBLIC_URL")
                                           or f"http://127.0.0.1:{plan.rasa_port}")}
    found = tracker_url(env.get("GONGKAI_TRACKER_URL", ""), endpoints)
    if found:
        web_env["GONGKAI_TRACKER_URL"] = found
    return [
        start_action_server(plan.action_port, plan.logs / "actions.log", env),
        _spawn("Rasa server",
               rasa_command(plan.rasa_port, model, endpoints, PROJECT_ROOT / "credentials.yml",
                            token, origins),
               f"http://127.0.0.1:{plan.rasa_port}/status?token={quote(token, safe='')}",
               plan.logs / "rasa.log", env),
        start_web(plan.web_port, plan.logs / "web.log", web_env),
    ]


# ---- keeping them running --------------------------------------------------------------------

RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # seconds before restart 1, 2, 3, …, then 60
STABLE_AFTER = 300.0  # a child up this long counts as healthy again: its next restart waits 1 s


class Supervisor:
    """Keeps `gongkai run`'s children running. A child that exits (killed, crashed, exited on a
    database error) is logged with the end of its log and started again after a growing delay,
    so that one dead process never stops the others, and one that dies at once on every start
    does not spin. Call `check()` periodically, or `run()` until KeyboardInterrupt."""

    def __init__(self, processes: Sequence[Process], log: logging.Logger,
                 delays: Sequence[float] = RESTART_DELAYS, stable_after: float = STABLE_AFTER,
                 clock: Callable[[], float] = time.monotonic):
        self.processes, self.log, self.delays = list(processes), log, tuple(delays)
        self.stable_after, self.clock = stable_after, clock
        now = clock()
        self.restarts: Dict[str, int] = {p.name: 0 for p in self.processes}  # since last stable
        self._started: Dict[str, float] = {p.name: now for p in self.processes}
        self._due: Dict[str, float] = {}  # name → when to start it again

    def check(self) -> None:
        now = self.clock()
        for process in self.processes:
            name = process.name
            if name in self._due:
                if now >= self._due[name]:
                    del self._due[name]
                    process.restart()
                    self._started[name] = now
                    self.log.warning("%s started again (pid %d)", name, process.popen.pid)
                continue
            code = process.popen.poll()
            if code is None:
                if now - self._started[name] >= self.stable_after:
                    self.restarts[name] = 0
                continue
            delay = self.delays[min(self.restarts[name], len(self.delays) - 1)]
            self.restarts[name] += 1
            self._due[name] = now + delay
            self.log.error("%s exited with code %s; starting it again in %.0f s. End of %s:\n%s",
                           name, code, delay, process.log_path, process.tail(10))

    def run(self, interval: float = 1.0) -> None:
        while True:
            self.check()
            time.sleep(interval)
