"""Annual-report answers against FACTS.md §6 (figures typed in by hand from the fact sheet)."""
import datetime as dt

import pytest

from bot import knowledge, reports

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


@pytest.mark.parametrize("question, agency, expected", [
    ("2023年市审批局收到多少件申请", "zibo_spj", "本年新收政府信息公开申请数量：7件"),
    ("2021年有几件不予公开", "zibo_spj", "不予公开：1件"),
    ("2021年被申请了几次行政复议", "zibo_spj", "行政复议——总计：1件"),
    ("2024年枣庄审批局不予公开了几件", "zaozhuang_spj", "不予公开：2件"),
    ("2024年接了多少次电话咨询", "zaozhuang_spj", "受理电话咨询：2420次"),
    ("张店区政府办2023年有多少件是本机关不掌握", "zhangdian_gov", "本机关不掌握相关政府信息：50件"),
    ("2023年收到多少申请", "zhangdian_gov", "本年新收政府信息公开申请数量：56件"),
])
def test_figure_is_the_reports_figure(kb, question, agency, expected):
    answer = reports.answer(kb, question, agency, TODAY)
    assert expected in answer and "来源：" in answer


def test_year_without_a_report_is_said_plainly(kb):
    answer = reports.answer(kb, "2024年收到多少申请", "zibo_spj", TODAY)
    assert "没有这一年的年度报告数字" in answer and "2023" in answer


def test_figure_missing_from_a_report_is_not_guessed(kb):
    answer = reports.answer(kb, "2022年不予公开几件", "zibo_spj", TODAY)
    assert "没有这一项的数字" in answer and "不予公开：" not in answer


def test_range_of_years_lists_each_year(kb):
    answer = reports.answer(kb, "2020年到2023年收到申请多少", "zibo_spj", TODAY)
    for year, count in ((2020, 3), (2021, 6), (2022, 8), (2023, 7)):
        assert f"{year}年：本年新收政府信息公开申请数量：{count}件" in answer


def test_no_year_means_the_latest_report(kb):
    assert "2023年：" in reports.answer(kb, "收到多少申请", "zibo_spj", TODAY)


def test_relative_year(kb):
    assert reports.asked_years("去年有多少", TODAY) == [2025]
