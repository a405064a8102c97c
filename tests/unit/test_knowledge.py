"""The knowledge-base renderer and loader, on a small KB written by the test."""
from pathlib import Path

import pytest

from bot.content import knowledge

SOURCES = ("sources:\n  条例: {title: 《政府信息公开条例》全称, short: 《政府信息公开条例》}\n"
           "  G: {title: 指南, short: 《甲局指南》}\n")
AGENCIES = """agencies:
  a: {name: 甲局, aliases: [甲审批局], guide: G, phones: [{number: 0000-1111111, label: 电话}]}
  b: {name: 乙局, aliases: [乙办]}
"""
FAQ = """faqs:
  - id: phone
    title: 电话多少？
    answer: |
      {% if agency.phones is defined %}{{ agency.name }}电话：{{ agency.phones[0].number }}{% else %}暂无{{ agency.name }}的电话。{% endif %}
    sources: [{ref: 条例, article: 第一条}, {ref: agency.guide}]
    examples: [EXAMPLES]
""".replace("EXAMPLES", ", ".join(f"问题{i}" for i in range(15)))  # noqa: E501 (one template line)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    (tmp_path / "faq").mkdir()
    (tmp_path / "sources.yml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "agencies.yml").write_text(AGENCIES, encoding="utf-8")
    (tmp_path / "faq" / "contacts.yml").write_text(FAQ, encoding="utf-8")
    return tmp_path


def test_answer_is_rendered_for_the_agency_with_its_sources(kb_dir):
    answer = knowledge.load(kb_dir).render("phone", "a")
    assert answer.text == "甲局电话：0000-1111111"
    assert answer.sources == ("《政府信息公开条例》第一条", "《甲局指南》")
    assert answer.full_text.endswith("来源：《政府信息公开条例》第一条；《甲局指南》")


def test_agency_without_the_field_gets_the_guarded_text_and_no_agency_source(kb_dir):
    answer = knowledge.load(kb_dir).render("phone", "b")
    assert answer.text == "暂无乙局的电话。"
    assert answer.sources == ("《政府信息公开条例》第一条",)


def test_alias_finds_the_agency_and_unknown_text_finds_none(kb_dir):
    kb = knowledge.load(kb_dir)
    assert kb.find_agency("甲审批局的电话") == "a"
    assert kb.find_agency("ＺＢ乙办在哪") == "b"
    assert kb.find_agency("丙局") is None


def test_sound_kb_validates_clean(kb_dir):
    assert knowledge.validate(knowledge.load(kb_dir)) == []


def test_unguarded_missing_field_is_a_validation_problem(kb_dir):
    faq = kb_dir / "faq" / "contacts.yml"
    faq.write_text(FAQ.replace("{% if agency.phones is defined %}", "").replace(
        "{% else %}暂无{{ agency.name }}的电话。{% endif %}", ""), encoding="utf-8")
    problems = knowledge.validate(knowledge.load(kb_dir))
    assert any("does not render for b" in p for p in problems), problems


def test_unknown_faq_or_agency_is_an_error(kb_dir):
    kb = knowledge.load(kb_dir)
    with pytest.raises(knowledge.KnowledgeError):
        kb.render("nope", "a")
    with pytest.raises(knowledge.KnowledgeError):
        kb.render("phone", "zz")
