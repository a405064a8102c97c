"""A deadline FAQ answered for a question that carries the citizen's own date also computes that
date (the worked example under the rule). The calculator takes the agency's id and returns the
answer with the facts to keep; the FAQ action once passed the agency's name and the pair, which
raised on every such question (found by the conversation evaluation after the merge)."""
import datetime as dt

import pytest

from actions import faq
from bot.core import clock


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 23))


def test_a_deadline_faq_with_a_date_carries_the_computed_due_date():
    # handed in on 10月26日 (Mon), the day itself not counted: 10/27–30 → 4, 11/2–6 → 9,
    # 11/9–13 → 14, 11/16–20 → 19, 11/23 → 20 → 2026年11月23日
    faq_id = sorted(faq.DEADLINE_FAQS)[0]
    example = faq.worked_example(faq_id, "我10月26日交的申请，多久答复", "zibo_spj")
    assert isinstance(example, str)
    assert "2026年11月23日" in example


def test_a_fee_faq_with_a_quantity_carries_the_computed_fee():
    example = faq.worked_example(sorted(faq.FEE_FAQS)[0], "一个月申请35件要多少钱", "zibo_spj")
    assert isinstance(example, str) and "35件" in example


def test_a_remedy_question_with_its_date_gets_the_last_day():
    # review decision received 2026-11-18; 15 days from the next day (行诉法第四十五条) → 12月3日,
    # a Thursday (counted by hand: 19 + 14 = 3 December)
    text = "复议决定维持原答复，复议决定书是2026年11月18日收到的。最晚应当在哪一天之前起诉？"
    example = faq.worked_example("litigation_after_review", text, "zibo_spj")
    assert example is not None and "2026年12月3日" in example
    # without a question of when, the rule alone
    assert faq.worked_example("litigation_after_review", "复议决定书2026年11月18日收到的，能起诉吗",
                              "zibo_spj") is None


def test_the_fee_payment_rule_with_the_notices_date_gets_the_last_day_to_pay():
    # notice received Thu 19 Nov; the next day is 1: 20 Nov (1), 23–27 (6), 30 Nov–4 Dec (11),
    # 7–11 Dec (16), 14–17 Dec (20) → Thu 17 Dec
    example = faq.worked_example("fee_payment", "若委托人于11月19日收到收费通知，缴费期限截至何日？", "zibo_spj")
    assert example is not None and "缴纳信息处理费的最后一天：2026年12月17日" in example


def test_bare_days_with_what_happened_on_them_are_a_worked_example():
    # e-mailed on the 6th, the agency confirmed Mon 9 Nov: 10–13 (4), 16–20 (9), 23–27 (14),
    # 30 Nov–4 Dec (19), Mon 7 Dec (20)
    example = faq.worked_example("receipt_date", "我6号礼拜五晚上发的 他们9号礼拜一回邮件说收到了 最晚哪天",
                                 "zibo_spj")
    assert example is not None and "答复期限：2026年12月7日" in example
