"""Bad input over REST gets a polite reply, never a server error."""
import uuid

import pytest

from tests.support import post_json, texts

pytestmark = pytest.mark.servers

BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \t\n  ",
    "huge": "我想问一下信息公开的事情" * 420,  # 5,040 characters
    "emoji": "😀😀😀🙏",
    "control characters": "\x00\x07\x1b[31m",
    "injection": "'; DROP TABLE events; -- <script>alert(1)</script> {{7*7}}",
}


@pytest.mark.parametrize("message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_gets_a_polite_reply(assistant, message):
    status, replies = post_json(f"{assistant.rasa_url}/webhooks/rest/webhook",
                                {"sender": f"bad-{uuid.uuid4().hex[:8]}", "message": message})
    assert status == 200
    reply = texts(replies)
    assert reply.strip(), "the assistant must always answer"
    assert any(word in reply for word in ("您", "请", "抱歉")), reply
    assert "<script>" not in reply and "49" not in reply
