"""The deadline calculator through the real Rasa and action servers (today pinned to 2026-11-23 by
the ``assistant`` fixture). Expected dates are counted by hand in tests/unit/test_timeline_cases.py
and in the comments here."""
import uuid

import pytest

from tests.support import say, texts

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"deadline-{uuid.uuid4().hex[:8]}"


def test_the_lawyers_message_gets_11_december_with_its_steps(assistant):
    reply = texts(say(assistant.rasa_url, sender(),
                      "当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
                      "11月12日补正寄回，11月14日签收，最晚哪天答复"))
    assert "答复期限：2026年12月11日" in reply
    assert "1. 2026年11月3日" in reply and "条例第三十条" in reply and "条例第三十一条" in reply


def test_history_over_several_turns_with_a_correction(assistant):
    who = sender()
    first = texts(say(assistant.rasa_url, who, "挂号信11月3日寄出的，最晚哪天答复"))
    # Estimated signing 11月6日 Fri: 11/9–13 (5), 11/16–20 (10), 11/23–27 (15), 11/30–12/4 (20) → 12月4日.
    assert "答复期限：2026年12月4日（估算）" in first
    assert "挂号信（EMS）是哪天签收的？" in first
    # Signed 11月5日 Thu: 11/6 (1), 11/9–13 (6), 11/16–20 (11), 11/23–27 (16), 11/30–12/3 (20) → 12月3日.
    second = texts(say(assistant.rasa_url, who, "11月5日签收的"))
    assert "答复期限：2026年12月3日" in second and "（估算）" not in second.split("\n")[1]
    # Signed 11月13日 Fri: 11/16–20 (5), 11/23–27 (10), 11/30–12/4 (15), 12/7–11 (20) → 12月11日.
    third = texts(say(assistant.rasa_url, who, "不对，是13号签收的"))
    assert "答复期限：2026年12月11日" in third


def test_a_received_reply_gives_remedy_dates_not_a_reply_deadline(assistant):
    # 8月2日 + 60 = 10月1日 (国庆, off to 10/7) → 10月8日; already past on 2026-11-23.
    reply = texts(say(assistant.rasa_url, sender(), "我8月2日收到了答复，说不予公开"))
    assert "申请行政复议：2026年10月8日（已经过了）" in reply
    assert "答复期限：" not in reply and "复议前置" in reply


def test_withheld_reply_of_2_march_when_to_whom_and_free(assistant):
    # 3月2日 + 60 = 5月1日 (劳动节, off to 5/5) → 5月6日.
    reply = texts(say(assistant.rasa_url, sender(), "我3月2日收到不予公开的答复"))
    assert "申请行政复议：2026年5月6日" in reply
    assert "向淄博市人民政府申请" in reply and "不收任何费用" in reply


def test_submission_in_unknown_year_range_gets_dates_not_a_refusal(assistant):
    # 11月20日 Fri → 12月18日 exact; the extension limit (2027年1月15日) is an estimate.
    reply = texts(say(assistant.rasa_url, sender(), "11月20号当面交的申请，最晚哪天答复"))
    assert "答复期限：2026年12月18日" in reply
    assert "2027年1月15日（估算）" in reply and "暂时无法计算" not in reply
