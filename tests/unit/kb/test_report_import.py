"""The annual-report import (bot.content.report_import) reads every seed report back to the figures
already in data/kb/annual_reports.yml — which were typed by hand from the same reports (FACTS.md §6),
not produced by this parser — and refuses, with the reason, what it cannot read for certain.

The fixtures in tests/fixtures/annual_reports/ are the seed documents as given (public documents):
zibo_spj_2023.txt (S0, text out of the PDF), zibo_spj_guide_and_reports_2019_2023.txt (S1: the
service guide and the 2019–2023 reports as listed on the agency's website), zaozhuang_spj_2024.txt
(S2, tab-separated tables), zhangdian_gov_2023.txt (S3, text out of the PDF with page numbers), and
zaozhuang_spj_2024.pdf, S2 printed to PDF by chromium (make_pdf.py says how)."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import knowledge
from bot.content import report_import as ri

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "annual_reports"
SEEDS = [
    ("zibo_spj_2023.txt", "zibo_spj", 2023),
    ("zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2019),
    ("zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2020),
    ("zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2021),
    ("zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2022),
    ("zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2023),
    ("zaozhuang_spj_2024.txt", "zaozhuang_spj", 2024),
    ("zhangdian_gov_2023.txt", "zhangdian_gov", 2023),
]


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


def names(kb):
    return {a: [r["name"], *r.get("aliases", [])] for a, r in kb.agencies.items()}


def seed(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parsed(kb, name, agency_id, year) -> ri.ParsedReport:
    text, _ = ri.report_of(seed(name), names(kb), agency_id, year)
    assert text is not None
    return ri.parse(text)


@pytest.mark.parametrize("name, agency_id, year", SEEDS)
def test_each_seed_report_reads_back_to_the_knowledge_bases_figures(kb, name, agency_id, year):
    known = next(r for r in kb.reports["reports"] if (r["agency"], r["year"]) == (agency_id, year))
    report = parsed(kb, name, agency_id, year)
    assert report.figures == known["figures"]
    assert report.fee == known.get("fee")
    assert report.subjects == known.get("subjects", [])


def test_the_sums_and_breakdowns_are_the_tables(kb):
    # S3 by hand: 无法提供 48+2 → 50 (one row), 其他处理 1 (逾期不补正) + 0 (缴费) + 2 (其他: 1 1 … 2) = 3,
    # 新收 51 3 0 0 0 2 56 → 自然人 51, 商业企业 3, 其他 2
    report = parsed(kb, "zhangdian_gov_2023.txt", "zhangdian_gov", 2023)
    assert report.figures["other_handling"] == 3 and report.figures["other_other"] == 2
    assert (report.figures["new_requests_natural_persons"], report.figures["new_requests_companies"],
            report.figures["new_requests_other_orgs"]) == (51, 3, 2)
    assert report.warnings == []  # the 「— 7 —」 page number inside the table is not a figure


def test_the_2019_template_and_its_licensing_row(kb):
    # S1 2020: 「(六)其他处理 0 0 0 0 0 0 0」 is one row; 行政许可 43 / +122(事项划转) / 8113 → 8113
    report = parsed(kb, "zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2020)
    assert report.figures["other_handling"] == 0 and report.figures["licensing_decisions"] == 8113


def test_a_misaligned_remedies_row_is_left_out_with_the_reason(kb):
    report = parsed(kb, "zaozhuang_spj_2024.txt", "zaozhuang_spj", 2024)
    assert not any(key.startswith(("review_", "litigation_")) for key in report.figures)
    assert any("11个数字（应为15个）" in w for w in report.warnings)


def test_figures_from_the_text_are_marked_as_such(kb):
    # S1 2022 has no application table; its text: 「共办理自然人提交的政府信息公开申请8件……
    # 其中予以公开3件,部分公开1件,无法提供4件」
    report = parsed(kb, "zibo_spj_guide_and_reports_2019_2023.txt", "zibo_spj", 2022)
    assert sorted(report.from_text) == sorted(["new_requests", "new_requests_natural_persons", "disclosed",
                                               "partially_disclosed", "unable_to_provide", "completed"])
    assert any("取自正文" in w for w in report.warnings)


def test_the_reports_of_a_page_are_found_by_their_titles_not_by_citations(kb):
    found = ri.find_reports(seed("zibo_spj_guide_and_reports_2019_2023.txt"), names(kb))
    # 《关于做好2021年政府信息公开工作年度报告编制和发布工作的通知》 in the 2021 report is not a title
    assert [(r.agency_id, r.year) for r in found] == [("zibo_spj", y) for y in (2023, 2022, 2021, 2020, 2019)]
    # 枣庄市行政审批服务局 is not 淄博's 「行政审批服务局」 alias
    assert [(r.agency_id, r.year) for r in ri.find_reports(seed("zaozhuang_spj_2024.txt"), names(kb))] == [
        ("zaozhuang_spj", 2024)]


def test_another_agencys_or_years_report_is_not_read_as_the_one_chosen(kb):
    text, found = ri.report_of(seed("zaozhuang_spj_2024.txt"), names(kb), "zibo_spj", 2024)
    assert text is None and [(r.agency_id, r.year) for r in found] == [("zaozhuang_spj", 2024)]
    text, _ = ri.report_of(seed("zhangdian_gov_2023.txt"), names(kb), "zhangdian_gov", 2024)
    assert text is None


def test_a_report_without_its_title_is_read_whole(kb):
    body = seed("zhangdian_gov_2023.txt").split("2023年政府信息公开工作年度报告", 1)[1]
    text, found = ri.report_of(body, names(kb), "zhangdian_gov", 2024)
    assert found == [] and ri.parse(text).figures["new_requests"] == 56


def test_a_row_with_a_missing_number_refuses_the_whole_table(kb):
    text = seed("zhangdian_gov_2023.txt").replace("（一）予以公开 3 0 0 0 0 1 4", "（一）予以公开 3 0 0 0 1 4")
    report = ri.parse(text)
    assert "new_requests" not in report.figures and "disclosed" not in report.figures
    assert any("有6个数字（应为7个）" in w for w in report.warnings)
    assert report.figures["litigation_direct_pending"] == 1  # the other table is still read


def test_a_row_out_of_the_templates_order_refuses_the_whole_table(kb):
    # 「不予处理」's rows numbered as if they were 不予公开's: the label no longer fits its number
    text = seed("zibo_spj_2023.txt").replace("2.重复申请", "2.保护第三方合法权益")
    report = ri.parse(text)
    assert "not_processed" not in report.figures
    assert any("对不上" in w for w in report.warnings)


def test_inconsistent_sums_are_kept_but_flagged(kb):
    # 总计 67 → 66: 56 + 12 ≠ 66 + 1, and 62+3+2 ≠ 66
    text = seed("zhangdian_gov_2023.txt").replace("（七）总计 62 3 0 0 0 2 67", "（七）总计 62 3 0 0 0 2 66")
    report = ri.parse(text)
    assert report.figures["completed"] == 66
    assert any("勾稽关系" in w for w in report.warnings) and any("不符" in w for w in report.warnings)


def test_full_width_digits_and_a_fee_charged():
    # a made-up sentence: 收取信息处理费 with an amount
    compact = "（一）信息处理费收费情况。2025年，共收取信息处理费120元。"
    assert ri.fee_of(compact) == "收取信息处理费120元"
    assert ri.normalize("行政许可 １２３") == "行政许可 123"


def test_subjects_come_from_the_applications_sentence_only():
    # 「咨询留言…主要涉及证件办理」 (S2) is about messages, not applications
    compact = ("接收咨询留言5条，主要涉及证件办理、档案查询等问题。"
               "共收到政府信息公开申请9件，申请内容涉及房屋征收、商品房预售等方面。")
    assert ri.subjects_of(compact) == ["房屋征收", "商品房预售"]


def test_the_validator_checks_the_reports_file(kb):
    import dataclasses

    from bot.content import reports

    assert reports.problems(kb) == []
    good = kb.reports["reports"][0]
    broken = [
        {**good, "figures": {"new_requests": -1, "made_up": 2}},
        {**good, "year": 2019},  # the same agency and year again
        {**good, "year": 2099, "source": "S9", "subjects": [""]},
    ]
    trial = dataclasses.replace(kb, reports={**kb.reports, "reports": [*kb.reports["reports"], *broken]})
    found = reports.problems(trial)
    assert "annual_reports.yml zibo_spj 2019: new_requests must be a whole number, not -1" in found
    assert "annual_reports.yml zibo_spj 2019: unknown category 'made_up'" in found
    assert "annual_reports.yml zibo_spj 2019: given twice" in found
    assert "annual_reports.yml zibo_spj 2099: unknown source 'S9'" in found
    assert "annual_reports.yml zibo_spj 2099: subjects must be a list of texts" in found
    assert set(found) == set(knowledge.validate(trial))  # part of the knowledge base's validator


def test_the_pdf_fixture_reads_like_its_text(kb):
    # zaozhuang_spj_2024.pdf: S2 printed by chromium with its tables as HTML tables (make_pdf.py)
    text = ri.pdf_text((FIXTURES / "zaozhuang_spj_2024.pdf").read_bytes())
    known = next(r for r in kb.reports["reports"] if (r["agency"], r["year"]) == ("zaozhuang_spj", 2024))
    report_text, _ = ri.report_of(text, names(kb), "zaozhuang_spj", 2024)
    report = ri.parse(report_text)
    assert (report.figures, report.fee, report.subjects) == (known["figures"], known["fee"], known["subjects"])
    with pytest.raises(ValueError, match="读不出这个 PDF 文件的文字"):
        ri.pdf_text(b"%PDF-1.7\nnot really")


TEMPLATE_WORDS = list("一二三四（）()、.1234567890 \n\t年报告新收结转总计予以公开其他处理行政复议五六七")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(TEMPLATE_WORDS), max_size=400))
def test_any_text_gets_a_reading_not_a_crash(text):
    report = ri.parse(text)
    assert all(isinstance(v, int) and v >= 0 for v in report.figures.values())


CATEGORIES = set(knowledge.load().reports["categories"])
ZHANGDIAN_TEXT = seed("zhangdian_gov_2023.txt")


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 19000), st.integers(0, 800))
def test_any_cut_of_a_real_report_gets_a_reading_not_a_crash(start, length):
    report = ri.parse(ZHANGDIAN_TEXT[start:start + length * 25])
    assert set(report.figures) <= CATEGORIES
