"""The WeChat channel's settings: defaults, environment, credentials.yml, refusals."""
import pytest

from bot.channels.wechat_settings import SettingsError, WeChatSettings, load
from tests.support.wechat_client import AES_KEY


def test_defaults_with_nothing_set():
    settings = load({}, environ={})
    assert settings == WeChatSettings()
    assert not settings.configured and not settings.can_send
    assert (settings.mode, settings.reply_budget, settings.api_base, settings.text_limit,
            settings.max_body, settings.max_clock_skew) == \
        ("plain", 4.0, "https://api.weixin.qq.com", 2000, 65536, 300.0)


def test_environment_variables_are_read():
    settings = load(None, environ={
        "GONGKAI_WECHAT_TOKEN": "tok", "GONGKAI_WECHAT_APP_ID": "wx1",
        "GONGKAI_WECHAT_APP_SECRET": "sec", "GONGKAI_WECHAT_ENCODING_AES_KEY": AES_KEY,
        "GONGKAI_WECHAT_MODE": "safe", "GONGKAI_WECHAT_REPLY_BUDGET": "0.01",
        "GONGKAI_WECHAT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "GONGKAI_WECHAT_TEXT_LIMIT": "300"})
    assert (settings.token, settings.app_id, settings.mode, settings.reply_budget,
            settings.text_limit) == ("tok", "wx1", "safe", 0.01, 300)
    assert settings.configured and settings.can_send and len(settings.aes_key) == 32


def test_credentials_keys_override_the_environment_and_empty_ones_do_not():
    settings = load({"mode": "compatible", "token": "", "encoding_aes_key": AES_KEY,
                     "app_id": "wx2", "reply_budget": 3},
                    environ={"GONGKAI_WECHAT_TOKEN": "from-env", "GONGKAI_WECHAT_MODE": "plain"})
    assert (settings.token, settings.mode, settings.reply_budget) == ("from-env", "compatible", 3.0)


@pytest.mark.parametrize("environ", [
    {"GONGKAI_WECHAT_MODE": "secure"},
    {"GONGKAI_WECHAT_REPLY_BUDGET": "fast"},
    {"GONGKAI_WECHAT_REPLY_BUDGET": "5"},  # WeChat gives up after 5 s
    {"GONGKAI_WECHAT_TEXT_LIMIT": "4096"},
    {"GONGKAI_WECHAT_ENCODING_AES_KEY": "too-short"},
    {"GONGKAI_WECHAT_API_BASE": "api.weixin.qq.com"},
    {"GONGKAI_WECHAT_MAX_BODY": "0"},
    {"GONGKAI_WECHAT_TOKEN": "t", "GONGKAI_WECHAT_MODE": "safe"},  # no EncodingAESKey
])
def test_unusable_values_are_refused(environ):
    with pytest.raises(SettingsError):
        load({}, environ=environ)


def test_unknown_credentials_keys_are_refused():
    with pytest.raises(SettingsError, match="apptoken"):
        load({"apptoken": "x"}, environ={})


async def test_a_misconfigured_channel_answers_503_instead_of_stopping_rasa():
    from bot.channels.wechat import WeChatInput

    channel = WeChatInput.from_credentials({"mode": "secure"})
    assert "GONGKAI_WECHAT_MODE" in channel.problem
    channel.blueprint(on_new_message=None)
    reply = await channel.endpoint.receive({}, b"<xml/>")
    assert reply.status == 503 and "配置有误" in reply.body


def test_an_unconfigured_channel_loads_without_any_variable():
    from bot.channels.wechat import WeChatInput

    channel = WeChatInput(None, environ={})
    channel.blueprint(on_new_message=None)
    assert channel.endpoint.problem and channel.get_output_channel() is None
