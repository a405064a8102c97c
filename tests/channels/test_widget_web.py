"""The widget's files as our web app serves them (the app alone, no Rasa, no browser)."""
import urllib.request

import pytest

from bot.tooling import servers, training
from bot.web.widget import STATIC, rasa_public_url

VENDOR = STATIC / "vendor" / "rasa-webchat-1.0.1.js"


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_RASA_PUBLIC_URL": "https://rasa.example.gov.cn/"}
    process = servers.start_web(port, tmp_path_factory.mktemp("web") / "web.log", env=env)
    try:
        process.wait_ready(timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()


def test_embed_js_carries_the_public_rasa_url(web):
    status, kind, body = get(f"{web}/widget/embed.js")
    assert status == 200 and kind.startswith("application/javascript")
    assert 'var DEFAULTS = {"socketUrl": "https://rasa.example.gov.cn"};' in body.decode()


def test_demo_page_is_chinese_and_loads_the_widget(web):
    for path in ("/widget", "/widget/"):
        status, kind, body = get(web + path)
        page = body.decode()
        assert status == 200 and kind.startswith("text/html")
        assert "<title>公开助手 · 网页咨询组件演示</title>" in page
        assert '<script src="/widget/embed.js" defer></script>' in page


def test_bundle_and_stylesheet_are_served(web):
    status, _, body = get(f"{web}/widget/vendor/rasa-webchat-1.0.1.js")
    assert status == 200 and body == VENDOR.read_bytes()
    status, kind, _ = get(f"{web}/widget/assets/widget.css")
    assert status == 200 and kind.startswith("text/css")


def test_vendored_bundle_loads_no_google_fonts():
    bundle = VENDOR.read_text(encoding="utf-8")
    assert "fonts.googleapis" not in bundle and "@import url(" not in bundle
    assert 'e.WebChat=t()' in bundle  # still the UMD bundle defining the global WebChat


def test_rasa_public_url_default_and_validation():
    from bot.core.settings import Settings

    def configured(env):
        return rasa_public_url(Settings.from_env(env).rasa.public_url)

    assert configured({}) == "http://127.0.0.1:5005"
    assert configured({"GONGKAI_RASA_PUBLIC_URL": "https://a.example/"}) == "https://a.example"
    with pytest.raises(ValueError):
        configured({"GONGKAI_RASA_PUBLIC_URL": "rasa.example:5005"})
