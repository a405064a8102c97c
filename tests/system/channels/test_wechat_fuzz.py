"""Property-based abuse of the WeChat webhook on the real Rasa server (plain mode, fake WeChat
API): correctly signed messages with random Unicode, control characters, injection strings and
~100 kB bodies are answered or refused with a 4xx, never a 5xx; forged signatures never reach
Rasa; and the account still answers a normal question afterwards."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from bot.channels.wechat_endpoint import SUCCESS
from tests.support.fuzz_inputs import FUZZ, messages
from tests.support.wechat_client import new_openid
from tests.support.wechat_servers import WeChatRasa
from tests.system.channels.test_wechat_rasa import api_texts_until, user_events

pytestmark = pytest.mark.servers


def cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")  # how a real sender keeps "]]>" inside CDATA


def post(server: WeChatRasa, query: dict, body: bytes) -> tuple[int, str]:
    url = server.webhook + "?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@FUZZ
@given(content=messages())
@example(content="申" * 34_000)
@example(content="<script>alert(1)</script>]]><xml>{{7*7}}")
def test_signed_hostile_messages_never_cause_a_server_error(plain_server, content):
    client, openid = plain_server.client, new_openid()
    xml = client.text(openid, cdata(content))
    status, body = post(plain_server, *client.plain(xml))
    # 400: not well-formed XML 1.0 (control characters); 413: over the 64 kB body limit
    event(f"HTTP {status}")  # pytest --hypothesis-show-statistics shows how many reached the bot
    assert status in (200, 400, 413), (status, body[:300])
    if status == 200 and body != SUCCESS:
        reply = client.read_reply(body)["Content"]
        assert reply.strip()
        assert "<script" not in reply and "onerror" not in reply


@FUZZ
@given(signature=st.one_of(st.text(max_size=60), st.from_regex(r"[0-9a-f]{40}", fullmatch=True)),
       timestamp=st.one_of(st.text(max_size=20), st.integers(-2**63, 2**63).map(str)),
       nonce=st.text(max_size=40))
def test_forged_signatures_are_refused_and_never_reach_rasa(plain_server, signature, timestamp,
                                                            nonce):
    client, openid = plain_server.client, new_openid()
    xml = client.text(openid, "申请信息公开多久答复？")
    status, _ = post(plain_server, {"signature": signature, "timestamp": timestamp, "nonce": nonce},
                     xml.encode("utf-8"))
    assert status in (400, 403), status
    assert user_events(plain_server, openid) == []


def test_the_account_still_answers_after_the_fuzz(plain_server):
    client, openid = plain_server.client, new_openid()
    status, body = post(plain_server, *client.plain(client.text(openid, "申请信息公开收费吗")))
    assert status == 200
    reply = client.read_reply(body)["Content"] if body != SUCCESS else ""
    if "原则上不收费" not in reply:  # the rest of a long answer comes through the 客服消息 API
        reply += api_texts_until(plain_server, openid, "原则上不收费")
    assert "原则上不收费" in reply
