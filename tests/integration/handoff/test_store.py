"""The hand-off store on migrated SQLite and PostgreSQL databases."""
import datetime as dt

import pytest

from bot.core import db
from bot.core.clock import CHINA
from bot.handoff.models import Handoff
from bot.handoff.state import Status, TransitionError
from bot.handoff.store import HandoffStore, NotFound

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CHINA)


@pytest.fixture
def store(database_url):
    return HandoffStore.from_url(database_url)


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


def test_open_is_idempotent_per_conversation(store):
    first, created = store.open("s1", "rest", "zibo_spj", "request", "我的电话13912345678，复议怎么申请", T0)
    again, created_again = store.open("s1", "rest", "zibo_spj", "request", "另一个问题", minutes(1))
    assert created and not created_again and again.id == first.id
    assert first.status is Status.WAITING
    assert first.first_question == "我的电话139****5678，复议怎么申请"  # stored masked


def test_the_queue_lists_waiting_first_then_taken_oldest_first(store):
    a, _ = store.open("a", "rest", "zibo_spj", "request", None, minutes(0))
    b, _ = store.open("b", "socketio", "zibo_spj", "dispute", None, minutes(1))
    c, _ = store.open("c", "rest", "zaozhuang_spj", "fallback", None, minutes(2))
    store.take(a.id, "li", minutes(3))
    assert [(r.sender_id, r.status) for r in store.queue()] == [
        ("b", Status.WAITING), ("c", Status.WAITING), ("a", Status.TAKEN)]


def test_take_reply_hand_back(store):
    record, _ = store.open("s1", "rest", "zibo_spj", "request", None, T0)
    before, after = store.take(record.id, "li", minutes(2))
    assert before.status is Status.WAITING and after.status is Status.TAKEN
    assert after.agent == "li" and after.taken_at == minutes(2)
    with pytest.raises(TransitionError):
        store.reply(record.id, "wang", minutes(3))
    store.reply(record.id, "li", minutes(3))
    _, back = store.hand_back(record.id, "li", minutes(5))
    assert back.status is Status.RETURNED and back.ended_at == minutes(5)
    assert store.open_for("s1") is None and store.queue() == []
    # the next request opens a new hand-off
    again, created = store.open("s1", "rest", "zibo_spj", "request", None, minutes(9))
    assert created and again.id != record.id


def test_close_keeps_the_note(store):
    record, _ = store.open("s1", "rest", "zibo_spj", "request", None, T0)
    _, closed = store.close(record.id, "li", "已电话解答", minutes(4))
    assert (closed.status, closed.agent, closed.note) == (Status.CLOSED, "li", "已电话解答")
    assert store.get(record.id).note == "已电话解答"
    with pytest.raises(TransitionError):
        store.take(record.id, "li", minutes(5))


def test_a_refused_transition_changes_nothing(store):
    record, _ = store.open("s1", "rest", "zibo_spj", "request", None, T0)
    with pytest.raises(TransitionError):
        store.close(record.id, "li", "", minutes(1))
    assert store.get(record.id).status is Status.WAITING


def test_unknown_hand_off(store):
    with pytest.raises(NotFound):
        store.take(999, "li", T0)
    assert store.get(999) is None


def test_one_open_hand_off_per_conversation_is_a_database_rule(store):
    store.open("s1", "rest", "zibo_spj", "request", None, T0)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session_scope(store._sessions) as session:
            session.add(Handoff(sender_id="s1", open_sender="s1", channel="rest", agency_id="zibo_spj",
                                reason="request", status="waiting", created_at=T0, updated_at=T0))


def test_callback_tickets(store):
    ticket = store.add_ticket("s9", None, "zibo_spj", "13912345678", "身份证110101199003071234的申请", T0)
    assert ticket.channel == "unknown" and ticket.phone == "13912345678"
    assert ticket.description == "身份证**************1234的申请"
    assert [t.id for t in store.open_tickets()] == [ticket.id]
    done = store.complete_ticket(ticket.id, "li", "已回电", minutes(30))
    assert (done.status, done.done_by, done.done_note) == ("done", "li", "已回电")
    again = store.complete_ticket(ticket.id, "wang", "重复", minutes(31))
    assert again.done_by == "li"  # the first completion stands
    assert store.open_tickets() == []


def test_timestamps_come_back_as_utc(store):
    record, _ = store.open("s1", "rest", "zibo_spj", "request", None, T0)
    assert store.get(record.id).created_at == T0
    assert store.get(record.id).created_at.utcoffset() == dt.timedelta(0)
