"""bot.core.history over hand-written event lists (the shape of rasa_sdk's ``Tracker.events`` and of
the tracker JSON of Rasa's HTTP API). Expected values are read off the lists by eye."""

from bot.core import history


def user(text, intent="faq"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text, **metadata):
    return {"event": "bot", "text": text, "metadata": metadata}


def action(name):
    return {"event": "action", "name": name}


def test_one_event_is_read_whatever_is_missing():
    event = {"event": "bot", "text": "  好的 ", "metadata": None, "data": None}
    assert history.kind(event) == "bot"
    assert history.metadata(event) == {}
    assert history.metadata({"metadata": "not a mapping"}) == {}
    assert history.text(event) == "好的"
    assert history.buttons(event) == []
    assert history.intent({"event": "user"}) is None
    assert history.intent(user("你好", "greet")) == "greet"


def test_typed_text_is_a_citizens_message_that_is_not_a_button():
    assert history.typed_text(user(" 多久答复 ")) == "多久答复"
    assert history.typed_text(user("/request_human", "request_human")) is None  # a payload
    assert history.typed_text(user("   ")) is None
    assert history.typed_text(bot("多久答复")) is None  # the assistant's, not the citizen's
    assert history.is_typed("转人工") and not history.is_typed("/helpful") and not history.is_typed(None)


def test_newest_first_stops_at_the_latest_break():
    events = [user("一"), {"event": "session_started"}, user("二"), {"event": "resume"}, user("三")]
    assert [e.get("text") for e in history.newest_first(events)] == ["三", None, "二"]
    assert [e.get("text") for e in history.newest_first(events, history.HANDOFF_BREAKS)] == ["三"]
    assert len(list(history.newest_first(events, breaks=()))) == 5
    restarted = [user("一"), {"event": "restart"}, user("二")]
    assert [e["text"] for e in history.newest_first(restarted)] == ["二"]


def test_before_current_skips_the_message_being_answered():
    # the current message 「三」 and the bot's reply being written after it are not "before"
    events = [user("一"), bot("答一"), user("二"), bot("答二"), user("三"), bot("答三")]
    assert [e["text"] for e in history.before_current(events)] == ["答二", "二", "答一", "一"]
    assert list(history.before_current([bot("您好")])) == []  # no message from the citizen yet


def test_previous_reply_is_what_the_assistant_said_to_the_previous_message():
    options = [{"title": "1. 多久答复", "payload": "/choose_faq"}]
    events = [user("一"), bot("答一"), user("二"), action("action_answer_faq"),
              {"event": "bot", "text": "您是不是想问", "data": {"buttons": options}}, bot("另外"),
              action("action_listen"), user("2", "choose_option")]
    reply = list(history.previous_reply(events))
    # newest first, back to (not including) 「二」
    assert [history.kind(e) for e in reply] == ["action", "bot", "bot", "action"]
    assert history.buttons(reply[2]) == options
    # a new session in between: the reply before it is not this session's
    assert list(history.previous_reply([user("一"), bot("答一"), {"event": "session_started"},
                                        user("二")])) == []


def test_previous_and_latest_typed_skip_payloads_and_cross_sessions():
    events = [user("复议找谁"), bot("答"), {"event": "session_started"},
              user("/request_human", "request_human"), user("还在吗"), user("/helpful", "helpful")]
    assert history.latest_typed(events) == "还在吗"  # the payload after it is skipped
    # before the current message (/helpful): 「还在吗」
    assert history.previous_typed(events) == "还在吗"
    # before the current 「还在吗」: the payload is skipped, and the search crosses the new session
    assert history.previous_typed(events[:-1]) == "复议找谁"
    assert history.previous_typed([user("只有这一句")]) is None
    assert history.latest_typed([]) is None


def test_the_metadata_names_are_the_ones_stored_in_existing_conversations():
    # written into tracker stores since the first releases: renaming one loses old conversations'
    # answers from the analytics and the topic, so the spelling is pinned here
    assert (history.FAQ_ID, history.UNSURE, history.OUT_OF_SCOPE, history.TOPIC,
            history.TOPIC_QUESTION, history.FEEDBACK_PROMPT, history.FEEDBACK_TOPIC,
            history.RATING_FOR, history.SOURCE, history.DESK_SOURCE) == (
        "faq_id", "unsure", "out_of_scope", "topic", "topic_question", "feedback_prompt",
        "feedback_topic", "rating_for", "source", "desk")
