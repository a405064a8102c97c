"""Every kind of failure counts as unresolved: a week of conversations saved through Rasa's own
SQLTrackerStore (the tracker store the servers use, on SQLite), each question's outcome worked
out by hand below, next to the conversation that produces it."""
import asyncio
import datetime as dt

import pytest

from bot.core import db
from bot.core.bootstrap import Root
from bot.core.clock import CHINA
from bot.feedback import analytics
from bot.handoff.models import CallbackTicket, Handoff

START, END = dt.date(2026, 11, 16), dt.date(2026, 11, 22)
CALLBACK = [{"title": "留言，请工作人员回电", "payload": "/leave_callback"}]  # as actions/handoff.py offers it


def at(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CHINA).timestamp()


class Conversation:
    """The events of one conversation, in order, each a minute after the one before."""

    def __init__(self, sender: str, channel: str, day: int, hour: int):
        self.sender, self.channel, self.moment, self.events = sender, channel, at(day, hour), []

    def _next(self) -> float:
        self.moment += 60
        return self.moment

    def says(self, text: str, intent: str) -> "Conversation":
        from rasa.shared.core.events import UserUttered

        self.events.append(UserUttered(text, {"name": intent, "confidence": 0.9},
                                       input_channel=self.channel, timestamp=self._next()))
        return self

    def runs(self, action: str) -> "Conversation":
        from rasa.shared.core.events import ActionExecuted

        self.events.append(ActionExecuted(action, timestamp=self._next()))
        return self

    def replies(self, text: str, buttons=None, **metadata) -> "Conversation":
        from rasa.shared.core.events import BotUttered

        data = {"buttons": buttons} if buttons else {}
        self.events.append(BotUttered(text, data, metadata, timestamp=self._next()))
        return self

    def event(self, make) -> "Conversation":
        self.events.append(make(timestamp=self._next()))
        return self


def week():
    from rasa.shared.core.events import ActiveLoop, ConversationPaused, ConversationResumed

    return [
        # Mon 16th. s1: a button greeting (not a question), one answered question, thanks (not one)
        Conversation("s1", "socketio", 16, 9).says("/greet", "greet").replies("您好")
        .says("申请信息公开多久答复？", "faq").runs("action_answer_faq")
        .replies("……20个工作日……", faq_id="reply_deadline").says("谢谢", "thank").replies("不客气"),
        # s2: out of scope → out_of_scope
        Conversation("s2", "wechat", 16, 10).says("今天天气怎么样", "out_of_scope")
        .runs("action_out_of_scope").replies("抱歉，超出了我的服务范围。", out_of_scope=True),
        # Tue 17th. s3: answered, then the 没帮助 button → rejected
        Conversation("s3", "rest", 17, 9).says("收费吗", "faq").runs("action_answer_faq")
        .replies("原则上不收费……", faq_id="fee_principle")
        .says('/not_helpful{"faq_id":"fee_principle"}', "not_helpful").replies("抱歉没能帮到您"),
        # s4: answered, then the same question in other words: the pointer (repeat_of) → the first
        # answer rejected; the second question got an answer, the pointer → answered
        Conversation("s4", "socketio", 17, 10).says("多久答复", "faq").runs("action_answer_faq")
        .replies("……20个工作日……", faq_id="reply_deadline")
        .says("到底多长时间能答复", "faq").runs("action_answer_faq")
        .replies("刚才已经回答过……", repeat_of="reply_deadline", topic="reply_deadline"),
        # Wed 18th. s5: not understood → fallbacks; again, handed off in office hours → handed_off;
        # what the citizen types to the agent is not a question; after the hand-back, thanks
        Conversation("s5", "wechat", 18, 10).says("那个事情怎么弄", "nlu_fallback")
        .runs("action_handle_fallback").replies("请换个说法")
        .says("阿巴阿巴", "nlu_fallback").runs("action_handle_fallback").replies("正在为您转接")
        .event(ConversationPaused).says("人呢？我等着呢", "request_human")
        .event(ConversationResumed).says("谢谢", "thank").replies("不客气"),
        # s6: 「您是不是想问」 → unsure; the chosen button's answer does not change that
        Conversation("s6", "socketio", 18, 11).says("委托别人申请行不行", "faq")
        .runs("action_answer_faq").replies("您是不是想问：", unsure=True)
        .says('/faq{"faq_id":"who_can_apply"}', "faq").replies("……", faq_id="who_can_apply"),
        # Thu 19th evening. s7: asks for a person outside service hours → callback_offered; the
        # phone number typed into the callback form is not a question
        Conversation("s7", "rest", 19, 20).says("转人工", "request_human")
        .runs("action_request_handoff").replies("现在不是人工服务时间……", buttons=CALLBACK)
        .says("/leave_callback", "leave_callback").event(lambda **kw: ActiveLoop("callback_form", **kw))
        .says("13800000000", "inform_timeline").event(lambda **kw: ActiveLoop(None, **kw))
        .replies("已记下您的电话"),
        # s8: answered, then 「没用」 typed (not a question itself) → rejected
        Conversation("s8", "wechat", 19, 9).says("申请信息公开收费吗", "faq")
        .runs("action_answer_faq").replies("原则上不收费……", faq_id="fee_principle")
        .says("没用", "not_helpful").replies("抱歉没能帮到您"),
        # Fri 20th. s9: answered; a follow-up the fallback answered in the topic → answered twice
        Conversation("s9", "socketio", 20, 15).says("怎么申请政府信息公开", "faq")
        .runs("action_answer_faq").replies("……", faq_id="how_to_submit")
        .says("那要交什么材料", "nlu_fallback").runs("action_handle_fallback")
        .replies("……申请表……", topic="how_to_submit"),
        # Sun 22nd 23:30 Beijing time: inside; s11 on Mon 23rd 00:10: outside
        Conversation("s10", "rest", 22, 23).says("多久答复", "faq").runs("action_answer_faq")
        .replies("……", faq_id="reply_deadline"),
        Conversation("s11", "rest", 23, 0).says("今天天气怎么样", "out_of_scope")
        .replies("抱歉，超出了我的服务范围。", out_of_scope=True),
    ]


