"""The desk in a real headless browser (Debian's chromium driven by Playwright), against the real
servers: an agent logs in, sees a REST citizen's hand-off appear in the queue without reloading,
opens it, reads the transcript, inserts a suggested answer, sends it, hands back, and the bot
answers the citizen's next question (which the hand-off's transcript no longer shows).
GONGKAI_SCREENSHOTS=1 also saves docs/screenshots/desk-*.png.
"""
import re
import uuid

import pytest

from bot.handoff.store import HandoffStore
from tests.support import get_json, say, texts
from tests.support import stack as stack_module
from tests.support.browser import log_in_to_desk, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.servers]




def test_an_agent_serves_a_citizen_in_the_browser(stack, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page.set_default_timeout(20_000)
    log_in_to_desk(page, stack.web("/desk/"), "li", stack_module.PASSWORD)
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.locator("#live-status")).to_have_text("实时更新中")
    page.evaluate("window.__stillTheSamePage = true")

    # a citizen on REST asks for a person: the row appears without a reload
    sender = f"browser-{uuid.uuid4().hex}"
    say(stack.rasa_url, sender, "我的手机是13912345678，申请信息公开多久答复？")
    assert "正在为您转接" in texts(say(stack.rasa_url, sender, "转人工"))
    record = HandoffStore.from_url(stack.database_url).open_for(sender)
    row = page.locator(f'tr[data-handoff="{record.id}"]')
    expect(row).to_contain_text("等待接入")
    expect(row).to_contain_text("我的手机是139****5678，申请信息公开多久答复？")  # masked in the list
    assert page.evaluate("window.__stillTheSamePage") is True
    screenshot(page, "desk-queue.png")

    # open it: the transcript, live
    row.locator("a", has_text="打开").click()
    expect(page).to_have_url(re.compile(rf"/desk/handoffs/{record.id}$"))
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("转人工")
    expect(transcript).to_contain_text("正在为您转接")
    say(stack.rasa_url, sender, "<b>还在吗</b> 申请行政复议要在多长时间内提出？")
    expect(transcript).to_contain_text("<b>还在吗</b> 申请行政复议要在多长时间内提出？")
    assert transcript.locator("b").count() == 0  # shown as text, never as markup

    # a suggested answer lands in the reply box with one click
    first = page.locator("#suggestions li").first
    expect(first.locator(".text")).to_contain_text("来源：")
    suggestion = first.locator(".text").inner_text()
    first.locator("button", has_text="插入回复框").click()
    expect(page.locator("#reply-text")).to_have_value(suggestion)
    page.fill("#reply-text", "您好，我是人工客服。" + suggestion)
    page.click("#send")
    expect(page.locator("#reply-status")).to_contain_text("已发送")
    expect(transcript.locator("li.agent")).to_contain_text("【人工客服·李明】您好，我是人工客服。")
    expect(page.locator("#state-label")).to_have_text("人工服务中")
    screenshot(page, "desk-conversation.png")

    # the REST citizen collects the reply
    status, collected = get_json(stack.web(f"/api/conversations/{sender}/messages?since=0"))
    assert status == 200
    assert any(m["text"].startswith("【人工客服·李明】您好，我是人工客服。") for m in collected["messages"])

    # hand back: the bot answers the next question
    page.click("#hand-back")
    expect(page.locator("#state-label")).to_have_text("已转回助手")
    expect(transcript).to_contain_text("对话已转回助手")
    assert "20个工作日" in texts(say(stack.rasa_url, sender, "申请信息公开多久答复？"))
    # … which is no longer part of this hand-off: the desk shows the hand-off's window only
    # (the stream's next update, like this read, stops at the citizen's first message after it)
    view = page.evaluate(f"fetch('/desk/handoffs/{record.id}/conversation.json').then(r => r.json())")
    assert not [e for e in view["transcript"]["entries"] if "20个工作日" in e["text"]]
    assert view["transcript"]["entries"][-1]["kind"] != "user"
