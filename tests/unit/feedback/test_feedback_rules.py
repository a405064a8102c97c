"""When the assistant asks 「这条答复对您有帮助吗？」 and which prompt an answer refers to: pure
functions over tracker events (actions/feedback.py)."""
from actions import feedback
from bot.feedback import ratings


def user(text, intent="faq"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def prompt(faq_id, topic):
    return {"event": "bot", "text": "……\n这条答复对您有帮助吗？",
            "metadata": {"faq_id": faq_id, "feedback_prompt": faq_id, "feedback_topic": topic}}


def answer(faq_id):
    return {"event": "bot", "text": "……", "metadata": {"faq_id": faq_id}}


def test_asked_once_per_topic_and_not_within_three_messages():
    events = [user("申请多久答复")]
    assert feedback.should_ask(events, "deadlines")
    events += [prompt("reply_deadline", "deadlines"), user("收费吗")]
    assert not feedback.should_ask(events, "fees")  # 1 message after the last prompt
    events += [answer("fee_principle"), user("能延期吗"), answer("extension"), user("要钱吗")]
    assert feedback.should_ask(events, "fees")  # 3 messages after
    assert not feedback.should_ask(events, "deadlines")  # asked about this topic already
    # a new session starts afresh
    assert feedback.should_ask(events + [{"event": "session_started"}, user("多久答复")], "deadlines")


def test_the_pending_prompt_and_its_question():
    events = [user("/greet", "greet"), user("申请多久答复"), prompt("reply_deadline", "deadlines"),
              user("/helpful", "helpful")]
    assert feedback.pending_prompt(events) == {"value": "reply_deadline", "question": "申请多久答复"}
    # answered already: a second click finds nothing to store
    assert feedback.pending_prompt(events + [answer(None), user("/helpful", "helpful")]) is None
    # the question is the last typed one before the prompt (a did-you-mean click is skipped)
    events = [user("那个收钱的事"), user('/choose_faq{"faq_id":"fee_principle"}', "choose_faq"),
              prompt("fee_principle", "fees"), user("没用", "not_helpful")]
    assert feedback.pending_prompt(events)["question"] == "那个收钱的事"
    assert feedback.pending_prompt([user("没用", "not_helpful")]) is None


def test_ratings_from_buttons_digits_or_words():
    assert [ratings.parse(v) for v in ("5", "１", "基本满意", "非常不满意。", "6", "好", None)] == \
        [5, 1, 3, 1, None, None, None]
    assert [b["title"] for b in ratings.buttons()] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
