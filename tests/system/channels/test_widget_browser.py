"""The website widget in a real headless Chromium: our web app serves the demo page and the
loader, the page talks to the real Rasa server over socket.io.

Buttons: the test types "/nlu_fallback", which runs action_handle_fallback; it always offers the
「都不是，转人工」 button (payload /request_human). No natural question reliably falls back with
the current model (short or odd messages get greet/goodbye/out_of_scope), so the intent is sent
directly, as the widget's own buttons do.

Accessibility: axe-core (tests/support/a11y) finds no serious or critical WCAG 2.1 A/AA violation with
the widget open after an answer with buttons, on a desktop and on a 375 px phone; the widget is
used from the keyboard alone (open, type, send, pick a button, close).

GONGKAI_SCREENSHOTS=1 saves docs/screenshots/widget-open.png, widget-after-reload.png,
widget-keyboard.png, widget-phone.png and widget-phone-sources.png."""
from __future__ import annotations

import pytest

from bot.tooling import servers, training
from tests.support import get_json
from tests.support.a11y.axe import serious_violations
from tests.support.browser import screenshot
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


def open_page(browser, url: str, width: int, height: int):
    """A fresh page (its own storage: a new conversation) and the list of failed requests."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(f"{url}/widget/")
    return page, failed


def focused(page) -> str:
    return page.evaluate("(document.activeElement.getAttribute('aria-label') || '') + '|' +"
                         " document.activeElement.textContent.trim()")


def test_widget_by_keyboard_alone_greets_first_and_passes_axe(web_url, plain_server, browser):
    from playwright.sync_api import expect

    page, failed = open_page(browser, web_url, 1000, 760)
    launcher = page.get_by_role("button", name="打开在线咨询")
    expect(launcher).to_have_attribute("aria-expanded", "false", timeout=WAIT_MS)
    page.keyboard.press("Tab")  # the demo page has nothing focusable before the widget
    assert focused(page).startswith("打开在线咨询|")
    page.keyboard.press("Enter")
    box = page.get_by_label("输入您的问题")
    expect(box).to_be_focused(timeout=WAIT_MS)
    expect(launcher).to_have_count(0)  # open: the same button is now 「关闭咨询窗口」
    expect(page.get_by_role("button", name="关闭咨询窗口")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="全屏显示")).to_be_visible()
    # typed at once, before the greeting can have arrived: it must still come after the greeting
    page.keyboard.type("申请信息公开多久答复？")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="对话记录")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log.locator(".rw-response", has_text="20个工作日")).to_be_visible(timeout=WAIT_MS)
    order = log.locator(".rw-response, .rw-client").all_inner_texts()
    assert "公开助手" in order[0] and order[1] == "申请信息公开多久答复？", order[:2]

    page.keyboard.type("/nlu_fallback")
    expect(page.get_by_role("button", name="发送")).to_be_enabled()
    page.keyboard.press("Tab")  # to the send button, and Enter sends
    assert focused(page).startswith("发送|")
    page.keyboard.press("Enter")
    button = page.get_by_role("button", name="都不是，转人工")
    expect(button).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(600)  # the bundle's fade-in: axe measures colours as seen
    assert serious_violations(page) == []

    for _ in range(12):  # back from the input to the answer's button 「1. 都不是，转人工」
        if focused(page).endswith("都不是，转人工"):
            break
        page.keyboard.press("Shift+Tab")
    assert focused(page).endswith("|1. 都不是，转人工")
    screenshot(page, "widget-keyboard.png")
    page.keyboard.press("Enter")
    expect(log.locator(".rw-response", has_text="现在不是人工服务时间")).to_be_visible(timeout=WAIT_MS)

    page.get_by_label("输入您的问题").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".rw-conversation-container")).to_have_count(0)
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    session = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    _, tracker = get_json(f"{plain_server.rasa_url}/conversations/{sender_of(session)}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
        "/greet", "申请信息公开多久答复？", "/nlu_fallback", "/request_human"]
    assert failed == []  # the page's icon included


def test_widget_on_a_phone_folds_the_sources_of_long_answers(web_url, browser):
    from playwright.sync_api import expect

    page, failed = open_page(browser, web_url, 375, 740)
    page.get_by_role("button", name="打开在线咨询").click(timeout=WAIT_MS)
    expect(page.locator(".rw-response", has_text="公开助手")).to_be_visible(timeout=WAIT_MS)
    page.get_by_label("输入您的问题").fill("申请信息公开多久答复？")
    page.keyboard.press("Enter")
    answer = page.locator(".rw-response", has_text="20个工作日").last
    expect(answer).to_be_visible(timeout=WAIT_MS)
    # the answer (hundreds of characters, see data/kb) ends with its 「来源：…」 line, folded
    sources = answer.locator("details.gk-sources")
    expect(sources).to_have_count(1)
    expect(sources.locator("summary")).to_have_text("查看依据")
    expect(sources.get_by_text("来源：")).to_be_hidden()
    short = page.locator(".rw-response", has_text="公开助手").first  # the greeting: no sources
    expect(short.locator("details")).to_have_count(0)
    page.wait_for_timeout(600)
    assert serious_violations(page) == []
    screenshot(page, "widget-phone.png")

    sources.locator("summary").focus()
    page.keyboard.press("Enter")  # a native disclosure: the keyboard opens it
    expect(sources.get_by_text("来源：")).to_be_visible()
    screenshot(page, "widget-phone-sources.png")
    assert failed == []


def test_widget_answers_offers_buttons_and_keeps_the_conversation_across_a_reload(
        web_url, plain_server, browser):
    from playwright.sync_api import expect

    def ask(page, text: str) -> None:
        page.fill(".rw-new-message", text)
        page.press(".rw-new-message", "Enter")

    def answer(page, text: str):
        return page.locator(".rw-response", has_text=text).last

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
