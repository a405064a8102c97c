"""The case store on SQLite and PostgreSQL: writes, derived stages, verification and lock-out."""
import hashlib
import hmac
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.cases import verification
from bot.cases.models import Case, LookupAttempt
from bot.cases.store import CaseNotFound, CaseStore, Change, Origin, VerifyStatus
from bot.cases.validation import CaseDataError
from bot.core import db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing

CASE = dict(
    agency_id="zibo_spj",
    applicant_name="示例申请人甲",
    applicant_phone="13800000001",
    channel="online",
    submitted_on=date(2026, 10, 19),
    received_on=date(2026, 10, 20),
    subject="（演示）某小区规划许可文件",
    query_code="4711 0815 2342",
)


@pytest.fixture
def one_case(store):
    assert store.upsert_case("ZBSP-2026-0001", **CASE) is Change.CREATED
    return "ZBSP-2026-0001"


# ---- writing and reading ------------------------------------------------------------------------


def test_upsert_creates_then_is_idempotent_then_updates(store, one_case):
    first = store.get(one_case)
    assert first.subject == "（演示）某小区规划许可文件"
    assert first.stage == "received"
    assert store.upsert_case(one_case, **CASE) is Change.UNCHANGED
    assert store.get(one_case).updated_at == first.updated_at
    assert store.upsert_case(one_case, **{**CASE, "subject": "（演示）另一事项"}) is Change.UPDATED
    second = store.get(one_case)
    assert second.subject == "（演示）另一事项"
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at


def test_get_reads_the_number_however_it_is_typed(store, one_case):
    assert store.get("zbsp 2026 0001").case_number == "ZBSP-2026-0001"
    assert store.get("ＺＢＳＰ－２０２６－０００１").case_number == "ZBSP-2026-0001"
    assert store.get("ZBSP-2026-0002") is None
    assert store.get("not a number") is None


def test_history_of_an_unknown_case(store):
    with pytest.raises(CaseNotFound):
        store.history("ZBSP-2026-0404")


def test_record_keeps_personal_data_out_of_repr(store, one_case):
    record = store.get(one_case)
    assert record.masked_phone == "138****0001"  # for agents
    assert record.has_query_code
    assert record.masked_name == "示****甲"
    assert "13800000001" not in repr(record)
    assert "示例申请人甲" not in repr(record)


def test_only_the_masked_phone_and_a_keyed_hash_of_the_code_are_stored(
        store, one_case, session_factory, test_key):
    # HMAC-SHA256(key, "query-code:" + the 12 digits), computed here independently
    expected = hmac.new(test_key, b"query-code:471108152342", hashlib.sha256).hexdigest()
    with db.session_scope(session_factory) as session:
        row = session.execute(select(Case)).scalar_one()
        columns = {c.name: getattr(row, c.name) for c in Case.__table__.columns}
    assert columns["query_code_hmac"] == expected
    assert columns["phone_masked"] == "138****0001"
    # HMAC-SHA256(key, "phone:" + the 11 digits), for the desk's search by phone
    assert columns["phone_hmac"] == hmac.new(test_key, b"phone:13800000001", hashlib.sha256).hexdigest()
    stored = " ".join(str(v) for v in columns.values())
    assert "13800000001" not in stored and "471108152342" not in stored


def test_cases_are_found_by_the_applicants_phone_however_it_is_typed(store, one_case):
    store.upsert_case("ZBSP-2026-0002", **{**CASE, "submitted_on": date(2026, 11, 2), "received_on": None,
                                           "applicant_phone": "+86 138 0000 0001"})
    store.upsert_case("ZBSP-2026-0003", **{**CASE, "applicant_phone": "0533-2306817"})
    # newest submission first: 0002 (11-02) before 0001 (10-19)
    assert [r.case_number for r in store.find_by_phone("13800000001")] == ["ZBSP-2026-0002", "ZBSP-2026-0001"]
    assert [r.case_number for r in store.find_by_phone("138-0000-0001")] == ["ZBSP-2026-0002", "ZBSP-2026-0001"]
    assert [r.case_number for r in store.find_by_phone("05332306817")] == ["ZBSP-2026-0003"]
    assert store.find_by_phone("13800000002") == []


