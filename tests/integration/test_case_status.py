"""「我的申请到哪一步了」 through the real servers, on the demo cases (today pinned to 2026-11-23).
Demo phones end in the case's digit: 示例申请人甲 13800000001 … (data/demo/cases.json)."""
import json
import uuid

import pytest

from tests.conftest import DEMO_CASES
from tests.support import say, texts

pytestmark = pytest.mark.servers


def demo_code(number: str) -> str:
    cases = json.loads(DEMO_CASES.read_text(encoding="utf-8"))
    cases = cases["cases"] if isinstance(cases, dict) else cases
    phone = next(c["applicant_phone"] for c in cases if c["case_number"] == number)
    return phone[-4:]


def lookup(assistant, number: str, code: str, sender: str = "") -> str:
    sender = sender or f"case-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "我的申请到哪一步了")
    say(assistant.rasa_url, sender, number)
    return texts(say(assistant.rasa_url, sender, code))


def test_owner_learns_stage_and_due_date(assistant):
    reply = lookup(assistant, "ZBSP-2026-0101", demo_code("ZBSP-2026-0101"))
    assert "当前进度：已受理" in reply
    assert "依法应于2026年12月18日前答复" in reply  # received 2026-11-20 (Fri), hand-checked


def test_case_number_typed_loosely_is_normalised(assistant):
    reply = lookup(assistant, "ｚｂｓｐ ２０２６ ０１０１", demo_code("ZBSP-2026-0101"))
    assert "ZBSP-2026-0101" in reply and "已受理" in reply


def test_wrong_code_and_unknown_case_get_the_same_answer_revealing_nothing(assistant):
    wrong = lookup(assistant, "ZBSP-2026-0101", "9876")
    unknown = lookup(assistant, "ZBSP-2026-9999", "9876")
    assert "没有查到" in wrong
    assert wrong == unknown
    assert "已受理" not in wrong and "小区" not in wrong


def test_five_failures_lock_the_lookup_and_offer_a_human(assistant):
    sender = f"probe-{uuid.uuid4().hex[:8]}"
    for attempt in range(5):
        # demo phones end in 0001-0009: 98xx is never right
        assert "没有查到" in lookup(assistant, "ZBSP-2026-0101", f"98{attempt:02d}", sender)
    replies = say(assistant.rasa_url, sender, "我的申请到哪一步了")
    replies += say(assistant.rasa_url, sender, "ZBSP-2026-0101")
    replies += say(assistant.rasa_url, sender, demo_code("ZBSP-2026-0101"))  # even the right code
    reply = texts(replies)
    assert "暂停1小时" in reply and "已受理" not in reply
    assert any(b["payload"] == "/request_human" for r in replies for b in r.get("buttons") or [])


def test_overdue_case_tells_the_citizen_where_to_complain_and_seek_review(assistant):
    reply = lookup(assistant, "ZZSP-2026-0033", demo_code("ZZSP-2026-0033"))
    assert "依法应于2026年9月29日前答复" in reply and "已超过期限55天" in reply
    assert "枣庄市人民政府办公室" in reply and "行政复议" in reply and "60日" in reply


def test_extended_case_counts_forty_working_days(assistant):
    reply = lookup(assistant, "ZDZF-2026-0212", demo_code("ZDZF-2026-0212"))
    assert "已延期" in reply and "经延长再加20个工作日" in reply and "2026年12月9日" in reply


def test_correction_restarts_the_clock(assistant):
    reply = lookup(assistant, "ZBSP-2026-0103", demo_code("ZBSP-2026-0103"))
    assert "收到补正后的申请起算" in reply and "2026年11月30日" in reply


def test_citizen_can_cancel_the_lookup(assistant):
    sender = f"cancel-{uuid.uuid4().hex[:8]}"
    say(assistant.rasa_url, sender, "查一下我的申请进度")
    assert "已取消查询" in texts(say(assistant.rasa_url, sender, "算了"))
    assert "20个工作日" in texts(say(assistant.rasa_url, sender, "申请信息公开多久答复？"))
