"""The project's web app in a subprocess (``bot.tooling.servers.start_web``) on a temporary SQLite
database, with an agent account, for the desk's HTTP tests; and a small cookie-keeping client."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import requests

from bot.core import clock, db
from bot.desk.accounts import AccountStore
from bot.tooling import servers

PASSWORD = "correct horse battery"


@dataclass
class WebApp:
    base: str
    database_url: str
    process: servers.Process

    def url(self, path: str) -> str:
        return self.base + path


def start(work: Path, extra_env: Optional[Dict[str, str]] = None,
          agents=(("li", "李明"), ("wang", "王芳"))) -> WebApp:
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    accounts = AccountStore.from_url(database_url)
    for username, name in agents:
        accounts.add_agent(username, name, PASSWORD, clock.now())
    port = servers.free_port()
    env = {**os.environ, "GONGKAI_DATABASE_URL": database_url,
           "GONGKAI_RASA_URL": f"http://127.0.0.1:{servers.free_port()}",  # nobody listens
           # office hours, so the end-of-shift release never touches the tests' hand-offs
           "GONGKAI_NOW": "2026-11-23T10:00:00",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **(extra_env or {})}
    process = servers.start_web(port, work / "web.log", env)
    process.wait_ready(timeout=60)
    return WebApp(f"http://127.0.0.1:{port}", database_url, process)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class Agent:
    """A browser-like client: keeps cookies, knows its CSRF token after logging in."""

    def __init__(self, web):
        self.base = web if isinstance(web, str) else web.base
        self.http = requests.Session()
        self.csrf: Optional[str] = None

    def url(self, path: str) -> str:
        return self.base + path

    def login(self, username: str = "li", password: str = PASSWORD) -> requests.Response:
        form = self.http.get(self.url("/desk/login"))
        answer = self.http.post(self.url("/desk/login"), allow_redirects=False, data={
            "csrf_token": csrf_from(form.text), "username": username, "password": password})
        if answer.status_code == 303:
            self.csrf = csrf_from(self.http.get(self.url("/desk/")).text)
        return answer

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url(path), allow_redirects=False, **kwargs)

    def post(self, path: str, body=None, csrf: Optional[str] = "session") -> requests.Response:
        headers = {}
        token = self.csrf if csrf == "session" else csrf
        if token:
            headers["X-CSRF-Token"] = token
        return self.http.post(self.url(path), json=body or {}, headers=headers, allow_redirects=False)
