"""What the tests of every tier share (the fixtures themselves are in tests/conftest.py): the running
product (assistant, stack, webapp, gongkai_run, wechat_servers), databases, the browser, fakes and
clients (fake_wechat, wechat_client, widget_client, trackers, fuzz_inputs); and here, small clients for
talking to the running assistant."""
from __future__ import annotations

import json
import os
import urllib.request
from typing import Any, Dict, Optional


def post_json(url: str, body: Any, timeout: float = 30.0,
              headers: Optional[Dict[str, str]] = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def get_json(url: str, timeout: float = 30.0) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def say(rasa_url: str, sender: str, message: str) -> list[dict]:
    """Sends one message over the REST channel; returns the bot's messages (asserting no error)."""
    status, replies = post_json(f"{rasa_url}/webhooks/rest/webhook",
                                {"sender": sender, "message": message})
    assert status == 200, f"HTTP {status}: {replies}"
    return replies


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def free_closed_port() -> int:
    """A loopback port nothing listens on (a service that is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script_result(script: str, *args: str, env: Optional[Dict[str, str]] = None,
                  timeout: float = 600) -> Any:
    """Runs ``script`` (Python source) in a fresh interpreter with Rasa's environment in the project
    root (a model loaded there stays out of the test process) and returns what it passed to
    ``report(value)``.

    The value goes through a file of its own, not stdout: a result of a few hundred kB printed to
    a pipe that Rasa's and TensorFlow's threads also write to once came back with their text in
    the middle of it (CI, stop 23)."""
    import subprocess
    import sys
    import tempfile

    from bot.tooling import training

    prelude = ("import json as _json, os as _os\n"
               "def report(value):\n"
               "    with open(_os.environ['GONGKAI_SCRIPT_RESULT'], 'w', encoding='utf-8') as out:\n"
               "        _json.dump(value, out, ensure_ascii=False)\n")
    with tempfile.TemporaryDirectory() as folder:
        result = os.path.join(folder, "result.json")
        done = subprocess.run([sys.executable, "-c", prelude + script, *args], capture_output=True,
                              text=True, timeout=timeout, cwd=training.PROJECT_ROOT,
                              env={**training.rasa_env(), **(env or {}),
                                   "GONGKAI_SCRIPT_RESULT": result})
        assert done.returncode == 0, done.stderr[-3000:]
        assert os.path.exists(result), "the script never called report(): " + done.stderr[-3000:]
        with open(result, encoding="utf-8") as found:
            return json.load(found)
