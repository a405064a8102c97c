"""A fake of WeChat's API server (api.weixin.qq.com) on loopback, for tests: the token endpoint
and the 客服消息 endpoint, recording what they receive. It behaves like the real one where our
code depends on it: errcode 40013 for a wrong AppID/AppSecret, 40001 for an unknown token,
42001 for an expired one, 45002 for text over 2048 bytes, errcode 0 on success.

    with FakeWeChat(APP_ID, APP_SECRET) as wechat:
        ... GONGKAI_WECHAT_API_BASE=wechat.url ...
        wechat.wait_for_messages(2)
        wechat.expire_tokens()
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit


class FakeWeChat:
    def __init__(self, app_id: str, app_secret: str, host: str = "127.0.0.1") -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.token_requests = 0
        self.messages: list[dict[str, Any]] = []   # JSON bodies of accepted custom messages
        self.raw_bodies: list[bytes] = []
        self.rejections: list[int] = []            # errcodes we answered with
        self._valid: set[str] = set()
        self._expired: set[str] = set()
        self._serial = itertools.count(1)
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeWeChat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expire_tokens(self) -> None:
        """Every token issued so far now gets 42001 (access_token expired)."""
        with self._changed:
            self._expired |= self._valid
            self._valid.clear()

    def forget_tokens(self) -> None:
        """Every token issued so far now gets 40001 (invalid credential), as after a restart
        of the account's secret or another server fetching a token."""
        with self._changed:
            self._valid.clear()
            self._expired.clear()

    def messages_to(self, openid: str) -> list[str]:
        with self._changed:
            return [m["text"]["content"] for m in self.messages if m.get("touser") == openid]

    def wait_for_messages(self, openid: str, count: int, timeout: float = 30.0) -> list[str]:
        """The texts sent to ``openid`` once there are at least ``count`` (or on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages_to(openid)) < count:  # the condition's lock is re-entrant
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self.messages_to(openid)

    # --- the HTTP side ----------------------------------------------------------------------

    def _token(self, query: dict[str, str]) -> dict[str, Any]:
        if (query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id
                or query.get("secret") != self.app_secret):
            return {"errcode": 40013, "errmsg": "invalid appid"}
        with self._changed:
            self.token_requests += 1
            token = f"FAKE-TOKEN-{next(self._serial)}"
            self._valid.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _custom_send(self, query: dict[str, str], body: bytes) -> dict[str, Any]:
        token = query.get("access_token", "")
        with self._changed:
            if token in self._expired:
                return self._reject(42001, "access_token expired")
            if token not in self._valid:
                return self._reject(40001, "invalid credential, access_token is invalid")
            try:
                payload = json.loads(body.decode("utf-8"))
                content = payload["text"]["content"]
            except (ValueError, KeyError, TypeError):
                return self._reject(44002, "empty post data")
            if len(content.encode("utf-8")) > 2048:
                return self._reject(45002, "content size out of limit")
            self.messages.append(payload)
            self.raw_bodies.append(body)
            self._changed.notify_all()
        return {"errcode": 0, "errmsg": "ok"}

    def _reject(self, errcode: int, errmsg: str) -> dict[str, Any]:
        self.rejections.append(errcode)
        return {"errcode": errcode, "errmsg": errmsg}

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, data: Optional[dict[str, Any]], status: int = 200) -> None:
                body = json.dumps(data or {}, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _query(self) -> dict[str, str]:
                return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

            def do_GET(self) -> None:
                if urlsplit(self.path).path == "/cgi-bin/token":
                    self._answer(fake._token(self._query()))
                else:
                    self._answer(None, 404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urlsplit(self.path).path == "/cgi-bin/message/custom/send":
                    self._answer(fake._custom_send(self._query(), body))
                else:
                    self._answer(None, 404)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        return Handler
