"""The analytics numbers on a seeded week, on SQLite and on PostgreSQL: tracker events (built with
Rasa's own event classes, stored the way its SQL tracker store stores them), hand-offs and
feedback; exact figures, including the Beijing-time day boundaries."""
import datetime as dt
import json

from sqlalchemy import insert

from bot.core import db
from bot.core.bootstrap import Root
from bot.core.clock import CHINA
from bot.feedback import analytics
from bot.feedback.store import FeedbackStore
from bot.handoff.models import Handoff
from tests.handoff.databases import database_url  # noqa: F401 (fixture)

START, END = dt.date(2026, 11, 16), dt.date(2026, 11, 22)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CHINA)


def user(sender, moment, text, intent, channel):
    from rasa.shared.core.events import UserUttered

    event = UserUttered(text, {"name": intent, "confidence": 0.9}, input_channel=channel,
                        timestamp=moment.timestamp())
    return (sender, "user", moment.timestamp(), intent, None, json.dumps(event.as_dict()))


def bot(sender, moment, text, faq_id=None, **metadata):
    from rasa.shared.core.events import BotUttered

    if faq_id:
        metadata["faq_id"] = faq_id
    event = BotUttered(text, metadata=metadata, timestamp=moment.timestamp())
    return (sender, "bot", moment.timestamp(), None, None, json.dumps(event.as_dict()))


def action(sender, moment, name):
    from rasa.shared.core.events import ActionExecuted

    event = ActionExecuted(name, timestamp=moment.timestamp())
    return (sender, "action", moment.timestamp(), None, name, json.dumps(event.as_dict()))


