"""Buttons Rasa pushes on its own over WeChat (the desk's 好差评 prompt after a hand-off) are sent
numbered through the 客服消息 API, and the numbers are remembered: the citizen's 「2」 becomes the
second button's payload, as for the channel's own turns."""
from bot.channels.kvstore import MemoryStore
from bot.channels.state import PendingChoices
from bot.channels.textparts import parse_choice
from bot.channels.wechat import WeChatOutput
from bot.channels.wechat_api import WeChatSender
from bot.channels.wechat_settings import WeChatSettings
from bot.feedback import ratings
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat_client import APP_ID, APP_SECRET, new_openid


async def test_pushed_buttons_are_numbered_and_remembered():
    with FakeWeChat(APP_ID, APP_SECRET) as wechat:
        settings = WeChatSettings(token="t", app_id=APP_ID, app_secret=APP_SECRET, api_base=wechat.url)
        sender = WeChatSender(settings, MemoryStore())
        choices = PendingChoices(MemoryStore(), prefix="wechat:choices:")
        openid = new_openid()
        try:
            await WeChatOutput(sender, choices).send_text_with_buttons(
                openid, "请您对本次人工服务进行评价：", ratings.buttons())
        finally:
            await sender.close()
        [text] = wechat.messages_to(openid)
    assert text.splitlines() == ["请您对本次人工服务进行评价：", "1. 非常满意", "2. 满意", "3. 基本满意",
                                 "4. 不满意", "5. 非常不满意", "（回复 1/2/3/4/5 选择）"]
    pending = await choices.take(openid)
    assert pending[parse_choice("２") - 1] == '/rate_service{"rating":"4"}'
