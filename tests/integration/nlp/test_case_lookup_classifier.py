"""CaseLookupClassifier (bot/nlp/components.py) on Rasa messages: a look-up request read as a
question becomes check_case_status; every other reading is kept."""
import pytest


@pytest.mark.parametrize("intent, expected", [
    ("faq", "check_case_status"),  # taken for a question: the look-up starts
    ("ask_info_request", "check_case_status"),
    ("choose_option", "choose_option"),  # an option number, a greeting … keep their intent
    ("greet", "greet"),
])
def test_the_classifier_replaces_only_a_question_or_request_reading(intent, expected):
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlp.components import CaseLookupClassifier

    message = Message(data={TEXT: "我想查申请", INTENT: {"name": intent, "confidence": 0.9},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.9}]})
    CaseLookupClassifier().process([message])
    assert message.get(INTENT)["name"] == expected
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == expected