STEPS = [
    # (kind, day, answer_type, stage after it) — checked by hand against bot/cases/stages.py
    ("correction_requested", date(2026, 10, 23), None, "correction_pending"),
    ("correction_received", date(2026, 11, 2), None, "corrected"),
    ("consultation_sent", date(2026, 11, 4), None, "consultation"),
    ("consultation_replied", date(2026, 11, 10), None, "corrected"),
    ("extension_approved", date(2026, 11, 12), None, "extended"),
    ("fee_notice_sent", date(2026, 11, 13), None, "fee_pending"),
    ("fee_paid", date(2026, 11, 16), None, "extended"),
    ("answered", date(2026, 11, 20), "partially_disclosed", "answered"),
]


def test_stage_follows_the_events(store, one_case):
    for kind, day, answer_type, stage in STEPS:
        assert store.add_event(one_case, kind, day, answer_type=answer_type) is Change.CREATED
        assert store.get(one_case).stage == stage, kind
    record = store.get(one_case)
    assert record.answer_type == "partially_disclosed"
    assert record.stage_label == "已答复"
    assert [e.kind for e in store.history(one_case)] == [step[0] for step in STEPS]


def test_add_event_is_idempotent_on_case_kind_and_day(store, one_case):
    day = date(2026, 10, 23)
    assert store.add_event(one_case, "correction_requested", day, note="请补充") is Change.CREATED
    before = store.get(one_case)
    assert store.add_event(one_case, "correction_requested", day, note="请补充") is Change.UNCHANGED
    after = store.get(one_case)
    assert len(after.events) == 1
    assert after.updated_at == before.updated_at
    assert store.add_event(one_case, "correction_requested", day, note="请补充身份证明") is Change.UPDATED
    (event,) = store.history(one_case)
    assert event.note == "请补充身份证明"
    assert event.recorded_at == before.events[0].recorded_at


def test_a_received_event_fixes_the_receipt_date(store):
    store.upsert_case("ZBSP-2026-0002", **{**CASE, "channel": "ordinary_mail", "received_on": None})
    assert store.get("ZBSP-2026-0002").stage == "submitted"
    assert store.get("ZBSP-2026-0002").stage_label == "已提交（待确认收到）"
    store.add_event("ZBSP-2026-0002", "received", date(2026, 10, 22))
    record = store.get("ZBSP-2026-0002")
    assert (record.stage, record.received_on) == ("received", date(2026, 10, 22))
    # re-sending the case without a receipt date keeps the one the event fixed
    assert store.upsert_case("ZBSP-2026-0002", **{**CASE, "channel": "ordinary_mail",
                                                   "received_on": None}) is Change.UNCHANGED
    assert store.get("ZBSP-2026-0002").received_on == date(2026, 10, 22)


@pytest.mark.parametrize(
    "kind, day, answer_type, message",
    [
        ("correction_requested", date(2026, 10, 19), None, "早于收到申请之日 2026-10-20"),
        ("correction_received", date(2026, 10, 23), None, "没有对应的 correction_requested"),
        ("received", date(2026, 10, 21), None, "与 received_on 2026-10-20 不一致"),
        ("answered", date(2026, 10, 23), None, "answered 事件必须填写 answer_type"),
        ("fee_paid", date(2026, 10, 23), "disclosed", "只有 answered 事件可以填写 answer_type"),
        ("visited", date(2026, 10, 23), None, "字段 kind 的值“visited”无效"),
    ],
)
def test_bad_events_are_refused_and_nothing_changes(store, one_case, kind, day, answer_type, message):
    before = store.get(one_case)
    with pytest.raises(CaseDataError, match=message):
        store.add_event(one_case, kind, day, answer_type=answer_type)
    assert store.get(one_case) == before


def test_a_second_answer_on_another_day_is_refused(store, one_case):
    store.add_event(one_case, "answered", date(2026, 11, 2), answer_type="disclosed")
    with pytest.raises(CaseDataError, match="只能有一条 answered 事件"):
        store.add_event(one_case, "answered", date(2026, 11, 3), answer_type="withheld")


def test_add_event_to_an_unknown_case(store):
    with pytest.raises(CaseNotFound):
        store.add_event("ZBSP-2026-0404", "received", date(2026, 11, 2))


