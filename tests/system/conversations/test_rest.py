"""Conversations over the REST channel with the real Rasa server and action server."""
import uuid

import pytest

from tests.support import get_json, say, texts

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def test_reply_deadline_question_gets_the_20_working_day_rule_with_its_source(assistant):
    reply = texts(say(assistant.rasa_url, sender(), "申请信息公开多久答复？"))
    assert "20个工作日" in reply
    assert "来源：《政府信息公开条例》第三十三条" in reply


def test_traditional_characters_get_the_same_answer(assistant):
    reply = texts(say(assistant.rasa_url, sender(), "申請資訊公開多久答覆"))
    assert "20个工作日" in reply


def test_answer_is_rendered_by_the_custom_action_for_the_default_agency(assistant):
    reply = texts(say(assistant.rasa_url, sender(), "申请信息公开收费吗"))
    assert "原则上不收费" in reply and "第四十二条" in reply


def test_greeting_says_what_the_assistant_can_do(assistant):
    reply = texts(say(assistant.rasa_url, sender(), "你好"))
    assert "淄博市行政审批服务局" in reply and "办理进度" in reply


def test_out_of_scope_question_is_declined_with_a_phone_number(assistant):
    reply = texts(say(assistant.rasa_url, sender(), "今天天气怎么样"))
    assert "超出了我的服务范围" in reply
    assert "0533-2306909" in reply


def test_conversation_state_is_kept_in_the_tracker_store(assistant):
    who = sender()
    say(assistant.rasa_url, who, "你好")
    say(assistant.rasa_url, who, "收费吗")
    status, tracker = get_json(f"{assistant.rasa_url}/conversations/{who}/tracker")
    assert status == 200
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert user_texts == ["你好", "收费吗"]
