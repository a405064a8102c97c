"""AgencyMasker on real messages: the spaCy doc and tokens come from the project's pipeline."""
import pytest
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import AgencyMasker
from bot.nlp.spacy_zh import build_pipeline


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline({"zaozhuang_spj": ["枣庄市行政审批服务局", "枣庄审批局"]})


def message(nlp, text):
    doc = nlp(text)
    msg = Message(data={TEXT: text})
    msg.set(SPACY_DOCS[TEXT], doc)
    msg.set(TOKENS_NAMES[TEXT], [Token(t.text, t.idx) for t in doc])
    return msg


def test_agency_tokens_become_one_placeholder(nlp):
    msg = message(nlp, "枣庄市行政审批服务局的网站是多少")
    AgencyMasker().process([msg])
    assert [t.text for t in msg.get(TOKENS_NAMES[TEXT])][:2] == ["agency", "的"]


def test_message_without_agency_is_untouched(nlp):
    msg = message(nlp, "网站是多少")
    before = [t.text for t in msg.get(TOKENS_NAMES[TEXT])]
    AgencyMasker().process([msg])
    assert [t.text for t in msg.get(TOKENS_NAMES[TEXT])] == before


def test_short_numbers_become_a_placeholder_and_long_ones_stay(nlp):
    msg = message(nlp, "早上8点打2512345")
    AgencyMasker().process([msg])
    words = [t.text for t in msg.get(TOKENS_NAMES[TEXT])]
    assert "num" in words and "8" not in words and "2512345" in words
