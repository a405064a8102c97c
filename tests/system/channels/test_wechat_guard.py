"""The WeChat channel shares the guard of the REST and widget channels (bot/serving/guard.py): an
overlong message gets the polite refusal as its passive reply and never reaches the dialogue."""
from __future__ import annotations

import pytest

from tests.support.wechat_client import new_openid
from tests.system.channels.test_wechat_rasa import passive, post, user_events

pytestmark = pytest.mark.servers


def test_overlong_wechat_message_is_refused_politely(plain_server):
    openid, client = new_openid(), plain_server.client
    reply = passive(plain_server, post(plain_server, client.plain(client.text(openid, "查" * 1001))))
    assert "太长" in reply and "1000" in reply
    assert user_events(plain_server, openid) == []
