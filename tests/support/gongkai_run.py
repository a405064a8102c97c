"""The real `gongkai run` (bot/tooling/cli.py, the `make run` command) in a subprocess, on free loopback
ports, with its files (logs, tracker, Rasa API token) and its database in a temporary folder:
the configuration the security tests check is the one `make run` uses, not a test's own.

Shared by the modules of tests/security that need it (started on first use, stopped — with
SIGTERM, as `systemctl stop` would — at the end of the session)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from bot.core.settings import PROJECT_ROOT
from bot.tooling import servers, training

STARTUP = 600.0  # seconds: generous, Rasa loads TensorFlow and the model (~1 min on a quiet machine)
CHILDREN = {"actions": " -m bot.serving.action_server ", "rasa": " -m bot.serving.rasa_launch ", "web": " -m bot.web "}


@dataclass
class GongkaiRun:
    popen: subprocess.Popen
    var: Path
    rasa_url: str
    web_url: str
    action_url: str

    @property
    def token(self) -> str:
        return (self.var / servers.TOKEN_FILE).read_text().strip()

    def children(self) -> Dict[str, int]:
        """{"actions" | "rasa" | "web": pid} of the processes `gongkai run` started."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != self.popen.pid:
                continue
            for name, marker in CHILDREN.items():
                if marker in f" {cmdline} ":
                    found.setdefault(name, int(entry.name))
        return found

    def ready(self) -> bool:
        token = self.token if (self.var / servers.TOKEN_FILE).exists() else ""
        return (servers.http_ok(f"{self.action_url}/health")
                and servers.http_ok(f"{self.web_url}/health")
                and bool(token) and servers.http_ok(f"{self.rasa_url}/status?token={token}"))

    def wait_ready(self, timeout: float = STARTUP) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen.poll() is None, f"gongkai run exited: {self.output()}"
            if self.ready():
                return
            time.sleep(1)
        raise TimeoutError(f"gongkai run not ready after {timeout:.0f} s: {self.output()}")

    def output(self) -> str:
        path = self.var / "run.out"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> List[int]:
        """SIGTERM, as a service manager stops it; returns the children still alive after it."""
        children = list(self.children().values())
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(120)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        alive = [pid for pid in children if _alive(pid)]
        for pid in alive:  # never leave servers behind, whatever the test found
            os.kill(pid, signal.SIGKILL)
        return alive


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(work: Path, extra_env: Optional[Dict[str, str]] = None) -> GongkaiRun:
    training.ensure_model(quiet=True)  # train (if needed) outside the timed start-up wait
    rasa_port, web_port, action_port = (servers.free_port() for _ in range(3))
    var = work / "var"
    var.mkdir()
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": f"sqlite:///{work / 'gongkai.db'}",
           "GONGKAI_METRICS_PORT": "0", "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port()),
           "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    for name in ("GONGKAI_RASA_TOKEN", "GONGKAI_WIDGET_ORIGINS", "GONGKAI_RASA_URL",
                 "GONGKAI_RASA_PUBLIC_URL", "GONGKAI_TRACKER_URL"):
        if name not in (extra_env or {}):
            env.pop(name, None)  # a developer's own settings must not change what is tested
    out = open(var / "run.out", "wb")
    popen = subprocess.Popen(
        # `python -m` from the project root, as the `gongkai` script does but importing this
        # checkout's code: the script imports wherever the virtualenv's editable install points,
        # which in a git worktree sharing the virtualenv is another checkout
        [sys.executable, "-m", "bot.tooling.cli", "run", "--port", str(rasa_port),
         "--web-port", str(web_port), "--action-port", str(action_port), "--var", str(var)],
        cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    run = GongkaiRun(popen, var, f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}",
                     f"http://127.0.0.1:{action_port}")
    try:
        run.wait_ready()
    except BaseException:
        run.stop()
        raise
    return run


_shared: Optional[GongkaiRun] = None


def shared(request, tmp_path_factory) -> GongkaiRun:
    """The session's run, started on first use (call from a session-scoped fixture)."""
    global _shared
    if _shared is None:
        _shared = start(tmp_path_factory.mktemp("gongkai-run"))
        request.addfinalizer(stop_shared)
    return _shared


def answers(run: GongkaiRun, sender: str, message: str) -> bool:
    from tests.support import post_json

    status, replies = post_json(f"{run.rasa_url}/webhooks/rest/webhook",
                                {"sender": sender, "message": message}, timeout=60)
    return status == 200 and bool(replies)


def status_ok(url: str) -> bool:
    return servers.http_ok(url, timeout=10)


def stop_shared() -> None:
    """Stop the shared run now (a later user starts a new one)."""
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None
