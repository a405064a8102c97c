"""The WeChat webhook without Rasa: a scripted bot behind it, a fake sender for the 客服消息 API.
Requests are really signed (and encrypted in safe mode) — see wechat_client.py."""
import asyncio
import logging
import time

import pytest

from bot.channels.kvstore import MemoryStore
from bot.channels.wechat_endpoint import (
    MENU_UNAVAILABLE,
    NOT_CONFIGURED,
    SUCCESS,
    TEXT_ONLY,
    VOICE_UNRECOGNISED,
    WeChatEndpoint,
    menu_payload,
)
from bot.channels.wechat_settings import WeChatSettings
from tests.support.wechat_client import AES_KEY, APP_ID, APP_SECRET, TOKEN, WeChatClient, new_openid

DEADLINE = "不能当场答复的，应自收到申请之日起20个工作日内答复。"
BUTTONS = [{"title": "多久答复", "payload": '/choose_faq{"faq_id":"reply_deadline"}'},
           {"title": "都不是，转人工", "payload": "/request_human"}]


class Bot:
    """Records every turn; answers from a script (text → messages), after ``delay`` seconds."""

    def __init__(self, script=None, delay=0.0):
        self.turns: list[tuple[str, str]] = []
        self.script = script or {}
        self.delay = delay

    async def __call__(self, openid, text):
        self.turns.append((openid, text))
        await asyncio.sleep(self.delay)
        return self.script.get(text, [{"text": f"收到：{text}"}])


class Sender:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    async def send_text(self, openid, text):
        self.sent.append((openid, text))
        return 1


def endpoint(bot, **overrides) -> WeChatEndpoint:
    values = dict(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, encoding_aes_key=AES_KEY,
                  mode="plain", reply_budget=2.0, followup_delay=0.0)
    values.update(overrides)
    return WeChatEndpoint(WeChatSettings(**values), bot, store=MemoryStore(), sender=Sender())


client = WeChatClient()


async def post(ep, signed):
    query, body = signed
    return await ep.receive(query, body)


def content(reply, query=None):
    assert reply.status == 200 and reply.body != SUCCESS, reply
    return client.read_reply(reply.body)["Content"]


# --- configuration --------------------------------------------------------------------------

async def test_unconfigured_channel_answers_503_and_says_what_to_set():
    ep = WeChatEndpoint(WeChatSettings(), Bot(), store=MemoryStore())
    for reply in (await ep.verify(client.query()), await post(ep, client.plain("<xml/>"))):
        assert reply.status == 503 and reply.body == NOT_CONFIGURED
        assert "GONGKAI_WECHAT_TOKEN" in reply.body


# --- URL verification -----------------------------------------------------------------------

async def test_url_verification_echoes_echostr():
    reply = await endpoint(Bot()).verify({**client.query(), "echostr": "8172386458817"})
    assert (reply.status, reply.body) == (200, "8172386458817")


async def test_url_verification_with_a_forged_signature_is_refused():
    query = {**client.query(), "echostr": "8172386458817"}
    query["signature"] = "0" * 40
    assert (await endpoint(Bot()).verify(query)).status == 403


# --- signatures, timestamps and bad input: nothing is processed ----------------------------

async def test_plain_message_gets_a_passive_reply():
    bot, openid = Bot({"多久答复": [{"text": DEADLINE}]}), new_openid()
    reply = await post(endpoint(bot), client.plain(client.text(openid, "多久答复")))
    fields = client.read_reply(reply.body)
    assert fields["Content"] == DEADLINE
    assert fields["ToUserName"] == openid and fields["FromUserName"] == client.account
    assert bot.turns == [(openid, "多久答复")]


@pytest.mark.parametrize("tamper", ["signature", "nonce", "timestamp", "token"])
async def test_forged_requests_are_refused_and_not_processed(tamper):
    bot = Bot()
    query, body = client.plain(client.text(new_openid(), "你好"))
    if tamper == "signature":
        query["signature"] = query["signature"][:-1] + ("0" if query["signature"][-1] != "0" else "1")
    elif tamper == "nonce":
        query["nonce"] += "1"
    elif tamper == "timestamp":
        query["timestamp"] = str(int(query["timestamp"]) - 1)
    else:
        query, body = WeChatClient(token="another-token").plain(client.text(new_openid(), "你好"))
    assert (await endpoint(bot).receive(query, body)).status == 403
    assert bot.turns == []


async def test_missing_signature_is_refused():
    query, body = client.plain(client.text(new_openid(), "你好"))
    del query["signature"]
    assert (await endpoint(Bot()).receive(query, body)).status == 403


@pytest.mark.parametrize("age", [301, -301, 3600])
async def test_stale_or_future_timestamps_are_refused(age):
    bot = Bot()
    signed = client.plain(client.text(new_openid(), "你好"), timestamp=int(time.time()) - age)
    assert (await post(endpoint(bot), signed)).status == 403
    assert bot.turns == []


