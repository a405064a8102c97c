"""The website widget in a real headless Chromium: our web app serves the demo page and the
loader, the page talks to the real Rasa server over socket.io.

Buttons: the test types "/nlu_fallback", which runs action_handle_fallback; it always offers the
「都不是，转人工」 button (payload /request_human). No natural question reliably falls back with
the current model (short or odd messages get greet/goodbye/out_of_scope), so the intent is sent
directly, as the widget's own buttons do.

GONGKAI_SCREENSHOTS=1 saves docs/screenshots/widget-open.png and widget-after-reload.png."""
from __future__ import annotations

import pytest

from bot.tooling import servers, training
from tests.support import get_json
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, screenshot
from tests.support.wechat_servers import WeChatRasa
from tests.support.widget_client import sender_of

pytestmark = [pytest.mark.servers, pytest.mark.browser]

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def web_url(plain_server: WeChatRasa, tmp_path_factory) -> str:
    port = servers.free_port()
    env = {**training.rasa_env(), "GONGKAI_RASA_PUBLIC_URL": plain_server.rasa_url}
    web = servers.start_web(port, tmp_path_factory.mktemp("web") / "web.log", env=env)
    try:
        web.wait_ready(timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.stop()



def test_widget_answers_offers_buttons_and_keeps_the_conversation_across_a_reload(
        web_url, plain_server):
    from playwright.sync_api import expect, sync_playwright

    def ask(page, text: str) -> None:
        page.fill(".rw-new-message", text)
        page.press(".rw-new-message", "Enter")

    def answer(page, text: str):
        return page.locator(".rw-response", has_text=text).last

    with sync_playwright() as playwright:
        require_chromium()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 760})
            page = context.new_page()
            page.goto(f"{web_url}/widget/")
            assert page.title() == "公开助手 · 网页咨询组件演示"
            page.click(".rw-launcher", timeout=WAIT_MS)
            assert page.get_attribute(".rw-new-message", "placeholder").startswith("请输入您的问题")
            expect(answer(page, "公开助手")).to_be_visible(timeout=WAIT_MS)  # /greet on open

            ask(page, "申请信息公开多久答复？")
            expect(answer(page, "20个工作日")).to_be_visible(timeout=WAIT_MS)
            ask(page, "申请信息公开收费吗")
            expect(answer(page, "原则上不收费")).to_be_visible(timeout=WAIT_MS)
            screenshot(page, "widget-open.png", settle_ms=1500)

            ask(page, "/nlu_fallback")
            button = page.locator(".rw-reply", has_text="都不是，转人工")
            expect(button).to_be_visible(timeout=WAIT_MS)
            button.click()
            expect(answer(page, "现在不是人工服务时间")).to_be_visible(timeout=WAIT_MS)

            session = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
            sender = sender_of(session)  # the browser keeps the server-signed token
            status, tracker = get_json(f"{plain_server.rasa_url}/conversations/{sender}/tracker")
            assert status == 200
            assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
                "/greet", "申请信息公开多久答复？", "申请信息公开收费吗", "/nlu_fallback",
                "/request_human"]

            page.reload()
            page.wait_for_selector(".rw-launcher", timeout=WAIT_MS)  # mounted, state restored
            if not page.locator(".rw-conversation-container").is_visible():
                page.click(".rw-launcher")
            history = page.locator(".rw-messages-container")
            for text in ("申请信息公开多久答复？", "20个工作日", "原则上不收费", "现在不是人工服务时间"):
                expect(history).to_contain_text(text, timeout=WAIT_MS)
            assert page.evaluate(
                "JSON.parse(localStorage.getItem('chat_session')).session_id") == session
            screenshot(page, "widget-after-reload.png", settle_ms=1500)

            ask(page, "谢谢")  # the restored session still talks to the same conversation
            expect(answer(page, "不客气")).to_be_visible(timeout=WAIT_MS)
            _, tracker = get_json(f"{plain_server.rasa_url}/conversations/{sender}/tracker")
            assert [e["text"] for e in tracker["events"] if e["event"] == "user"][-1] == "谢谢"
        finally:
            browser.close()
