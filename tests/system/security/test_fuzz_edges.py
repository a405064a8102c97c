"""Property-based abuse of every field of the REST and socket.io edges on the real servers (issue
12, critical #1): arbitrary JSON values and Unicode — lone surrogates included — for the sender
id, message, metadata, input_channel, session id. Never a 5xx, the widget always gets a session,
and the assistant still answers afterwards. tests/system/conversations/test_fuzz_rest.py covers hostile
message text with well-formed senders; this covers the other fields."""
from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support import post_json, say, texts
from tests.support.fuzz_inputs import FUZZ, json_values, messages
from tests.support.widget_client import widget

pytestmark = pytest.mark.servers

TOKEN = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")
ANY = json_values()
MESSAGE = st.one_of(messages(huge=False), ANY)


@FUZZ
@given(sender=ANY, message=MESSAGE, metadata=ANY, input_channel=ANY)
@example(sender="x\ud800", message="hi", metadata=None, input_channel=None)
@example(sender="ok", message="\udfff", metadata={"\ud800": "\udc00"}, input_channel="\ud800")
@example(sender=["wechat:o1"], message={"text": "hi"}, metadata="{", input_channel=7)
def test_rest_fields_never_give_a_server_error(assistant, sender, message, metadata,
                                               input_channel):
    status, replies = post_json(f"{assistant.rasa_url}/webhooks/rest/webhook",
                                {"sender": sender, "message": message, "metadata": metadata,
                                 "input_channel": input_channel}, timeout=120)
    assert status == 200, (status, replies)


@FUZZ
@given(session_id=ANY, data=st.one_of(
    ANY, st.fixed_dictionaries({"message": MESSAGE, "session_id": ANY, "metadata": ANY})))
@example(session_id="x\ud800", data={"message": "hi", "session_id": "x\ud800"})
@example(session_id=None, data={"message": "hi", "metadata": '{"language": "\ud800"}'})
async def test_socketio_fields_never_stop_the_widget(assistant, session_id, data):
    async with widget(assistant.rasa_url, session_id) as w:
        assert TOKEN.fullmatch(w.token)
        await w.emit(data)
        text = data.get("message") if isinstance(data, dict) else None
        if not (isinstance(text, str) and text.strip().startswith("/")):
            assert await w.next_text(timeout=120) is not None  # payloads may say nothing


def test_the_assistant_still_answers_after_the_edge_fuzz(assistant):
    reply = texts(say(assistant.rasa_url, f"after-edge-fuzz-{uuid.uuid4().hex[:8]}",
                      "申请信息公开多久答复？"))
    assert "20个工作日" in reply
