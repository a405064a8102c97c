"""The WeChat channel on a real Rasa server (with the real action server): signed and encrypted
XML in, passive replies and 客服消息 (to the fake WeChat API) out, conversations checked in
Rasa's tracker."""
from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from bot.channels.wechat_endpoint import SUCCESS, TEXT_ONLY
from tests.support import get_json
from tests.support.wechat_client import new_openid
from tests.support.wechat_servers import PLAIN_TEXT_LIMIT, REDIS_URL, WeChatRasa
from tests.unit.channels.test_wechat_endpoint import BILLION_LAUGHS, EXTERNAL_ENTITY

pytestmark = pytest.mark.servers

QUESTION = "申请信息公开多久答复？"


def post(server: WeChatRasa, signed: tuple[dict, bytes]) -> tuple[int, str]:
    query, body = signed
    url = server.webhook + "?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8", "replace")
    assert time.monotonic() - started < 5.0, "WeChat gives up after 5 seconds"
    return status, text


def passive(server: WeChatRasa, status_and_body: tuple[int, str]) -> str:
    status, body = status_and_body
    assert status == 200 and body != SUCCESS, (status, body)
    return server.client.read_reply(body)["Content"]


def user_events(server: WeChatRasa, openid: str) -> list[str]:
    # a WeChat user's conversation id carries the channel's name (docs/channels.md)
    status, tracker = get_json(f"{server.rasa_url}/conversations/wechat:{openid}/tracker")
    assert status == 200
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def api_texts_until(server: WeChatRasa, openid: str, needle: str, timeout: float = 30) -> str:
    """Everything sent to ``openid`` through the 客服消息 API, once it contains ``needle``."""
    deadline = time.monotonic() + timeout
    while True:
        texts = server.fake.messages_to(openid)
        if needle in "".join(texts) or time.monotonic() > deadline:
            return "\n".join(texts)
        time.sleep(0.1)


# --- plain mode: passive replies --------------------------------------------------------------

def test_url_verification(plain_server):
    query = {**plain_server.client.query(), "echostr": "5837461029384756"}
    with urllib.request.urlopen(plain_server.webhook + "?" + urllib.parse.urlencode(query),
                                timeout=10) as response:
        assert response.read() == b"5837461029384756"


def test_deadline_question_gets_the_sourced_answer_passively_then_the_rest(plain_server):
    openid, client = new_openid(), plain_server.client
    first = passive(plain_server, post(plain_server, client.plain(client.text(openid, QUESTION))))
    assert "20个工作日" in first
    # the answer (~400 bytes) is over the 300-byte parts of this server: the rest follows
    rest = api_texts_until(plain_server, openid, "第三十三条")
    assert "来源：《政府信息公开条例》第三十三条" in first + rest
    assert all(len(p.encode()) <= PLAIN_TEXT_LIMIT for p in [first, *rest.split("\n")])
    assert user_events(plain_server, openid) == [QUESTION]


def test_forged_signature_is_refused_and_nothing_reaches_rasa(plain_server):
    openid, client = new_openid(), plain_server.client
    query, body = client.plain(client.text(openid, QUESTION))
    query["signature"] = "0" * 40
    assert post(plain_server, (query, body))[0] == 403
    assert user_events(plain_server, openid) == []


def test_stale_timestamp_is_refused(plain_server):
    openid, client = new_openid(), plain_server.client
    signed = client.plain(client.text(openid, QUESTION), timestamp=int(time.time()) - 3600)
    assert post(plain_server, signed)[0] == 403
    assert user_events(plain_server, openid) == []


def test_retries_of_one_message_make_exactly_one_turn_and_one_answer(plain_server):
    openid, client = new_openid(), plain_server.client
    xml = client.text(openid, "申请信息公开收费吗", msg_id=int(time.time() * 1e6))
    # WeChat's retries, each signed anew: two at once, one after the answer
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: post(plain_server, client.plain(xml)), range(2)))
    results.append(post(plain_server, client.plain(xml)))
    assert all(status == 200 for status, _ in results)
    # a retry during the turn means WeChat dropped the first connection: the answer then goes
    # through the API; a retry after a passive reply gets that same reply (one message shown)
    passive_answers = {client.read_reply(body)["Content"] for _, body in results
                       if body != SUCCESS}
    time.sleep(1.5)  # anything wrongly processed twice would have arrived by now
    sent = plain_server.fake.messages_to(openid)
    deliveries = len(passive_answers) + sum("原则上不收费" in text for text in sent)
    assert deliveries == 1, (passive_answers, sent)
    assert user_events(plain_server, openid) == ["申请信息公开收费吗"]


