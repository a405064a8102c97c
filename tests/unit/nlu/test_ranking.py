"""How a parse result becomes the ranked labels the evaluation scores (pure, no model)."""
from bot.tooling.evaluation import Report, ranked_labels, write_report

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


def test_rewriting_the_report_keeps_the_note_above_it(tmp_path):
    path = tmp_path / "nlu-evaluation.md"
    report = Report()
    report.add("多久", "faq/reply_deadline", ["faq/extension"])
    path.write_text("# 说明\n\nnote\n\n" + report.markdown(), encoding="utf-8")
    report.add("几天答复", "faq/reply_deadline", ["faq/reply_deadline"])
    write_report(path, report)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 说明\n\nnote\n\n| questions scored")
    assert text.count("| questions scored") == 1 and "50.0%" in text
