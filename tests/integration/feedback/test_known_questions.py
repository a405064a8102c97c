"""A paraphrase added on the review page is answered within seconds (issue 17, item 3): the NLU
component KnownQuestionClassifier takes a message that is word for word a question of the served
knowledge base for that FAQ, before the model has been trained with it. Here the component runs
on Rasa messages shaped as the classifiers leave them, over a copy of data/kb served and reloaded
as the servers do (knowledge.ServedKnowledgeBase); tests/system/nlu/test_known_questions.py runs
it inside the trained model."""
from __future__ import annotations

import shutil
import time

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.content import knowledge
from bot.feedback import review
from bot.nlp.components import KnownQuestionClassifier

# written for this test, in no FAQ of data/kb: a contact_info question
PARAPHRASE = "贵局对外公布的咨询电话能告诉我一下吗"


@pytest.fixture
def served(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(knowledge.KB_DIR, copy)
    return copy, knowledge.ServedKnowledgeBase(copy)


def parsed(text: str, intent: str, confidence: float = 0.3) -> Message:
    """A message as DIET, the ResponseSelector and the FallbackClassifier leave it: unsure."""
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence},
                                   {"name": "faq", "confidence": 0.25}], add_to_output=True)
    message.set("response_selector", {"all_retrieval_intents": ["faq"], "faq": {
        "response": {"responses": [], "confidence": 0.31, "intent_response_key": "faq/office_hours",
                     "utter_action": "utter_faq/office_hours"},
        "ranking": [{"id": 1, "confidence": 0.31, "intent_response_key": "faq/office_hours"},
                    {"id": 2, "confidence": 0.2, "intent_response_key": "faq/contact_info"}]}},
                add_to_output=True)
    return message


def after_the_next_look() -> None:
    time.sleep(knowledge.RELOAD_CHECK_SECONDS + 0.3)


def test_an_added_paraphrase_is_its_faq_as_soon_as_the_knowledge_base_reloads(served):
    kb_dir, served_kb = served
    component = KnownQuestionClassifier(served_kb.get)
    before = component.process([parsed(PARAPHRASE, "nlu_fallback")])[0]
    assert before.get("intent")["name"] == "nlu_fallback"  # not listed yet: left as it was

    assert review.add_paraphrases(kb_dir, "contact_info", [PARAPHRASE]) == [PARAPHRASE]
    after_the_next_look()
    after = component.process([parsed(PARAPHRASE, "nlu_fallback")])[0]
    assert after.get("intent") == {"name": "faq", "confidence": 1.0}
    assert [i["name"] for i in after.get("intent_ranking")] == ["faq", "nlu_fallback"]
    selector = after.get("response_selector")["faq"]
    assert selector["response"]["intent_response_key"] == "faq/contact_info"
    assert selector["response"]["confidence"] == 1.0
    # contact_info first with 1.0; the classifier's other candidate stays, once each
    assert [(r["intent_response_key"], r["confidence"]) for r in selector["ranking"]] == [
        ("faq/contact_info", 1.0), ("faq/office_hours", 0.31)]


def test_the_same_question_typed_otherwise_counts(served):
    kb_dir, served_kb = served
    review.add_paraphrases(kb_dir, "contact_info", [PARAPHRASE])
    component = KnownQuestionClassifier(served_kb.get)
    # traditional characters, full-width question mark, spaces: normalize_text and fold undo them
    message = component.process([parsed("貴局對外公布的 諮詢電話能告訴我一下嗎？", "out_of_scope")])[0]
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/contact_info"


def test_other_intents_and_other_questions_are_left_alone(served):
    kb_dir, served_kb = served
    review.add_paraphrases(kb_dir, "contact_info", [PARAPHRASE])
    component = KnownQuestionClassifier(served_kb.get)
    # a greeting or a case look-up keeps its intent even when the words are an FAQ's
    case = component.process([parsed(PARAPHRASE, "check_case_status", 0.9)])[0]
    assert case.get("intent") == {"name": "check_case_status", "confidence": 0.9}
    # one character more is another question: the model decides
    longer = component.process([parsed(PARAPHRASE + "呀", "nlu_fallback")])[0]
    assert longer.get("intent")["name"] == "nlu_fallback"
    assert longer.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/office_hours"
