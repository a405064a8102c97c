"""Rasa's HTTP API under `gongkai run` (issue 12, High #3): it ran with no token and `--cors "*"`,
so any local process — or any web page open in a browser on the host — could read a citizen's
tracker (case status, the phone tail they typed), push a fake 「人工客服」 message and pause the
conversation, or start /model/train. These run the real `gongkai run` (tests/support/gongkai_run.py)
and check that without the token each of those is refused, that a page from an origin not
listed gets no CORS allowance, and that the widget page the web app serves still talks to Rasa."""
from __future__ import annotations

import os
import stat
import uuid

import pytest
import requests

from tests.support.gongkai_run import answers

pytestmark = pytest.mark.servers

EVIL = "http://attacker.example"


@pytest.fixture(scope="module")
def conversation(run) -> str:
    sender = f"api-{uuid.uuid4().hex[:8]}"
    assert answers(run, sender, "申请信息公开多久答复？")
    return sender


def test_the_api_refuses_reading_writing_and_training_without_the_token(run, conversation):
    base = run.rasa_url
    tracker = f"{base}/conversations/{conversation}/tracker"
    fake_agent = [{"event": "bot", "text": "【人工客服】请先缴纳手续费：http://pay.example",
                   "metadata": {"source": "desk", "agent": "x"}}, {"event": "pause"}]
    refused = {
        "read tracker": requests.get(tracker, timeout=30),
        "read tracker, wrong token": requests.get(tracker, params={"token": "guess"}, timeout=30),
        "append events": requests.post(f"{tracker}/events", json=fake_agent, timeout=30,
                                       params={"output_channel": "socketio", "execute_side_effects": "true"}),
        "train": requests.post(f"{base}/model/train", json={}, timeout=30),
    }
    assert {name: r.status_code for name, r in refused.items()} == {name: 401 for name in refused}
    # with the token — what the desk sends — the tracker is readable, and the forged events are absent
    answer = requests.get(tracker, params={"token": run.token}, timeout=30)
    assert answer.status_code == 200
    body = answer.json()
    assert body["paused"] is False
    assert not [e for e in body["events"] if "pay.example" in str(e.get("text"))]


def test_the_generated_token_is_long_random_and_owner_only(run):
    path = run.var / "rasa-api-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(run.token) >= 40  # secrets.token_urlsafe(32): 43 characters


@pytest.mark.parametrize("method,path", [
    ("OPTIONS", "/conversations/x/tracker"),  # the preflight a page's fetch() with a token would need
    ("GET", "/"),
    ("GET", "/socket.io/?EIO=4&transport=polling"),
])
def test_an_unlisted_origin_gets_no_cors_allowance(run, method, path):
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "GET"}
    answer = requests.request(method, run.rasa_url + path, headers=headers, timeout=30)
    assert "Access-Control-Allow-Origin" not in answer.headers, dict(answer.headers)


def test_the_widget_origin_is_allowed_for_socketio(run):
    answer = requests.get(f"{run.rasa_url}/socket.io/?EIO=4&transport=polling",
                          headers={"Origin": run.web_url}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers.get("Access-Control-Allow-Origin") == run.web_url


@pytest.mark.browser
def test_the_widget_served_by_the_web_app_still_answers(run):
    """The demo page at the web app's origin, the Rasa server at another port: socket.io long
    polling crosses origins, which the CORS list must allow."""
    from playwright.sync_api import expect, sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    with sync_playwright() as playwright:
        require_chromium()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.goto(f"{run.web_url}/widget/")
            page.click(".rw-launcher", timeout=30_000)
            expect(page.locator(".rw-response", has_text="公开助手").last).to_be_visible(timeout=60_000)
            page.fill(".rw-new-message", "申请信息公开多久答复？")
            page.press(".rw-new-message", "Enter")
            expect(page.locator(".rw-response", has_text="20个工作日").last).to_be_visible(timeout=60_000)
        finally:
            browser.close()


# ---- the pieces gongkai run builds its Rasa command from (no servers) ------------------------


def test_the_token_is_generated_once_and_kept(tmp_path):
    from bot.tooling import servers

    first = servers.rasa_api_token(tmp_path, {})
    assert servers.rasa_api_token(tmp_path, {}) == first  # a restarted Rasa and the desk agree
    assert stat.S_IMODE(os.stat(tmp_path / "rasa-api-token").st_mode) == 0o600
    assert servers.rasa_api_token(tmp_path, {"GONGKAI_RASA_TOKEN": "set-by-the-operator"}) == "set-by-the-operator"


def test_widget_origins_are_the_web_apps_own_plus_the_configured_sites():
    from bot.tooling import servers

    assert servers.widget_origins(8000, {}) == ["http://127.0.0.1:8000", "http://localhost:8000"]
    configured = {"GONGKAI_WIDGET_ORIGINS": "https://WWW.Site.example/, http://b.example:8080"}
    assert servers.widget_origins(8000, configured) == [
        "http://127.0.0.1:8000", "http://localhost:8000", "https://www.site.example", "http://b.example:8080"]
    for bad in ("*", "https://*.site.example", "site.example", "https://site.example/chat", "javascript:x"):
        with pytest.raises(ValueError, match="GONGKAI_WIDGET_ORIGINS"):
            servers.widget_origins(8000, {"GONGKAI_WIDGET_ORIGINS": bad})


def test_the_rasa_command_carries_the_token_and_only_the_listed_origins(tmp_path):
    from bot.tooling import servers

    command = servers.rasa_command(5005, tmp_path / "m.tar.gz", tmp_path / "e.yml", tmp_path / "c.yml",
                                   "t0ken", ["http://127.0.0.1:8000"])
    assert "--auth-token=t0ken" in command
    cors = command[command.index("--cors") + 1:]
    assert cors[0] == "http://127.0.0.1:8000" and "*" not in command


@pytest.mark.parametrize("token", ["-Xq3", "--help", "a b&c"])
def test_rasa_reads_back_any_token_even_one_beginning_with_a_dash(tmp_path, token):
    # token_urlsafe begins with "-" one time in 64; given as a separate argument, argparse took it
    # for an option and `rasa run` exited with code 2 (a CI run stopped this way)
    from rasa.__main__ import create_argument_parser

    from bot.tooling import servers

    command = servers.rasa_command(5005, tmp_path / "m.tar.gz", tmp_path / "e.yml", tmp_path / "c.yml",
                                   token, ["http://127.0.0.1:8000"])
    run_arguments = command[command.index("run"):]  # after `python -m bot.serving.rasa_launch`
    parsed = create_argument_parser().parse_args(run_arguments)
    assert parsed.auth_token == token
    assert parsed.cors == ["http://127.0.0.1:8000"]
