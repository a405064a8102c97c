"""Suggested answers from a /model/parse result (the shape Rasa 3.6 returns)."""
import pytest

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


# ---- which message is the question --------------------------------------------------------------
# Each expectation is read off the message by hand: does it ask the knowledge base anything once
# the asking-for-a-person, waiting, courtesy and cancel words are taken away?

NOT_QUESTIONS = ["人呢？我等着呢", "转人工", "人工客服", "我要找人工", "13912345678", "在吗", "你好",
                 "好的谢谢", "取消", "没用", "不是这个", "ZBSP-2026-0101", "打电话给我", "怎么还没人理我",
                 "有人吗？？？", "能不能快点", "找个人跟我说", "我的手机13800001234，回个电话",
                 "/request_human", '/choose_faq{"faq_id":"fees"}', ""]
QUESTIONS = ["申请信息公开多久答复？", "收费吗", "复议找谁", "个人能申请吗", "我的申请怎么还没有答复",
             "2026年的年报", "<b>还在吗</b> 申请行政复议要在多长时间内提出？"]


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_waiting_asking_for_a_person_digits_and_payloads_are_no_question(text):
    assert not suggest.is_question(text, "faq")


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_questions(text):
    assert suggest.is_question(text, "faq")


def test_says_nothing_judges_chinese_only():
    assert suggest.says_nothing("取消") and suggest.says_nothing("人呢？我等着呢")
    assert not suggest.says_nothing("收费？") and not suggest.says_nothing("<script>x</script>")


def test_a_conversational_intent_needs_more_said():
    # 「复议找谁」 heard as request_human is not enough; with 「转人工，」 before a longer question it is
    assert not suggest.is_question("复议找谁", "request_human")
    assert suggest.is_question("转人工，我想问复议的期限", "request_human")


def test_the_question_part_drops_filler_clauses_and_keeps_words_with_人_or_行():
    assert suggest.question_part("转人工，我想问复议期限") == "我想问复议期限"
    assert suggest.question_part("<b>还在吗</b> 申请行政复议要在多长时间内提出？") == "申请行政复议要在多长时间内提出？"
    assert suggest.question_part("好的，那人大代表能申请吗") == "那人大代表能申请吗"
    assert suggest.question_part("人呢？我等着呢") == ""


def user(text, intent="faq"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def test_the_latest_question_of_a_hand_off_not_its_last_message():
    events = [user("你好", "greet"), user("申请信息公开多久答复？"),
              {"event": "bot", "text": "20个工作日"}, user("/request_human", "request_human"),
              {"event": "pause"}, user("人呢？我等着呢", "request_human"), user("13912345678", "nlu_fallback")]
    asked = suggest.questions(events)
    assert [q.text for q in asked] == ["申请信息公开多久答复？"]
    assert suggest.latest_question(events).query == "申请信息公开多久答复？"
    assert suggest.latest_question([user("转人工", "request_human")]) is None
