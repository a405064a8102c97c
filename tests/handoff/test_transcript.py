"""The transcript read from a tracker dump (the shape Rasa 3.6 returns)."""
from bot.handoff import transcript

TRACKER = {
    "paused": True,
    "events": [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.1},
        {"event": "user", "text": "申请信息公开多久答复？", "timestamp": 2.0,
         "parse_data": {"intent": {"name": "faq"}}, "input_channel": "rest"},
        {"event": "bot", "text": "20个工作日", "timestamp": 2.5, "data": {}, "metadata": {"faq_id": "reply_deadline"}},
        {"event": "user", "text": "/request_human", "timestamp": 3.0, "parse_data": {"intent": {"name": "request_human"}}},
        {"event": "bot", "text": "正在为您转接", "timestamp": 3.2,
         "data": {"buttons": [{"title": "留言", "payload": "/leave_callback"}]}, "metadata": {}},
        {"event": "pause", "timestamp": 3.3},
        {"event": "user", "text": "<b>还在吗</b>", "timestamp": 4.0, "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "工作人员已接入", "timestamp": 5.0, "metadata": {"source": "desk"}},
        {"event": "bot", "text": "【人工客服·王芳】您好", "timestamp": 6.0,
         "metadata": {"source": "desk", "agent": "wangfang", "agent_name": "王芳"}},
        {"event": "resume", "timestamp": 7.0},
    ],
}


def test_entries_in_order_with_kinds():
    entries = transcript.entries(TRACKER)
    assert [(e.kind, e.text) for e in entries] == [
        ("marker", "新的会话开始"),
        ("user", "申请信息公开多久答复？"),
        ("bot", "20个工作日"),
        ("user", "/request_human"),
        ("bot", "正在为您转接"),
        ("marker", "对话已转人工，助手暂停自动回复"),
        ("user", "<b>还在吗</b>"),  # kept as typed: escaping is the page's job
        ("notice", "工作人员已接入"),
        ("agent", "【人工客服·王芳】您好"),
        ("marker", "对话已转回助手"),
    ]
    assert entries[4].buttons == ("留言",)
    assert entries[8].agent == "王芳"
    assert entries[1].intent == "faq" and entries[1].timestamp == 2.0


def test_latest_user_text_skips_button_payloads():
    assert transcript.latest_user_text(TRACKER) == "<b>还在吗</b>"
    assert transcript.latest_user_text({"events": []}) is None


def test_desk_messages_since_a_timestamp():
    assert transcript.desk_messages_since(TRACKER, 5.0) == [
        {"text": "【人工客服·王芳】您好", "timestamp": 6.0, "kind": "agent", "agent": "王芳"}]
    assert [m["kind"] for m in transcript.desk_messages_since(TRACKER, 0)] == ["notice", "agent"]


def test_desk_metadata():
    assert transcript.desk_metadata() == {"source": "desk"}
    assert transcript.desk_metadata("li", "李明") == {"source": "desk", "agent": "li", "agent_name": "李明"}
    assert transcript.is_paused(TRACKER) and not transcript.is_paused({})