async def test_the_clock_skew_window_is_configurable():
    bot = Bot()
    signed = client.plain(client.text(new_openid(), "你好"), timestamp=int(time.time()) - 100)
    assert (await post(endpoint(bot, max_clock_skew=60), signed)).status == 403
    assert (await post(endpoint(bot, max_clock_skew=120), signed)).status == 200


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "哈哈哈哈哈哈哈哈">'
                  '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;">]>'
                  '<xml><ToUserName>gh</ToUserName><FromUserName>oUser</FromUserName>'
                  '<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content>'
                  '<MsgId>1</MsgId></xml>')
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<xml><ToUserName>gh</ToUserName><FromUserName>oUser</FromUserName>'
                   '<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content>'
                   '<MsgId>2</MsgId></xml>')
BAD_BODIES = {
    "malformed": ("<xml><ToUserName>gh</ToUserName><Content>没有闭合", 400),
    "not xml": ("申请信息公开多久答复？", 400),
    "wrong root": ("<message><MsgType>text</MsgType></message>", 400),
    "no sender": ("<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType></xml>", 400),
    "nested sender": ("<xml><ToUserName>gh</ToUserName><FromUserName><a>b</a></FromUserName>"
                      "<MsgType>text</MsgType></xml>", 400),
    "bad msgid": ("<xml><ToUserName>gh</ToUserName><FromUserName>oUser</FromUserName>"
                  "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content>"
                  "<MsgId>abc</MsgId></xml>", 400),
    "billion laughs": (BILLION_LAUGHS, 400),
    "external entity": (EXTERNAL_ENTITY, 400),
    "lower-case doctype": (BILLION_LAUGHS.replace("DOCTYPE", "doctype"), 400),
    "utf-16 billion laughs": (BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>'
                                                     ).encode("utf-16"), 400),
    "not utf-8": ("<xml><Content>申请</Content></xml>".encode("gbk"), 400),
    "empty": ("", 400),
    "blank": ("  \n ", 400),
    "oversized": ("<xml>" + "申" * 22_000 + "</xml>", 413),  # 66 KB
}


