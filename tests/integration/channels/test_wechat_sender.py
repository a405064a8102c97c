"""WeChatSender against the fake WeChat API: token caching and refresh, UTF-8 bodies, splitting."""
import pytest

from bot.channels.kvstore import MemoryStore
from bot.channels.wechat_api import WeChatApiError, WeChatSender
from bot.channels.wechat_settings import WeChatSettings
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat_client import APP_ID, APP_SECRET, new_openid


@pytest.fixture
def wechat():
    with FakeWeChat(APP_ID, APP_SECRET) as fake:
        yield fake


def sender_for(wechat, **overrides) -> WeChatSender:
    settings = WeChatSettings(token="t", app_id=APP_ID, app_secret=APP_SECRET,
                              api_base=wechat.url, **overrides)
    return WeChatSender(settings, MemoryStore())


async def test_text_is_sent_as_utf8_and_the_token_is_fetched_once(wechat):
    sender, openid = sender_for(wechat), new_openid()
    try:
        assert await sender.send_text(openid, "您好，已转人工。") == 1
        assert await sender.send_text(openid, "第二条") == 1
    finally:
        await sender.close()
    assert wechat.messages_to(openid) == ["您好，已转人工。", "第二条"]
    assert wechat.token_requests == 1
    assert wechat.messages[0] == {"touser": openid, "msgtype": "text",
                                  "text": {"content": "您好，已转人工。"}}
    assert b"\\u" not in wechat.raw_bodies[0]  # WeChat would show escapes literally


@pytest.mark.parametrize("invalidate, errcode", [("expire_tokens", 42001),
                                                 ("forget_tokens", 40001)])
async def test_a_rejected_token_is_refreshed_and_the_message_sent_again(wechat, invalidate,
                                                                      errcode):
    sender, openid = sender_for(wechat), new_openid()
    try:
        await sender.send_text(openid, "一")
        getattr(wechat, invalidate)()
        await sender.send_text(openid, "二")
    finally:
        await sender.close()
    assert wechat.messages_to(openid) == ["一", "二"]
    assert wechat.rejections == [errcode]
    assert wechat.token_requests == 2


async def test_long_text_is_sent_in_parts_within_the_limit(wechat):
    sender, openid = sender_for(wechat, text_limit=100), new_openid()
    text = "。".join(["申请信息公开的答复期限是20个工作日"] * 6) + "。"  # 6 × 55 bytes
    try:
        count = await sender.send_text(openid, text)
    finally:
        await sender.close()
    parts = wechat.messages_to(openid)
    assert count == len(parts) == 6
    assert all(len(p.encode("utf-8")) <= 100 for p in parts)
    assert "".join(parts) == text


async def test_wrong_secret_is_an_error_not_a_silent_drop(wechat):
    settings = WeChatSettings(token="t", app_id=APP_ID, app_secret="wrong", api_base=wechat.url)
    sender = WeChatSender(settings)
    try:
        with pytest.raises(WeChatApiError) as error:
            await sender.send_text(new_openid(), "你好")
    finally:
        await sender.close()
    assert error.value.errcode == 40013
    assert wechat.messages == []


def test_a_sender_needs_app_id_and_secret():
    with pytest.raises(ValueError):
        WeChatSender(WeChatSettings(token="t"))
