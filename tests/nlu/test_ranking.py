"""How a parse result becomes the ranked labels the evaluation scores (pure, no model)."""
from bot.evaluation import Report, ranked_labels

PARSE = {
    "intent": {"name": "faq", "confidence": 0.9},
    "intent_ranking": [{"name": "faq"}, {"name": "out_of_scope"}, {"name": "greet"}],
    "response_selector": {"faq": {"ranking": [
        {"intent_response_key": "faq/reply_deadline", "confidence": 0.7},
        {"intent_response_key": "faq/extension", "confidence": 0.2},
    ]}},
}


def test_faq_intent_expands_into_the_selector_ranking_at_its_place():
    assert ranked_labels(PARSE) == ["faq/reply_deadline", "faq/extension", "out_of_scope", "greet"]


def test_fallback_is_wrong_at_top1_but_its_suggestions_count_at_top3():
    parse = dict(PARSE, intent={"name": "nlu_fallback"},
                 intent_ranking=[{"name": "nlu_fallback"}, *PARSE["intent_ranking"]])
    report = Report()
    report.add("多久", "faq/reply_deadline", ranked_labels(parse))
    assert (report.top1, report.top3) == (0, 1)
