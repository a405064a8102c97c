"""The knowledge-base validator passes on the real KB and catches planted problems.

Each planted problem is made in a temporary copy of data/kb, so the real files are never touched.
"""
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import knowledge

# Every FAQ id of the question catalogue (/work/briefs/catalogue.md), copied by hand.
CATALOGUE = {
    "who_can_apply", "which_agency", "how_to_submit", "phone_application", "application_form",
    "application_contents", "receipt_date", "reply_deadline", "extension", "correction_request",
    "third_party_consultation", "excessive_requests", "answer_types", "info_not_exist",
    "not_our_agency", "repeat_application", "publications", "partial_disclosure", "exempt_info",
    "no_processing", "petition_via_disclosure", "fee_principle", "fee_per_item", "fee_per_page",
    "fee_payment", "fee_practice", "complaint", "review", "review_mandatory", "litigation",
    "litigation_after_review", "record_correction", "proactive_disclosure", "reading_room",
    "website_wechat", "hotline_2512345", "office_hours", "contact_info", "annual_report_timing",
    # added from the audit of the regulation, article by article (docs/coverage.md)
    "on_request_vs_proactive", "third_party_privacy", "process_info", "provision_form",
    "accessibility_help", "remedies",
}
MIN_EXAMPLES_CONTENT = 22  # the content brief asks for more than the validator's floor


def test_real_knowledge_base_is_sound():
    assert knowledge.validate(knowledge.load()) == []


def test_every_catalogue_faq_is_present_and_nothing_else():
    assert set(knowledge.load().faqs) == CATALOGUE


def test_every_faq_has_enough_examples_for_training():
    short = {f.id: len(f.examples) for f in knowledge.load().faqs.values()
             if len(f.examples) < MIN_EXAMPLES_CONTENT}
    assert short == {}


def test_aliases_route_to_the_right_agency():
    kb = knowledge.load()
    assert kb.find_agency("枣庄审批局的电话多少") == "zaozhuang_spj"
    assert kb.find_agency("枣庄市审批局怎么申请") == "zaozhuang_spj"
    assert kb.find_agency("张店区政府办几点上班") == "zhangdian_gov"
    assert kb.find_agency("区政府办公室在哪") == "zhangdian_gov"
    assert kb.find_agency("市审批局收费吗") == "zibo_spj"
    assert kb.find_agency("淄博审批局地址") == "zibo_spj"
    assert kb.find_agency("今天天气怎么样") is None


@pytest.mark.parametrize("text, agency", [
    # the short forms citizens use (issue 14), typed by hand
    ("那枣庄的呢", "zaozhuang_spj"),
    ("枣庄市里那个局", "zaozhuang_spj"),
    ("张店那边去年收了多少申请", "zhangdian_gov"),
    ("区里的呢", "zhangdian_gov"),
    ("区政府办电话", "zhangdian_gov"),
    ("市里那个局", "zibo_spj"),
    ("市审批局", "zibo_spj"),
    ("淄博的呢", "zibo_spj"),
    # bodies whose names contain a short name but are not that agency
    ("张店区人民法院在哪", None),
    ("淄博市人民政府办公室的电话", None),
    ("枣庄市人民政府管复议吗", None),
])
def test_short_names_route_to_the_right_agency(text, agency):
    assert knowledge.load().find_agency(text) == agency


def test_an_other_body_that_is_also_an_alias_is_caught(kb_copy):
    path = kb_copy / "agencies.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["other_bodies"].append("张店")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert any("张店" in p and "other_bodies" in p for p in knowledge.validate(knowledge.load(kb_copy)))


def test_an_info_subject_with_an_unknown_agency_or_source_is_caught(kb_copy):
    path = kb_copy / "info_subjects.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["subjects"][0]["held_by"] = ["nowhere_gov"]
    data["subjects"][1]["sources"] = [{"ref": "无此来源"}]
    data["subjects"][2]["keywords"].append(data["subjects"][3]["keywords"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("nowhere_gov" in p for p in problems)
    assert any("无此来源" in p for p in problems)
    assert any("keyword" in p and "also under" in p for p in problems)


# ---- planted problems, each in a temporary copy of the knowledge base ----

@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(knowledge.KB_DIR, target)
    return target


def _edit_faq(kb_dir: Path, topic: str, faq_id: str, change) -> None:
    path = kb_dir / "faq" / f"{topic}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(f for f in data["faqs"] if f["id"] == faq_id)
    change(entry)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_validator_catches_a_missing_source(kb_copy):
    _edit_faq(kb_copy, "deadlines", "reply_deadline", lambda f: f.pop("sources"))
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("reply_deadline: has no source" in p for p in problems)


def test_validator_catches_an_unknown_source(kb_copy):
    _edit_faq(kb_copy, "deadlines", "extension",
              lambda f: f.update(sources=[{"ref": "不存在的法规", "article": "第一条"}]))
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("extension: unknown source '不存在的法规'" in p for p in problems)


def test_validator_catches_too_few_examples(kb_copy):
    _edit_faq(kb_copy, "fees", "fee_per_page", lambda f: f.update(examples=f["examples"][:14]))
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("fee_per_page: 14 examples, needs at least 15" in p for p in problems)


def test_validator_catches_a_paraphrase_under_two_faqs(kb_copy):
    # the same question with different punctuation and spacing still counts as a duplicate
    _edit_faq(kb_copy, "deadlines", "extension", lambda f: f["examples"].append("多久能给 答复？"))
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("also under reply_deadline" in p for p in problems)


def test_validator_catches_an_unguarded_missing_agency_field(kb_copy):
    # only 淄博市行政审批服务局 has a court in the seeds: an unguarded use fails for the others
    _edit_faq(kb_copy, "remedies", "litigation",
              lambda f: f.update(answer="请向{{ agency.court.name }}起诉。"))
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("litigation: does not render for zaozhuang_spj" in p for p in problems)
    assert any("litigation: does not render for zhangdian_gov" in p for p in problems)
    assert not any("litigation: does not render for zibo_spj" in p for p in problems)


def test_validator_catches_an_alias_naming_two_agencies(kb_copy):
    path = kb_copy / "agencies.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["agencies"]["zaozhuang_spj"]["aliases"].append("市审批局")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = knowledge.validate(knowledge.load(kb_copy))
    assert any("'市审批局' names both zibo_spj and zaozhuang_spj" in p for p in problems)