def seed_tracker(url):
    rows = [
        # Mon 16th: a on REST (an answer and a 有帮助 button), b on the widget (one fallback)
        user("a", at(16, 9), "申请信息公开多久答复？", "faq", "rest"),
        bot("a", at(16, 9), "……20个工作日……", "reply_deadline"),
        user("a", at(16, 9, 1), '/helpful{"faq_id":"reply_deadline"}', "helpful", "rest"),
        user("b", at(16, 14), "那个事情怎么弄", "nlu_fallback", "socketio"),
        action("b", at(16, 14), "action_handle_fallback"),
        user("b", at(16, 14, 1), "收费吗", "faq", "socketio"),
        bot("b", at(16, 14, 1), "原则上不收费……", "fee_principle"),
        # Tue 17th: c on WeChat (a fallback, then a person), a again
        user("c", at(17, 9, 59), "阿巴阿巴", "nlu_fallback", "wechat"),
        action("c", at(17, 9, 59), "action_handle_fallback"),
        user("c", at(17, 10), "转人工", "request_human", "wechat"),
        user("c", at(17, 10, 30), "今天天气怎么样", "out_of_scope", "wechat"),
        bot("c", at(17, 10, 30), "抱歉，这个问题超出了我的服务范围。", out_of_scope=True),
        user("a", at(17, 11), "收费吗", "faq", "rest"),
        bot("a", at(17, 11), "原则上不收费……", "fee_principle"),
        user("a", at(17, 11, 5), "那个要钱的事", "faq", "rest"),
        bot("a", at(17, 11, 5), "您是不是想问：", unsure=True),
        # just outside the range, in Beijing time
        user("e", at(15, 23, 59), "申请信息公开多久答复？", "faq", "rest"),
        bot("e", at(15, 23, 59), "……", "reply_deadline"),
        user("d", at(23, 0, 30), "收费吗", "faq", "wechat"),
    ]
    engine = db.make_engine(url)
    analytics.EVENTS.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(analytics.EVENTS), [dict(zip(
            ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"), r)) for r in rows])
    engine.dispose()


def seed_ours(url):
    engine = db.make_engine(url)
    with db.session_scope(db.make_session_factory(engine)) as session:
        def handoff(sender, channel, created, taken=None):
            session.add(Handoff(sender_id=sender, channel=channel, agency_id="zibo_spj", reason="request",
                                status="taken" if taken else "waiting", created_at=created,
                                taken_at=taken, updated_at=created))
        handoff("b", "socketio", at(16, 14, 2), at(16, 14, 3))          # waited 60 s
        handoff("c", "wechat", at(17, 10), at(17, 10, 3))               # waited 180 s
        handoff("a", "rest", at(18, 9))                                 # never taken
        handoff("d", "wechat", at(23, 1), at(23, 1, 30))                # outside
    engine.dispose()
    store = FeedbackStore.from_url(url)
    store.add_answer_feedback("a", "rest", "zibo_spj", "reply_deadline", "申请信息公开多久答复？", True, at(16, 9, 1))
    store.add_answer_feedback("b", "socketio", "zibo_spj", "fee_principle", "收费吗", False, at(17, 8))
    store.add_answer_feedback("c", "wechat", "zibo_spj", "fee_principle", "收费吗", False, at(17, 12))
    store.add_answer_feedback("d", "wechat", "zibo_spj", "fee_principle", "收费吗", True, at(23, 2))
    for handoff_id, rating in ((1, 5), (2, 4), (None, 1)):
        assert store.add_rating("x", "rest", "zibo_spj", handoff_id, rating, at(17, 15))
    assert not store.add_rating("x", "rest", "zibo_spj", 1, 2, at(17, 16))  # one per hand-off


def test_the_numbers_of_a_seeded_week(database_url):  # noqa: F811
    seed_tracker(database_url)
    seed_ours(database_url)
    root = Root(database_url=database_url)
    report = analytics.build(START, END, root.engine(), tracker=root.engine(database_url))
    assert root.engine_count == 1  # the same database: the same engine
    root.dispose()

    assert report.tracker_problem is None
    assert report.conversations == 3  # a, b, c (d and e fall outside)
    # c's 「今天天气怎么样」 is the ninth turn and eighth typed question, and the one out-of-scope reply
    assert (report.turns, report.questions, report.fallbacks, report.unsure) == (9, 8, 2, 1)
    assert report.out_of_scope == 1
    assert (report.fallback_rate, report.unsure_rate) == (2 / 8, 1 / 8)
    assert report.top_faqs == [("fee_principle", 2), ("reply_deadline", 1)]
    assert (report.handoffs, report.handoff_rate) == (3, 1.0)
    assert sorted(report.waits) == [60.0, 180.0] and report.median_wait == 120.0
    assert (report.helpful, report.not_helpful, report.helpful_rate) == (1, 2, 1 / 3)
    assert report.ratings == {5: 1, 4: 1, 1: 1} and report.satisfied_rate == 2 / 3

    assert report.channels == ["rest", "socketio", "wechat"]
    assert report.series("conversations") == {"rest": [1, 1, 0, 0, 0, 0, 0],
                                              "socketio": [1, 0, 0, 0, 0, 0, 0],
                                              "wechat": [0, 1, 0, 0, 0, 0, 0]}
    assert report.series("turns")["rest"] == [2, 2, 0, 0, 0, 0, 0]
    # the 17th: five typed questions (c three, a two), one fallback and one 「您是不是想问」
    assert report.daily_rate("fallbacks", "questions")[:3] == [1 / 3, 1 / 5, None]
    assert report.unanswered_rates()[:3] == [1 / 3, 2 / 5, None]

    lines = analytics.to_csv(report).lstrip("\ufeff").splitlines()
    assert lines == [
        "date,channel,conversations,turns,questions,fallbacks,unsure,faq_answers,handoffs,helpful,not_helpful,out_of_scope",
        "2026-11-16,rest,1,2,1,0,0,1,0,1,0,0",
        "2026-11-16,socketio,1,2,2,1,0,1,1,0,0,0",
        "2026-11-17,rest,1,2,2,0,1,1,0,0,0,0",
        "2026-11-17,socketio,0,0,0,0,0,0,0,0,1,0",
        "2026-11-17,wechat,1,3,3,1,0,0,1,0,1,1",
        "2026-11-18,rest,0,0,0,0,0,0,1,0,0,0",
    ]


def test_a_missing_tracker_store_is_reported_not_raised(database_url, tmp_path):  # noqa: F811
    root = Root(database_url=database_url)
    report = analytics.build(START, END, root.engine(), tracker=root.engine(f"sqlite:///{tmp_path / 'none.db'}"))
    root.dispose()
    assert report.tracker_problem and report.conversations == 0


def test_tracker_url_comes_from_the_environment_or_endpoints(tmp_path):
    assert analytics.tracker_url("postgresql://x@h/db") == "postgresql://x@h/db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.example\n"
                         "  port: 5432\n  db: rasa\n  username: rasa\n  password: secret\n")
    assert analytics.tracker_url("", endpoints) == "postgresql://rasa:secret@db.example:5432/rasa"
