"""The WeChat webhook's edge on a real Rasa server (issue 12: the low items on replayed URLs,
de-duplication and markup; #5's channel separation; #1 for WeChat's fields), with the channel tests'
servers and fake WeChat API (tests/support/wechat_servers.py)."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.channels.edge import TEXT_ONLY
from tests.support import post_json, trackers
from tests.support.wechat_client import ACCOUNT, new_openid

pytestmark = pytest.mark.servers

DEADLINE_QUESTION = "申请信息公开多久答复？"
FEE_QUESTION = "申请信息公开收费吗"


def post(server, query: dict, body: bytes) -> tuple[int, str]:
    url = server.webhook + "?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def content(server, answer: tuple[int, str]) -> str:
    status, body = answer
    assert status == 200 and body != "success", answer
    return server.client.read_reply(body)["Content"]


def tracker_db(server):
    return server.log_path.parent / "tracker-plain.db"  # tests/support/wechat_servers.py


def said(server, openid: str) -> list[str]:
    return [e["text"] for e in trackers.user_events(tracker_db(server), f"wechat:{openid}")]


def test_a_signed_url_replayed_with_another_body_is_refused(plain_server):
    """Plain mode signs the URL only: a captured URL took any body for the 300 s clock window."""
    client = plain_server.client
    query, body = client.plain(client.text(new_openid(), "你好"))
    assert post(plain_server, query, body)[0] == 200
    victim = new_openid()
    status, _ = post(plain_server, query, client.text(victim, FEE_QUESTION).encode())
    assert status == 403
    assert said(plain_server, victim) == []


def test_wechats_own_retry_of_a_url_and_body_is_still_answered(plain_server):
    client, openid = plain_server.client, new_openid()
    query, body = client.plain(client.text(openid, FEE_QUESTION))
    first = content(plain_server, post(plain_server, query, body))
    again = post(plain_server, query, body)  # WeChat repeats URL and body when it retries
    assert again[0] == 200 and (again[1] == "success" or content(plain_server, again) == first)
    assert said(plain_server, openid) == [FEE_QUESTION]


def test_two_users_with_the_same_msgid_each_get_their_own_answer(plain_server):
    """MsgId is unique per user only; the de-duplication key ignored the openid, so the second
    user was given the first user's reply (and their question was never asked)."""
    client = plain_server.client
    first, second = new_openid(), new_openid()
    msg_id = 7_000_000_000_000_000_001
    deadline = content(plain_server, post(plain_server, *client.plain(
        client.text(first, DEADLINE_QUESTION, msg_id=msg_id))))
    fee = content(plain_server, post(plain_server, *client.plain(
        client.text(second, FEE_QUESTION, msg_id=msg_id))))
    assert "20个工作日" in deadline and "20个工作日" not in fee
    assert said(plain_server, second) == [FEE_QUESTION]


@pytest.mark.parametrize("inner", ["<b>申请</b>", "<a><b>1</b><c/></a>", '<x y="1">申请</x>'])
def test_content_holding_markup_gets_a_polite_answer(plain_server, inner):
    client, openid = plain_server.client, new_openid()
    xml = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{openid}</FromUserName>"
           f"<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>"
           f"<Content>{inner}</Content><MsgId>42</MsgId></xml>")
    assert content(plain_server, post(plain_server, *client.plain(xml))) == TEXT_ONLY


@pytest.mark.parametrize("field", [b"\xed\xa0\x80", b"&#xD800;", b"\x00", b"\xff\xfe"],
                         ids=["surrogate bytes", "surrogate reference", "NUL", "not UTF-8"])
def test_unstorable_characters_in_a_field_get_a_4xx(plain_server, field):
    client, openid = plain_server.client, new_openid()
    xml = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{openid}</FromUserName>"
           f"<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>申请").encode() \
        + field + b"</Content><MsgId>43</MsgId></xml>"
    status, _ = post(plain_server, *client.plain(xml))
    assert 400 <= status < 500
    assert "20个工作日" in content(plain_server, post(plain_server, *client.plain(
        client.text(new_openid(), DEADLINE_QUESTION))))


def test_wechat_conversations_are_out_of_the_rest_channels_reach(plain_server):
    client, openid = plain_server.client, new_openid()
    content(plain_server, post(plain_server, *client.plain(client.text(openid, FEE_QUESTION))))
    stored = trackers.user_events(tracker_db(plain_server), f"wechat:{openid}")
    assert [e["text"] for e in stored] == [FEE_QUESTION]
    assert trackers.metadata(stored[0])["gongkai_origin"] == {
        "channel": "wechat", "address": "", "connection": openid}
    for sender in (f"wechat:{openid}", openid):
        status, _ = post_json(f"{plain_server.rasa_url}/webhooks/rest/webhook",
                              {"sender": sender, "message": "/restart"})
        assert status == 200
    assert said(plain_server, openid) == [FEE_QUESTION]  # nobody else spoke there