def test_subscribe_is_welcomed_with_what_the_assistant_can_do(plain_server):
    openid, client = new_openid(), plain_server.client
    first = passive(plain_server, post(plain_server, client.plain(client.event(openid,
                                                                               "subscribe"))))
    welcome = first + api_texts_until(plain_server, openid, "请直接输入您的问题")
    assert "淄博市行政审批服务局" in welcome and "办理进度" in welcome
    assert user_events(plain_server, openid) == ["/greet"]


def test_voice_message_is_answered_from_its_recognition(plain_server):
    openid, client = new_openid(), plain_server.client
    reply = passive(plain_server, post(plain_server, client.plain(
        client.voice(openid, "申请信息公开收费吗"))))
    assert "原则上不收费" in reply
    assert user_events(plain_server, openid) == ["申请信息公开收费吗"]


def test_image_gets_a_request_for_text_and_no_turn(plain_server):
    openid, client = new_openid(), plain_server.client
    assert passive(plain_server, post(plain_server, client.plain(client.image(openid)))) == \
        TEXT_ONLY
    assert user_events(plain_server, openid) == []


def test_buttons_are_numbered_and_a_number_picks_one(plain_server):
    # /nlu_fallback runs action_handle_fallback, which always offers 「都不是，转人工」
    openid, client = new_openid(), plain_server.client
    menu = passive(plain_server, post(plain_server, client.plain(client.text(openid,
                                                                             "/nlu_fallback"))))
    assert "1. 都不是，转人工" in menu and "（回复 1 选择）" in menu
    picked = passive(plain_server, post(plain_server, client.plain(client.text(openid, "１"))))
    if "现在不是人工服务时间" not in picked:  # the reply may be longer than one part
        picked += api_texts_until(plain_server, openid, "现在不是人工服务时间")
    assert "现在不是人工服务时间" in picked  # the servers run with GONGKAI_NOW at 20:00
    assert user_events(plain_server, openid) == ["/nlu_fallback", "/request_human"]


BAD = {
    "malformed": (b"<xml><ToUserName>gh</ToUserName><Content>", 400),
    "entity expansion": (BILLION_LAUGHS.encode(), 400),
    "external entity": (EXTERNAL_ENTITY.encode(), 400),
    "oversized": (b"<xml>" + "申".encode() * 30_000 + b"</xml>", 413),
    "empty": (b"", 400),
}


@pytest.mark.parametrize("body, status", BAD.values(), ids=BAD.keys())
def test_bad_bodies_are_refused_by_the_running_server(plain_server, body, status):
    assert post(plain_server, (plain_server.client.query(), body))[0] == status
    assert user_events(plain_server, "oUser") == []  # the sender inside the entity payloads


# --- safe mode, 0.01 s budget, Redis: everything through the 客服消息 API -----------------------

def test_safe_mode_answer_arrives_through_the_custom_message_api(safe_server):
    openid, client = new_openid(), safe_server.client
    status, body = post(safe_server, client.safe(client.text(openid, QUESTION)))
    assert (status, body) == (200, SUCCESS)
    sent = api_texts_until(safe_server, openid, "第三十三条")
    assert "20个工作日" in sent and "来源：《政府信息公开条例》第三十三条" in sent
    assert user_events(safe_server, openid) == [QUESTION]


def test_safe_mode_refuses_plaintext(safe_server):
    openid, client = new_openid(), safe_server.client
    assert post(safe_server, client.plain(client.text(openid, QUESTION)))[0] == 403
    assert user_events(safe_server, openid) == []


def test_safe_mode_retries_are_deduplicated_in_redis(safe_server):
    openid, client = new_openid(), safe_server.client
    msg_id = int(time.time() * 1e6) + 7
    xml = client.text(openid, "申请信息公开收费吗", msg_id=msg_id)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: post(safe_server, client.safe(xml)), range(3)))
    assert results == [(200, SUCCESS)] * 3
    sent = api_texts_until(safe_server, openid, "原则上不收费")
    time.sleep(1)
    assert user_events(safe_server, openid) == ["申请信息公开收费吗"]
    assert sent.count("原则上不收费") == 1
    assert redis.Redis.from_url(REDIS_URL).exists(
        f"gongkai:wechat:seen:{client.account}:msg:{openid}:{msg_id}")


def test_an_expired_access_token_is_refreshed(safe_server):
    openid, client = new_openid(), safe_server.client
    safe_server.fake.expire_tokens()
    before = safe_server.fake.token_requests
    assert post(safe_server, client.safe(client.text(openid, QUESTION)))[1] == SUCCESS
    assert "20个工作日" in api_texts_until(safe_server, openid, "20个工作日")
    assert 42001 in safe_server.fake.rejections
    assert safe_server.fake.token_requests == before + 1
