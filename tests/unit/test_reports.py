"""Annual-report answers against FACTS.md §6 (figures typed in by hand from the fact sheet)."""
import datetime as dt

import pytest

from bot.content import knowledge, reports
from bot.nlp.normalize import normalize_text

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



@pytest.mark.parametrize("text, years", [
    # worked out by hand with today = 2026-11-23
    ("21年收到几件", [2021]),
    ("23年度的数字", [2023]),
    ("二〇二二年", [2022]),
    ("前年", [2024]),
    ("大前年", [2023]),
    ("去年和前年", [2024, 2025]),
    ("21到23年每年多少", [2021, 2022, 2023]),
    ("2019-2021年", [2019, 2020, 2021]),
    ("20个工作日内答复", []),  # not a year
])
def test_years_in_every_form_citizens_write(text, years):
    assert reports.asked_years(text, TODAY) == years


def test_refusal_reasons_come_from_the_breakdown(kb):
    # S3 table: 无法提供 50 (本机关不掌握 50); 不予处理 2 (信访举报投诉类 2); 其他处理 3 (逾期不补正 1, 其他 2)
    answer = reports.answer(kb, "2023年没公开的都是什么原因", "zhangdian_gov", TODAY)
    assert "无法提供50件（本机关不掌握相关政府信息50件）" in answer
    assert "不予处理2件（信访举报投诉类申请2件）" in answer
    assert "申请人无正当理由逾期不补正1件" in answer


def test_refusal_reasons_for_a_year_without_its_table_say_so(kb):
    answer = reports.answer(kb, "2022年为什么不公开", "zibo_spj", TODAY)
    assert "无法提供4件" in answer and "缺失" in answer


def test_subjects_are_the_reports_text(kb):
    answer = reports.answer(kb, "2024年的申请主要涉及什么", "zaozhuang_spj", TODAY)
    assert "房屋征收、商品房预售、企业资质认定、政务服务管理" in answer


def test_subjects_not_in_the_report_are_not_guessed(kb):
    answer = reports.answer(kb, "2020年申请涉及哪方面", "zibo_spj", TODAY)
    assert "没有写明" in answer


@pytest.mark.parametrize("text", [
    "市审批局二一年被人申请过复议没",  # a year, a category (复议), asked whether it happened
    "枣庄那个局一年接多少咨询电话",  # a yearly figure, a category, a count
    "张店区政府办23年不予公开的有多少",
])
def test_a_year_and_a_category_asked_as_a_count_is_a_report_figure(kb, text):
    assert reports.asks_figure(kb, normalize_text(text), TODAY)  # as the action reads it (一年 → 1年)


@pytest.mark.parametrize("text", [
    "2021年的复议期限是多久",  # a year and 复议, but no count asked
    "去年我申请的信息不公开 有几个办法",  # the citizen's own application
    "复议要多少钱",  # no year
    "咨询电话是多少",  # the agency's phone, not the calls counted
    "起诉最长不超过1年 我还剩多少天",  # a period, not a year's figure
])
def test_the_citizens_own_matter_or_a_rule_is_no_report_figure(kb, text):
    assert not reports.asks_figure(kb, normalize_text(text), TODAY)


def test_every_figure_a_question_names_is_given(kb):
    # 张店区人民政府办公室 2023 in annual_reports.yml (from its report): 56 new requests, 50 not held;
    # 淄博市行政审批服务局 2021: 1 review, 2 direct lawsuits (FACTS.md §6.1)
    text = "张店区人民政府办公室2023年度共收到多少件申请？其中有多少件是因为本机关不掌握相关信息而无法提供的？"
    got = reports.answer(kb, text, "zhangdian_gov", TODAY)
    assert "本年新收政府信息公开申请数量：56件" in got and "本机关不掌握相关政府信息：50件" in got
    assert "无法提供：" not in got  # the part asked for, not also its whole
    got = reports.answer(kb, "市审批局2021年被申请行政复议、被提起行政诉讼的各有几件", "zibo_spj", TODAY)
    assert "行政复议——总计：1件" in got and "未经复议直接起诉——总计：2件" in got
    # a longer name is not also the shorter ones inside it
    assert reports.asked_categories(kb, "2021年复议后起诉几件") == ["litigation_after_review_total"]