def test_save_cases_is_all_or_nothing(store):
    from bot.cases.validation import CaseInput, EventInput

    good = CaseInput(case_number="ZBSP-2026-0011", **{**CASE, "received_on": date(2026, 10, 20)},
                     events=(EventInput("received", date(2026, 10, 20)),))
    bad = CaseInput(case_number="ZBSP-2026-0012", **CASE,
                    events=(EventInput("fee_paid", date(2026, 10, 21)),))
    with pytest.raises(CaseDataError, match="fee_paid 事件之前没有对应的 fee_notice_sent"):
        store.save_cases([good, bad])
    assert store.get("ZBSP-2026-0011") is None
    summary = store.save_cases([good], dry_run=True)
    assert summary.cases == {"ZBSP-2026-0011": Change.CREATED}
    assert store.get("ZBSP-2026-0011") is None


def test_future_dates_are_refused_when_today_is_given(store):
    from bot.cases.validation import CaseInput

    case = CaseInput(case_number="ZBSP-2026-0013", **{**CASE, "submitted_on": date(2026, 11, 24),
                                                      "received_on": None})
    with pytest.raises(CaseDataError, match="submitted_on 2026-11-24 晚于今天（2026-11-23）"):
        store.save_cases([case], today=date(2026, 11, 23))


# ---- verification ------------------------------------------------------------------------------

CODE = "471108152342"  # CASE's query code (12 digits, as printed: 4711 0815 2342)


@pytest.mark.parametrize("typed", [CODE, "4711 0815 2342", "４７１１－０８１５－２３４２",
                                   "查询码是 4711-0815-2342", " 471108152342 "])
def test_verify_ok(store, one_case, typed):
    result = store.verify("zbsp-2026-0001", "wx:alice", typed, now=T0)
    assert result.status is VerifyStatus.OK
    assert result.ok
    assert result.case.case_number == "ZBSP-2026-0001"
    assert result.case.stage == "received"
    assert result.attempts_left == 5


@pytest.mark.parametrize("typed", ["471108152343", "0001", "4711 0815 234", "", "abcd",
                                   "4711 0815 2342 1"])
def test_verify_wrong_code(store, one_case, typed):
    result = store.verify(one_case, "wx:alice", typed, now=T0)
    assert result.status is VerifyStatus.WRONG
    assert result.case is None
    assert result.attempts_left == 4


def test_a_case_without_a_query_code_cannot_be_looked_up(store):
    store.upsert_case("ZBSP-2026-0002", **{k: v for k, v in CASE.items() if k != "query_code"})
    assert store.get("ZBSP-2026-0002").has_query_code is False
    assert store.verify("ZBSP-2026-0002", "wx:a", CODE, now=T0).status is VerifyStatus.WRONG


def test_unknown_case_looks_exactly_like_a_wrong_code(store, one_case, monkeypatch):
    calls = {"hmac": 0, "compare": 0}
    real_new, real_compare = verification.hmac.new, verification.hmac.compare_digest

    def counting_new(*args, **kwargs):
        calls["hmac"] += 1
        return real_new(*args, **kwargs)

    def counting_compare(a, b):
        calls["compare"] += 1
        return real_compare(a, b)

    monkeypatch.setattr(verification.hmac, "new", counting_new)
    monkeypatch.setattr(verification.hmac, "compare_digest", counting_compare)
    wrong = store.verify(one_case, "wx:a", "999999999999", now=T0)
    work_for_wrong = dict(calls)
    unknown = store.verify("ZBSP-2026-0404", "wx:b", CODE, now=T0)
    malformed = store.verify("hello", "wx:c", CODE, now=T0)
    assert wrong == unknown == malformed
    assert work_for_wrong == {"hmac": 1, "compare": 1}
    assert calls == {"hmac": 3, "compare": 3}


def _fail(store, number, origin, minutes):
    return store.verify(number, origin, "999999999999", now=T0 + timedelta(minutes=minutes))


