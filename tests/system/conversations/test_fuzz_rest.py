"""Property-based abuse of the REST channel on the real servers: random Unicode, control
characters, ~100 kB messages, SQL / HTML / template / Rasa-payload injections. Never a server
error; ordinary text always gets an answer that does not echo markup back; and the assistant still
answers a normal question afterwards."""
import uuid

import pytest
from hypothesis import event, example, given

from tests.support import post_json, say, texts
from tests.support.fuzz_inputs import FUZZ, messages

pytestmark = pytest.mark.servers


@FUZZ
@given(message=messages())
@example(message="申" * 34_000)
@example(message='/check_case_status{"case_number": "ZBSP-2026-0101"}')
def test_rest_never_fails_on_hostile_input(assistant, message):
    sender = f"fuzz-{uuid.uuid4().hex[:12]}"  # fresh: a /request_human must not silence the next
    status, replies = post_json(f"{assistant.rasa_url}/webhooks/rest/webhook",
                                {"sender": sender, "message": message}, timeout=120)
    event(f"HTTP {status}")
    assert status == 200, (status, replies)
    reply = texts(replies)
    if not message.strip().startswith("/"):  # payloads (/restart…) may legitimately say nothing
        assert reply.strip() or any(r.get("buttons") for r in replies), "no answer"
    assert "<script" not in reply and "onerror" not in reply and "<svg" not in reply


def test_rest_still_answers_after_the_fuzz(assistant):
    reply = texts(say(assistant.rasa_url, f"after-fuzz-{uuid.uuid4().hex[:8]}", "申请信息公开多久答复？"))
    assert "20个工作日" in reply
