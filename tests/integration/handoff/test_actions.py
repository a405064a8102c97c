"""The hand-off actions without servers: rasa_sdk trackers built by hand, the clock pinned, the
store on a temporary SQLite database."""
from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation, handoff
from bot.core import bootstrap, clock, db
from bot.core.bootstrap import Root
from bot.core.settings import ClockSettings, parse_moment


def user(text, intent, channel="rest"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}},
            "input_channel": channel}


def tracker(events, sender="citizen-1"):
    latest = next((e for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(sender, {}, {"intent": latest.get("parse_data", {}).get("intent", {}),
                                "text": latest.get("text"), "entities": []},
                   events, False, None, None, "action_listen")


@contextmanager
def actions_on(url):
    """The actions' stores on `url`: a composition root of its own, the process's put back after."""
    root = Root(database_url=url)
    previous = bootstrap.use(root)
    try:
        yield root
    finally:
        bootstrap.use(previous)
        root.dispose()


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    db.upgrade(url)
    with actions_on(url) as root:
        yield root.handoffs


@pytest.fixture
def pin(monkeypatch):
    def pin_at(moment: str):
        monkeypatch.setattr(clock, "pinned", ClockSettings(now=parse_moment(moment)))
    return pin_at


def answered(name):
    return [{"event": "action", "name": name}, {"event": "bot", "text": "..."},
            {"event": "action", "name": "action_listen"}]


def test_fallbacks_in_a_row_are_counted_back_to_the_last_message_understood():
    fallback = "action_handle_fallback"
    greeted = [user("你好", "greet")] + answered("action_greet")
    first = [user("啊啊啊", "nlu_fallback")]
    assert conversation.fallbacks_in_a_row(tracker(greeted + first)) == 1
    events = (greeted + first + answered(fallback) + [user("", "nlu_fallback")] + answered(fallback)
              + [user("呜呜呜", "faq")])  # the policy fell back on this one: being answered now
    assert conversation.fallbacks_in_a_row(tracker(events)) == 2  # the empty one does not count
    understood_between = (greeted + first + answered(fallback) + [user("收费吗", "faq")]
                          + answered("action_answer_faq") + [user("嗯嗯嗯", "nlu_fallback")])
    assert conversation.fallbacks_in_a_row(tracker(understood_between)) == 1
    resumed = (greeted + first + answered(fallback) + [{"event": "pause"}, user("在吗", "greet"),
               {"event": "resume"}, user("呜呜呜", "nlu_fallback")])
    assert conversation.fallbacks_in_a_row(tracker(resumed)) == 1


def test_first_question_skips_the_request_itself():
    events = [user("你好", "greet"), user("复议找谁", "faq"), user("转人工", "request_human")]
    assert handoff.first_question(tracker(events), "request") == "复议找谁"
    assert handoff.first_question(tracker([user("转人工", "request_human")]), "request") is None
    # 「取消」 (a callback form given up) and 「人呢？我等着呢」 are no question for the queue either
    events = [user("复议找谁", "faq"), user("取消", "stop"), user("人呢？我等着呢", "nlu_fallback"),
              user("转人工", "request_human")]
    assert handoff.first_question(tracker(events), "request") == "复议找谁"
    fallbacks = [user("啊啊", "nlu_fallback"), user("哦哦", "nlu_fallback")]
    assert handoff.first_question(tracker(fallbacks), "fallback") == "啊啊 / 哦哦"


async def test_in_office_hours_the_conversation_is_queued_and_paused(store, pin):
    pin("2026-11-23T10:00:00")  # a Monday morning
    dispatcher = CollectingDispatcher()
    events = await handoff.start_handoff(
        dispatcher, tracker([user("复议找谁", "faq"), user("转人工", "request_human", "socketio")]), "request")
    assert {"event": "pause", "timestamp": None} in events
    assert "正在为您转接淄博市行政审批服务局的人工客服" in dispatcher.messages[0]["text"]
    record = store.open_for("citizen-1")
    assert (record.channel, record.reason, record.first_question) == ("socketio", "request", "复议找谁")


async def test_outside_office_hours_nobody_is_promised(store, pin):
    pin("2026-11-23T18:30:00")
    dispatcher = CollectingDispatcher()
    events = await handoff.start_handoff(dispatcher, tracker([user("我这个案子能告赢吗", "ask_dispute_advice")]),
                                         "dispute")
    assert not any(e["event"] == "pause" for e in events)
    text = dispatcher.messages[0]["text"]
    assert "不能替您下结论" in text
    assert "人工服务时间为工作日8:30—12:00、13:30—17:00（法定节假日除外），下一次为11月24日（周二）8:30" in text
    assert "正在为您转接" not in text
    # data/kb/messages.yml callback_button
    assert dispatcher.messages[0]["buttons"] == [{"title": "留言，请工作人员回电",
                                                 "payload": "/leave_callback"}]
    assert store.open_for("citizen-1") is None


async def test_without_a_database_the_citizen_gets_the_phone_numbers(tmp_path, pin):
    pin("2026-11-23T10:00:00")
    dispatcher = CollectingDispatcher()
    with actions_on(f"sqlite:///{tmp_path / 'never-migrated.db'}"):
        events = await handoff.start_handoff(dispatcher, tracker([user("转人工", "request_human")]), "request")
    assert not any(e["event"] == "pause" for e in events)
    assert "人工转接暂时不可用" in dispatcher.messages[0]["text"]
    assert "0533-2306909" in dispatcher.messages[0]["text"]


async def test_callback_form_validation():
    form = handoff.ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    t = tracker([user("x", "faq")])
    phone = form.validate_callback_phone
    assert await phone("电话 139-1234-5678", dispatcher, t, {}) == {"callback_phone": "13912345678"}
    assert await phone("12345", dispatcher, t, {}) == {"callback_phone": None}
    assert "号码好像不完整" in dispatcher.messages[-1]["text"]
    assert await phone("取消", dispatcher, t, {}) == {"callback_phone": None, "requested_slot": None}
    note = form.validate_callback_note
    assert await note("跳过", dispatcher, t, {}) == {"callback_note": ""}
    assert await note("想问 复议\n期限", dispatcher, t, {}) == {"callback_note": "想问 复议 期限"}


async def test_submit_stores_the_ticket_and_says_when(store, pin):
    pin("2026-11-27T19:00:00")  # Friday evening
    t = Tracker("citizen-2", {"callback_phone": "13912345678", "callback_note": "复议期限"},
                {"intent": {}, "entities": []}, [user("x", "faq", "socketio")], False, None, None, "callback_form")
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionSubmitCallback().run(dispatcher, t, {})
    assert [e["name"] for e in events] == ["callback_phone", "callback_note"]
    assert dispatcher.messages[0]["text"].startswith(
        "已为您登记回电（139****5678）。工作人员会在11月30日（周一）8:30上班后尽快与您联系")
    [ticket] = store.open_tickets()
    assert (ticket.sender_id, ticket.channel, ticket.phone, ticket.description) == (
        "citizen-2", "socketio", "13912345678", "复议期限")


async def test_a_cancelled_form_stores_nothing(store):
    t = Tracker("citizen-3", {"callback_phone": None}, {"intent": {}, "entities": []}, [], False, None, None, "x")
    dispatcher = CollectingDispatcher()
    await handoff.ActionSubmitCallback().run(dispatcher, t, {})
    assert "已取消留言" in dispatcher.messages[0]["text"]
    assert store.open_tickets() == []