def test_five_failures_on_one_case_lock_it_for_every_sender_for_a_day(store, one_case):
    lefts = [_fail(store, one_case, f"rest:rotating-{i}", i).attempts_left for i in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    # a sixth sender, even with the right code: the case's online look-up is locked
    sixth = store.verify(one_case, "wx:owner", CODE, now=T0 + timedelta(minutes=5))
    assert (sixth.status, sixth.locked_scope, sixth.case) == (VerifyStatus.LOCKED, "case", None)
    assert sixth.locked_until == T0 + timedelta(hours=24)  # the first failure + 24 h
    assert store.locked_until(case_number=one_case, now=T0 + timedelta(hours=23)) \
        == T0 + timedelta(hours=24)
    # the lock was recorded once, for the desk
    (lock,) = store.locks(since=T0)
    assert (lock["scope"], lock["subject"], lock["locked_until"]) == (
        "case", "ZBSP-2026-0001", T0 + timedelta(hours=24))
    # other cases are not affected
    assert store.verify("ZBSP-2026-0002", "wx:owner", CODE, now=T0 + timedelta(minutes=6)).status \
        is VerifyStatus.WRONG
    # a day after the first failure it has left the window: the owner gets in
    assert store.verify(one_case, "wx:owner", CODE, now=T0 + timedelta(hours=24)).ok


def test_a_number_of_no_case_locks_the_same_way(store, one_case):
    # no existence leak: the sequence of answers is the same for a real and an unknown number
    real = [_fail(store, one_case, f"a{i}", i) for i in range(6)]
    unknown = [_fail(store, "ZBSP-2026-0404", f"b{i}", i) for i in range(6)]
    assert real == unknown
    assert [r.status for r in real] == [VerifyStatus.WRONG] * 5 + [VerifyStatus.LOCKED]


def test_five_failures_in_an_hour_lock_the_sender(store, one_case):
    lefts = [_fail(store, f"ZBSP-2026-{100 + i:04d}", "wx:mallory", i).attempts_left
             for i in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    sixth = store.verify(one_case, "wx:mallory", CODE, now=T0 + timedelta(minutes=5))
    assert (sixth.status, sixth.locked_scope) == (VerifyStatus.LOCKED, "sender")
    assert sixth.locked_until == T0 + timedelta(hours=1)
    assert store.is_locked("wx:mallory", T0 + timedelta(minutes=59, seconds=59))
    # another sender is not affected
    assert store.verify(one_case, "wx:alice", CODE, now=T0 + timedelta(minutes=6)).ok
    # an hour after the first failure it has left the window: four remain, the lock is gone
    assert not store.is_locked("wx:mallory", T0 + timedelta(hours=1))
    late = store.verify(one_case, "wx:mallory", CODE, now=T0 + timedelta(hours=1))
    assert late.status is VerifyStatus.OK
    assert late.attempts_left == 1


def test_rotating_senders_on_one_connection_are_locked_per_connection(store, one_case):
    for i in range(5):
        origin = Origin(f"session-{i}", "socketio", connection="sid-1", address="10.0.0.9")
        assert _fail(store, f"ZBSP-2026-{100 + i:04d}", origin, i).status is VerifyStatus.WRONG
    locked = store.verify(one_case, Origin("session-new", "socketio", "sid-1", "10.0.0.9"), CODE,
                          now=T0 + timedelta(minutes=5))
    assert (locked.status, locked.locked_scope) == (VerifyStatus.LOCKED, "connection")
    # another connection from the same address still may (address limit: 20)
    fresh = Origin("session-other", "socketio", "sid-2", "10.0.0.9")
    assert store.verify(one_case, fresh, CODE, now=T0 + timedelta(minutes=6)).ok


def test_rotating_senders_and_connections_from_one_address_are_locked_per_address(store, one_case):
    for i in range(20):
        origin = Origin(f"s{i}", "rest", connection="", address="198.51.100.7")
        assert _fail(store, f"ZBSP-2026-{100 + i:04d}", origin, i).status is VerifyStatus.WRONG
    locked = store.verify(one_case, Origin("s-new", "rest", "", "198.51.100.7"), CODE,
                          now=T0 + timedelta(minutes=20))
    assert (locked.status, locked.locked_scope) == (VerifyStatus.LOCKED, "address")
    # WeChat's address is Tencent's, shared by everyone: never counted
    for i in range(20):
        origin = Origin(f"wx{i}", "wechat", connection=f"openid-{i}", address="198.51.100.8")
        _fail(store, f"ZBSP-2026-{200 + i:04d}", origin, i)
    wechat = Origin("wx-new", "wechat", connection="openid-new", address="198.51.100.8")
    assert store.verify(one_case, wechat, CODE, now=T0 + timedelta(minutes=21)).ok


def test_origin_is_read_defensively_from_the_message_metadata():
    assert Origin.from_metadata("s", None) == Origin("s")
    assert Origin.from_metadata("s", {"gongkai_origin": "rest"}) == Origin("s")
    assert Origin.from_metadata("s", {"gongkai_origin": {"channel": 3, "address": ["x"]}}) \
        == Origin("s")
    given = {"gongkai_origin": {"channel": "socketio", "address": "10.0.0.1", "connection": "abc"}}
    assert Origin.from_metadata("s", given) == Origin("s", "socketio", "abc", "10.0.0.1")


def test_parallel_guesses_cannot_slip_past_the_case_limit(database_url, one_case, test_key):
    # 30 senders guessing at once through their own stores (engines): what several action
    # servers under a rotating-sender attack do. At most 5 guesses may be checked.
    from concurrent.futures import ThreadPoolExecutor

    stores = [CaseStore.from_url(database_url, key=test_key) for _ in range(6)]
    guesses = [(stores[i % 6], f"attacker-{i}", f"{i:012d}") for i in range(30)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda g: g[0].verify(one_case, g[1], g[2]), guesses))
    checked = [r for r in results if r.status is not VerifyStatus.LOCKED]
    assert len(checked) == 5


def test_attempts_while_locked_do_not_extend_the_lock(store, one_case):
    for i in range(5):
        _fail(store, one_case, "wx:m", i)
    for i in range(10):
        assert _fail(store, one_case, "wx:m", 10 + i).status is VerifyStatus.LOCKED
    assert store.locked_until(sender_id="wx:m", now=T0 + timedelta(minutes=30)) \
        == T0 + timedelta(hours=1)
    assert store.locked_until(case_number=one_case, now=T0 + timedelta(minutes=30)) \
        == T0 + timedelta(hours=24)
    assert len(store.locks(since=T0)) == 2  # the case's and the sender's, once each


def test_a_success_does_not_reset_the_count(store, one_case):
    for i in range(4):
        _fail(store, f"ZBSP-2026-{100 + i:04d}", "wx:m", i)
    assert store.verify(one_case, "wx:m", CODE, now=T0 + timedelta(minutes=4)).ok
    fifth = _fail(store, "ZBSP-2026-0200", "wx:m", 5)
    assert (fifth.status, fifth.attempts_left) == (VerifyStatus.WRONG, 0)
    assert store.is_locked("wx:m", T0 + timedelta(minutes=6))


def test_two_server_processes_share_the_lock(database_url, one_case, test_key):
    # two stores with their own engines: what two server instances would have
    other = CaseStore.from_url(database_url, key=test_key)
    mine = CaseStore.from_url(database_url, key=test_key)
    for i in range(3):
        _fail(mine, one_case, f"m{i}", i)
    for i in range(3, 5):
        _fail(other, one_case, f"m{i}", i)
    assert mine.locked_until(case_number=one_case, now=T0 + timedelta(minutes=5))
    assert other.verify(one_case, "wx:owner", CODE, now=T0 + timedelta(minutes=5)).status \
        is VerifyStatus.LOCKED


def test_another_key_does_not_verify(database_url, one_case):
    stranger = CaseStore.from_url(database_url, key=b"some other key")
    assert stranger.verify(one_case, "wx:a", CODE, now=T0).status is VerifyStatus.WRONG


def test_purge_old_attempts(store, one_case, session_factory):
    _fail(store, one_case, "wx:a", 0)
    _fail(store, one_case, "wx:a", 120)
    assert store.purge_attempts(T0 + timedelta(hours=1)) == 1
    with db.session_scope(session_factory) as session:
        (left,) = session.execute(select(LookupAttempt.at)).scalars().all()
    assert left == T0 + timedelta(hours=2)


def test_retention_keeps_attempts_30_days_and_lock_records_180(store, one_case, session_factory):
    for i in range(5):
        _fail(store, one_case, f"s{i}", i)  # the fifth starts a lock: one lock record
    # 30 days (ATTEMPTS_KEPT) after the last attempt, all but nothing is due yet; a minute later
    # the attempts are; the lock record stays until 180 days (LOCKS_KEPT)
    assert store.purge(now=T0 + timedelta(days=30)) == {"lookup_attempts": 0, "lookup_locks": 0}
    assert store.purge(now=T0 + timedelta(days=30, minutes=5)) == {
        "lookup_attempts": 5, "lookup_locks": 0}
    assert store.purge(now=T0 + timedelta(days=180, minutes=5)) == {
        "lookup_attempts": 0, "lookup_locks": 1}
