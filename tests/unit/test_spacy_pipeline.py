"""The spaCy pipeline: domain segmentation and the entity ruler, saved and loaded like Rasa does."""
import pytest
import spacy

from bot.nlp.spacy_zh import build_pipeline, read_words


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    built = build_pipeline({"zibo_spj": ["淄博市行政审批服务局", "市审批局"]}, read_words())
    path = tmp_path_factory.mktemp("spacy_zh")
    built.to_disk(path)
    return spacy.load(path)  # the dictionary must survive the round trip


def words(nlp, text):
    return [t.text for t in nlp(text)]


def test_domain_words_stay_whole(nlp):
    assert "政府信息公开" in words(nlp, "我想申请政府信息公开")
    assert "行政复议" in words(nlp, "不服可以申请行政复议吗")


def test_agency_alias_is_one_token_and_an_entity(nlp):
    doc = nlp("市审批局的电话是多少")
    assert doc[0].text == "市审批局"
    assert [(e.text, e.label_) for e in doc.ents] == [("市审批局", "agency")]


@pytest.mark.parametrize("text, number", [
    ("编号ZBSP-2026-0001到哪一步了", "ZBSP-2026-0001"),
    ("zbsp 2026 0001 帮我查查", "zbsp 2026 0001"),
])
def test_case_numbers_are_kept_whole_and_recognised(nlp, text, number):
    assert [(e.text, e.label_) for e in nlp(text).ents] == [(number, "case_number")]
