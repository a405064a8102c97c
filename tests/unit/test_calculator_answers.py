"""The calculators' answers as the citizen reads them (dates hand-checked in test_deadlines)."""
import pytest

from actions.calculators import due_date_answer, fee_answer

AGENCY = "淄博市行政审批服务局"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("GONGKAI_TODAY", "2026-11-23")


def test_in_person_submission_gets_the_due_date_and_extension_limit():
    answer = due_date_answer("我2026年2月5日当面交的申请，最晚哪天答复", AGENCY)
    assert "淄博市行政审批服务局依法应于2026年3月11日前（含当日）答复" in answer
    assert "2026年4月9日" in answer  # + 20 working days
    assert "第三十三条" in answer


def test_registered_mail_explains_that_the_signing_day_counts():
    answer = due_date_answer("挂号信3月2日寄出的，什么时候到期", AGENCY)
    assert "签收之日为收到申请之日" in answer
    assert "仅供参考" in answer and "2026年3月30日" in answer


def test_known_signing_day_is_taken_as_the_receipt_date():
    answer = due_date_answer("挂号信3月5日签收的，哪天到期", AGENCY)
    assert "2026年4月2日前（含当日）" in answer and "仅供参考" not in answer


def test_unknown_channel_is_stated_as_an_assumption():
    assert "您没有说明递交方式" in due_date_answer("2026年2月5日交的", AGENCY)


def test_year_without_holiday_data_says_it_cannot_compute_yet():
    assert "暂时无法计算" in due_date_answer("2026年12月20日当面交的", AGENCY)


def test_no_date_asks_for_one():
    assert "请告诉我递交申请的日期" in due_date_answer("最晚哪天答复", AGENCY)


@pytest.mark.parametrize("text, total", [("一个月申请35件要多少钱", "合计3000元"),
                                         ("材料120页收多少", "合计1100元"),
                                         ("一百二十页要多少钱", "合计1100元")])
def test_fee_is_computed_with_its_working(text, total):
    answer = fee_answer(text)
    assert total in answer and "109号" in answer and "尚未核实" in answer


def test_fee_without_a_quantity_asks_for_one():
    assert "请告诉我一个月内申请的件数" in fee_answer("要多少钱")