def save_week(path) -> str:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))

    async def save_all():
        for conversation in week():
            await store.save(DialogueStateTracker.from_events(conversation.sender, conversation.events))

    asyncio.run(save_all())
    return f"sqlite:///{path}"


def seed_ours(url) -> None:
    """s5's hand-off in office hours and s7's callback ticket, as the action server stores them."""
    engine = db.make_engine(url)
    with db.session_scope(db.make_session_factory(engine)) as session:
        created = dt.datetime.fromtimestamp(at(18, 10, 4), CHINA)
        session.add(Handoff(sender_id="s5", channel="wechat", agency_id="zibo_spj", reason="fallback",
                            status="closed", created_at=created, updated_at=created,
                            taken_at=created + dt.timedelta(minutes=2)))
        session.add(CallbackTicket(sender_id="s7", channel="rest", agency_id="zibo_spj",
                                   phone="13800000000", created_at=dt.datetime.fromtimestamp(
                                       at(19, 20, 7), CHINA)))
    engine.dispose()


@pytest.fixture
def report(database_url, tmp_path):
    tracker = save_week(tmp_path / "tracker.db")
    seed_ours(database_url)
    root = Root(database_url=database_url)
    try:
        return analytics.build(START, END, root.engine(), tracker=root.engine(tracker))
    finally:
        root.dispose()


def test_every_kind_of_failure_counts_as_unresolved(report):
    assert report.tracker_problem is None
    # questions: s1 1, s2 1, s3 1, s4 2, s5 2, s6 1, s7 1, s8 1, s9 2, s10 1 = 13
    assert report.questions == 13
    assert {outcome: report.total(outcome) for outcome in analytics.OUTCOMES} == {
        "handed_off": 1,        # s5's second not-understood message
        "callback_offered": 1,  # s7 in the evening
        "fallbacks": 1,         # s5's first (s9's was answered in the topic)
        "unsure": 1,            # s6
        "out_of_scope": 1,      # s2 (s11 is outside the week)
        "rejected": 3,          # s3 (没帮助 button), s4 (asked again), s8 (「没用」 typed)
    }
    assert (report.unresolved, report.unresolved_rate) == (8, 8 / 13)
    assert (report.handoffs, report.callbacks) == (1, 1)


def test_unresolved_per_day_and_channel(report):
    # Mon: s1 answered, s2 out of scope → 1/2; Tue: s3 rejected, s4 one of two → 2/3;
    # Wed: s5 both, s6 unsure → 3/3; Thu: s7, s8 → 2/2; Fri: s9 answered twice → 0/2;
    # Sat: no questions; Sun: s10 answered → 0/1
    assert report.unanswered_rates() == [1 / 2, 2 / 3, 1.0, 1.0, 0.0, None, 0.0]
    wechat = {(day.day, c.unresolved, c.questions) for (day, channel), c in report.daily.items()
              if channel == "wechat"}
    assert wechat == {(16, 1, 1), (18, 2, 2), (19, 1, 1)}
    rows = analytics.to_csv(report).lstrip("\ufeff").splitlines()
    header = rows[0].split(",")
    thursday_rest = dict(zip(header, next(r for r in rows if r.startswith("2026-11-19,rest")).split(",")))
    assert (thursday_rest["questions"], thursday_rest["callback_offered"], thursday_rest["unresolved"],
            thursday_rest["callbacks"]) == ("1", "1", "1", "1")


def test_odd_stored_rows_are_counted_not_fatal(database_url, tmp_path):
    """Rows no Rasa version writes (any client could once put anything there) are read as empty
    events: the page still shows the rest."""
    from sqlalchemy import insert

    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = db.make_engine(url)
    analytics.EVENTS.metadata.create_all(engine)
    moment = at(16, 10)
    rows = [("o1", "user", "faq", "not json"),
            ("o1", "bot", None, '{"event": "bot", "metadata": [1], "data": "x"}'),
            ("o2", "user", "faq", "[1, 2]"),
            ("o2", "bot", None, '{"event": "bot", "data": {"buttons": "/leave_callback"},'
                                ' "metadata": {"faq_id": 5}}'),
            ("o2", "active_loop", None, '"callback_form"')]
    with engine.begin() as connection:
        connection.execute(insert(analytics.EVENTS), [
            {"sender_id": sender, "type_name": kind, "timestamp": moment + n, "intent_name": intent,
             "action_name": None, "data": data} for n, (sender, kind, intent, data) in enumerate(rows)])
    engine.dispose()
    root = Root(database_url=database_url)
    report = analytics.build(START, END, root.engine(), tracker=root.engine(url))
    root.dispose()
    assert report.tracker_problem is None
    # two typed questions on an unknown channel, neither answered nor failed in any known way
    assert (report.conversations, report.questions, report.unresolved) == (2, 2, 0)
    assert report.channels == ["unknown"] and report.top_faqs == []