@pytest.mark.parametrize("body, status", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_bad_bodies_are_refused_and_not_processed(body, status):
    bot = Bot()
    assert (await post(endpoint(bot), client.plain(body))).status == status
    assert bot.turns == []


async def test_body_limit_is_configurable():
    signed = client.plain(client.text(new_openid(), "申" * 400))
    assert (await post(endpoint(Bot(), max_body=1000), signed)).status == 413


# --- safe and compatible modes --------------------------------------------------------------

async def test_safe_mode_decrypts_the_message_and_encrypts_the_reply():
    bot, openid = Bot({"多久答复": [{"text": DEADLINE}]}), new_openid()
    query, body = client.safe(client.text(openid, "多久答复"))
    assert b"<Content>" not in body
    reply = await endpoint(bot, mode="safe").receive(query, body)
    assert "<Encrypt>" in reply.body and DEADLINE not in reply.body
    assert client.read_reply(reply.body)["Content"] == DEADLINE
    assert bot.turns == [(openid, "多久答复")]


async def test_safe_mode_refuses_plaintext_messages():
    bot = Bot()
    assert (await post(endpoint(bot, mode="safe"), client.plain(client.text(new_openid(), "x")))
            ).status == 403
    assert bot.turns == []


async def test_safe_mode_refuses_a_forged_msg_signature_before_decrypting():
    bot = Bot()
    query, body = client.safe(client.text(new_openid(), "你好"))
    query["msg_signature"] = "f" * 40
    assert (await endpoint(bot, mode="safe").receive(query, body)).status == 403
    assert bot.turns == []


async def test_safe_mode_refuses_a_message_for_another_app_id():
    bot = Bot()
    other = WeChatClient(app_id="wx_other_account_00")
    assert (await post(endpoint(bot, mode="safe"), other.safe(other.text(new_openid(), "x")))
            ).status == 403
    assert bot.turns == []


async def test_safe_mode_refuses_garbage_ciphertext():
    bot = Bot()
    query, _ = client.safe(client.text(new_openid(), "x"))
    body = b"<xml><ToUserName>gh</ToUserName><Encrypt>bm90IGEgY2lwaGVydGV4dA==</Encrypt></xml>"
    from tests.support.wechat_client import sha1_signature
    query["msg_signature"] = sha1_signature(TOKEN, query["timestamp"], query["nonce"],
                                            "bm90IGEgY2lwaGVydGV4dA==")
    assert (await endpoint(bot, mode="safe").receive(query, body)).status == 400
    assert bot.turns == []


async def test_compatible_mode_accepts_both_plain_and_encrypted_messages():
    bot, ep = Bot(), endpoint(Bot(), mode="compatible")
    ep.turn = bot
    a, b = new_openid(), new_openid()
    assert content(await post(ep, client.plain(client.text(a, "明文")))) == "收到：明文"
    assert content(await post(ep, client.safe(client.text(b, "密文")))) == "收到：密文"
    assert bot.turns == [(a, "明文"), (b, "密文")]


# --- de-duplication and the reply budget ----------------------------------------------------

async def test_a_retry_gets_the_same_passive_reply_without_a_second_turn():
    bot, ep, openid = Bot(), endpoint(Bot()), new_openid()
    ep.turn = bot
    xml = client.text(openid, "你好", msg_id=123456789)
    first = content(await post(ep, client.plain(xml)))
    again = content(await post(ep, client.plain(xml)))  # WeChat signs each retry anew
    assert first == again == "收到：你好"
    assert len(bot.turns) == 1


async def test_a_retry_during_the_turn_triggers_no_second_turn_and_the_answer_goes_by_api():
    bot, openid = Bot({"慢": [{"text": "慢慢的答复"}]}, delay=0.3), new_openid()
    ep = endpoint(bot, reply_budget=2.0)
    xml = client.text(openid, "慢", msg_id=987654321)
    first = asyncio.create_task(post(ep, client.plain(xml)))
    await asyncio.sleep(0.1)
    retry = await post(ep, client.plain(xml))
    assert retry.body == SUCCESS
    assert (await first).body == SUCCESS  # WeChat dropped that connection when it retried
    await ep.drain()
    assert ep.sender.sent == [(openid, "慢慢的答复")]
    assert len(bot.turns) == 1


async def test_events_are_deduplicated_by_sender_and_create_time():
    bot, ep, openid = Bot(), endpoint(Bot()), new_openid()
    ep.turn = bot
    xml = client.event(openid, "subscribe", create_time=1700000000)
    await post(ep, client.plain(xml))
    assert (await post(ep, client.plain(xml))).status == 200
    await post(ep, client.plain(client.event(openid, "subscribe", create_time=1700000001)))
    assert [text for _, text in bot.turns] == ["/greet", "/greet"]


async def test_a_slow_turn_answers_success_at_once_and_delivers_through_the_api():
    bot, openid = Bot({"慢": [{"text": "第一条"}, {"text": "第二条"}]}, delay=0.2), new_openid()
    ep = endpoint(bot, reply_budget=0.01)
    started = time.monotonic()
    reply = await post(ep, client.plain(client.text(openid, "慢")))
    assert reply.body == SUCCESS and time.monotonic() - started < 0.15
    assert ep.sender.sent == []
    await ep.drain()
    assert ep.sender.sent == [(openid, "第一条"), (openid, "第二条")]


async def test_several_messages_first_passively_the_rest_through_the_api():
    bot = Bot({"问": [{"text": "第一条"}, {"text": "第二条"}, {"text": "第三条"}]})
    ep, openid = endpoint(bot), new_openid()
    assert content(await post(ep, client.plain(client.text(openid, "问")))) == "第一条"
    await ep.drain()
    assert ep.sender.sent == [(openid, "第二条"), (openid, "第三条")]


async def test_a_long_reply_is_split_within_the_limit():
    long = "\n".join(f"第{n}段：" + "申请信息公开" * 8 for n in range(1, 5))  # 4 × 157 bytes
    bot = Bot({"长": [{"text": long}]})
    ep, openid = endpoint(bot, text_limit=320), new_openid()
    first = content(await post(ep, client.plain(client.text(openid, "长"))))
    await ep.drain()
    parts = [first] + [text for _, text in ep.sender.sent]
    assert len(parts) == 2 and all(len(p.encode()) <= 320 for p in parts)
    assert "\n".join(parts) == long


# --- message kinds ---------------------------------------------------------------------------

async def test_buttons_become_numbers_and_a_number_sends_the_payload():
    bot = Bot({"收费": [{"text": "您是不是想问：", "buttons": BUTTONS}]})
    ep, openid = endpoint(bot), new_openid()
    shown = content(await post(ep, client.plain(client.text(openid, "收费"))))
    assert shown == "您是不是想问：\n1. 多久答复\n2. 都不是，转人工\n（回复 1/2 选择）"
    await post(ep, client.plain(client.text(openid, "２")))  # full-width, as phones type it
    assert bot.turns[-1] == (openid, "/request_human")


async def test_choices_are_per_user_and_used_once():
    bot = Bot({"收费": [{"text": "您是不是想问：", "buttons": BUTTONS}]})
    ep, alice, bob = endpoint(bot), new_openid(), new_openid()
    await post(ep, client.plain(client.text(alice, "收费")))
    await post(ep, client.plain(client.text(bob, "1")))
    await post(ep, client.plain(client.text(alice, "1")))
    await post(ep, client.plain(client.text(alice, "1")))
    assert [t for _, t in bot.turns] == ["收费", "1", '/choose_faq{"faq_id":"reply_deadline"}',
                                         "1"]


async def test_a_number_out_of_range_asks_again_and_keeps_the_choices():
    bot = Bot({"收费": [{"text": "您是不是想问：", "buttons": BUTTONS}]})
    ep, openid = endpoint(bot), new_openid()
    await post(ep, client.plain(client.text(openid, "收费")))
    assert content(await post(ep, client.plain(client.text(openid, "5")))) == \
        "请回复序号 1/2 选择，或直接输入您的问题。"
    await post(ep, client.plain(client.text(openid, "1")))
    assert bot.turns[-1][1] == '/choose_faq{"faq_id":"reply_deadline"}'
    assert len(bot.turns) == 2


async def test_subscribe_sends_the_greet_intent():
    bot, openid = Bot({"/greet": [{"text": "您好，我是公开助手。"}]}), new_openid()
    reply = await post(endpoint(bot), client.plain(client.event(openid, "subscribe")))
    assert content(reply) == "您好，我是公开助手。"
    assert bot.turns == [(openid, "/greet")]


@pytest.mark.parametrize("key, payload", [
    ("FAQ_REPLY_DEADLINE", '/choose_faq{"faq_id":"reply_deadline"}'),
    ("INTENT_REQUEST_HUMAN", "/request_human"),
    ("INTENT_GREET", "/greet"),
])
def test_menu_keys_map_to_rasa_messages(key, payload):
    assert menu_payload(key) == payload


@pytest.mark.parametrize("key", ["", "faq_reply_deadline", "FAQ_", "OTHER_KEY",
                                 'FAQ_X"}', "INTENT_GREET{\"agency\":\"x\"}"])
def test_other_menu_keys_map_to_nothing(key):
    assert menu_payload(key) is None


async def test_menu_click_runs_the_mapped_turn_and_an_unknown_key_is_declined():
    bot, ep, openid = Bot(), endpoint(Bot()), new_openid()
    ep.turn = bot
    await post(ep, client.plain(client.event(openid, "CLICK", "FAQ_REPLY_DEADLINE")))
    assert bot.turns == [(openid, '/choose_faq{"faq_id":"reply_deadline"}')]
    reply = await post(ep, client.plain(client.event(openid, "CLICK", "SOMETHING")))
    assert content(reply) == MENU_UNAVAILABLE and len(bot.turns) == 1


async def test_voice_uses_its_recognition_text():
    bot, openid = Bot(), new_openid()
    reply = await post(endpoint(bot), client.plain(client.voice(openid, "申请信息公开多久答复")))
    assert content(reply) == "收到：申请信息公开多久答复"
    assert bot.turns == [(openid, "申请信息公开多久答复")]


async def test_voice_without_recognition_asks_for_text():
    bot = Bot()
    reply = await post(endpoint(bot), client.plain(client.voice(new_openid(), "")))
    assert content(reply) == VOICE_UNRECOGNISED and bot.turns == []


async def test_an_image_is_answered_with_a_request_for_text():
    bot = Bot()
    reply = await post(endpoint(bot), client.plain(client.image(new_openid())))
    assert content(reply) == TEXT_ONLY and "请直接输入文字问题" in TEXT_ONLY
    assert bot.turns == []


async def test_unsubscribe_and_view_events_get_success_and_no_turn():
    bot, openid = Bot(), new_openid()
    ep = endpoint(bot)
    for event in ("unsubscribe", "VIEW"):
        reply = await post(ep, client.plain(client.event(openid, event, "https://example.org")))
        assert reply.body == SUCCESS
    assert bot.turns == []


async def test_a_failing_turn_apologises():
    async def broken(openid, text):
        raise RuntimeError("tracker store down")
    reply = await post(endpoint(broken), client.plain(client.text(new_openid(), "你好")))
    assert "系统暂时出了点问题" in content(reply)


async def test_cdata_terminator_in_a_reply_keeps_the_xml_valid():
    bot = Bot({"x": [{"text": "a]]>b"}]})
    assert content(await post(endpoint(bot), client.plain(client.text(new_openid(), "x")))) == \
        "a]]>b"


async def test_logs_mask_phone_numbers_and_never_show_the_openid(caplog):
    openid = new_openid()
    with caplog.at_level(logging.INFO, logger="bot.channels"):
        await post(endpoint(Bot()), client.plain(client.text(openid, "我的电话13812345678")))
    logged = caplog.text
    assert "13812345678" not in logged and "138****5678" in logged
    assert openid not in logged
