"""The transcript read from a tracker dump (the shape Rasa 3.6 returns)."""
from bot.handoff import suggest, transcript

TRACKER = {
    "paused": True,
    "events": [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.1},
        {"event": "user", "text": "申请信息公开多久答复？", "timestamp": 2.0,
         "parse_data": {"intent": {"name": "faq"}}, "input_channel": "rest"},
        {"event": "bot", "text": "20个工作日", "timestamp": 2.5, "data": {}, "metadata": {"faq_id": "reply_deadline"}},
        {"event": "user", "text": "/request_human", "timestamp": 3.0,
         "parse_data": {"intent": {"name": "request_human"}}},
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
        # "/request_human" (no button offered it) is not shown
        ("bot", "正在为您转接"),
        ("marker", "对话已转人工，助手暂停自动回复"),
        ("user", "<b>还在吗</b>"),  # kept as typed: escaping is the page's job
        ("notice", "工作人员已接入"),
        ("agent", "【人工客服·王芳】您好"),
        ("marker", "对话已转回助手"),
    ]
    assert entries[3].buttons == ("留言",)
    assert entries[7].agent == "王芳"
    assert entries[1].intent == "faq" and entries[1].timestamp == 2.0


def test_desk_messages_since_a_timestamp():
    assert transcript.desk_messages_since(TRACKER, 5.0) == [
        {"text": "【人工客服·王芳】您好", "timestamp": 6.0, "kind": "agent", "agent": "王芳"}]
    assert [m["kind"] for m in transcript.desk_messages_since(TRACKER, 0)] == ["notice", "agent"]


def test_desk_metadata():
    assert transcript.desk_metadata() == {"source": "desk"}
    assert transcript.desk_metadata("li", "李明") == {"source": "desk", "agent": "li", "agent_name": "李明"}
    assert transcript.is_paused(TRACKER) and not transcript.is_paused({})


def _user(text, stamp):
    return {"event": "user", "text": text, "timestamp": stamp, "parse_data": {"intent": {"name": "x"}}}


# One conversation, two sessions, two hand-offs: the first in session 1, ended (resume + the
# desk's closing notice); then a case look-up; then session 2 with the second hand-off.
TWO = {"events": [
    {"event": "session_started", "timestamp": 1.0},
    _user("早上好", 2.0),
    {"event": "session_started", "timestamp": 3.0},  # a new session: the window starts here
    _user("多久答复", 4.0),
    _user("转人工", 5.0),
    {"event": "pause", "timestamp": 5.1},
    {"event": "bot", "text": "【人工客服·李明】您好", "timestamp": 6.0, "metadata": {"source": "desk", "agent": "li"}},
    {"event": "resume", "timestamp": 7.0},
    {"event": "bot", "text": "已为您转回智能助手", "timestamp": 7.1, "metadata": {"source": "desk"}},
    {"event": "action", "name": "action_listen", "timestamp": 7.2},
    _user("查询进度", 8.0),  # after the hand-off ended: not in its window
    {"event": "bot", "text": "ZBSP-2026-0101 正在办理", "timestamp": 8.1, "metadata": {}},
    {"event": "session_started", "timestamp": 9.0},
    _user("找客服", 10.0),
    {"event": "pause", "timestamp": 10.1},
    _user("在吗", 11.0),
]}


def test_the_first_handoffs_window_is_its_session_up_to_its_end():
    window = transcript.handoff_window(TWO, 1)
    assert [e.text for e in transcript.entries(window) if e.kind != "marker"] == [
        "多久答复", "转人工", "【人工客服·李明】您好", "已为您转回智能助手"]
    # the desk's suggestions are for the question in it, not for 「转人工」
    assert suggest.latest_question(window["events"]).text == "多久答复"


def test_an_open_handoffs_window_runs_to_the_end():
    window = transcript.handoff_window(TWO, 2)
    assert [e.text for e in transcript.entries(window) if e.kind == "user"] == ["找客服", "在吗"]


def test_a_handoff_the_conversation_does_not_show_has_no_window():
    assert transcript.handoff_window(TWO, 3) is None
    assert transcript.handoff_window(TWO, 0) is None
    assert transcript.handoff_window({"events": []}, 1) is None


def test_a_clicked_button_shows_its_title_and_a_bare_payload_nothing():
    # the widget's own opening /greet, then the 「您是不是想问」 buttons and a click on the last
    events = [
        {"event": "user", "text": "/greet", "timestamp": 1.0, "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "您好", "timestamp": 1.1},
        {"event": "user", "text": "那个期限", "timestamp": 2.0},
        {"event": "bot", "text": "您是不是想问：", "timestamp": 2.1, "data": {"buttons": [
            {"title": "申请后多久答复？", "payload": '/choose_faq{"faq_id":"reply_deadline"}'},
            {"title": "都不是，转人工", "payload": "/request_human"}]}},
        {"event": "user", "text": "/request_human", "timestamp": 3.0},
    ]
    shown = [(e.kind, e.text) for e in transcript.entries({"events": events})]
    assert shown == [("bot", "您好"), ("user", "那个期限"), ("bot", "您是不是想问："),
                     ("user", "都不是，转人工")]
    assert not [text for _, text in shown if text.startswith("/")]


def test_a_callback_tickets_conversation_is_its_session_up_to_the_ticket():
    def user(text, stamp):
        return {"event": "user", "text": text, "timestamp": stamp}
    events = [
        {"event": "session_started", "timestamp": 1.0}, user("上一次会话的问题", 1.5),
        {"event": "session_started", "timestamp": 2.0},
        user("我的电话13912345678，复议找谁？", 3.0),
        {"event": "bot", "text": "已记下您的号码139****5678", "timestamp": 4.0, "metadata": {"callback_ticket": 5}},
        user("后来又问的", 5.0),
    ]
    window = transcript.ticket_window({"events": events}, 5)
    shown = [(e.kind, e.text) for e in map(transcript.masked, transcript.entries(window))]
    assert shown == [("marker", "新的会话开始"), ("user", "我的电话139****5678，复议找谁？"),
                     ("bot", "已记下您的号码139****5678")]
    assert transcript.ticket_window({"events": events}, 6) is None
