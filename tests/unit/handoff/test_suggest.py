"""Suggested answers from a /model/parse result (the shape Rasa 3.6 returns)."""
from bot.content import knowledge
from bot.handoff import suggest

PARSE = {
    "text": "申请信息公开多久答复？",
    "intent": {"name": "faq", "confidence": 0.97},
    "response_selector": {"faq": {"ranking": [
        {"intent_response_key": "faq/reply_deadline", "confidence": 0.91},
        {"intent_response_key": "faq/not_in_kb", "confidence": 0.05},
        {"intent_response_key": "faq/extension", "confidence": 0.03},
        {"intent_response_key": "faq/receipt_date", "confidence": 0.01},
        {"intent_response_key": "faq/fee_principle", "confidence": 0.005},
    ]}},
}


def test_top_three_known_faqs_rendered_with_sources():
    kb = knowledge.cached()
    found = suggest.suggestions(PARSE, kb, "zibo_spj")
    assert [s.faq_id for s in found] == ["reply_deadline", "extension", "receipt_date"]
    first = found[0]
    assert first.title == "申请后多久答复？"
    assert "20个工作日" in first.text and "来源：" in first.text
    assert any("第三十三条" in source for source in first.sources)
    assert first.confidence == 0.91


def test_the_agency_named_in_the_question_wins():
    kb = knowledge.cached()
    parse = dict(PARSE, text="枣庄市行政审批服务局多久答复")
    found = suggest.suggestions(parse, kb, "zibo_spj")
    assert "枣庄市行政审批服务局" in found[0].text


def test_no_ranking_no_suggestions():
    assert suggest.suggestions({"text": "x"}, knowledge.cached(), "zibo_spj") == []
