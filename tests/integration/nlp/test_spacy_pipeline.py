"""The spaCy pipeline: domain segmentation and the entity ruler, saved to disk and loaded like Rasa
does, and packed into a trained model (integration: it writes and reads model files)."""
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


# --- the pipeline inside the trained model (bot/nlp/bundled.py) ------------------------------

def test_the_pipeline_is_packed_into_the_model_and_loaded_from_it_alone(tmp_path):
    """Train → model storage → load, as Rasa does, with the source directory gone in between."""
    import shutil

    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import ENTITIES, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlp.bundled import BundledSpacyEntityExtractor, BundledSpacyNLP

    source = tmp_path / "spacy_zh"
    build_pipeline({"zibo_spj": ["淄博市行政审批服务局", "市审批局"]}, read_words()).to_disk(source)
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("train_BundledSpacyNLP1")
    context = ExecutionContext(GraphSchema({}))
    config = {"model": str(source), "case_sensitive": False}
    assert BundledSpacyNLP.create(config, storage, resource, context).train(TrainingData()) == resource
    shutil.rmtree(source)  # a copied model has no models/spacy_zh next to it

    nlp = BundledSpacyNLP.load(config, storage, resource, context)
    extractor = BundledSpacyEntityExtractor.create({"dimensions": ["agency", "case_number"]},
                                                   storage, resource, context)
    message = Message(data={TEXT: "ZBSP-2026-0001是市审批局受理的吗"})
    extractor.process(nlp.process([message]))
    # the case number keeps the case it was typed in, though the features see lower case
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [
        ("case_number", "ZBSP-2026-0001"), ("agency", "市审批局")]


def test_rasas_training_cache_is_keyed_on_the_pipeline_files(tmp_path):
    from bot.nlp.bundled import BundledSpacyNLP

    first, second = tmp_path / "a", tmp_path / "b"
    build_pipeline({"zibo_spj": ["市审批局"]}, ["政府信息公开"]).to_disk(first)
    build_pipeline({"zibo_spj": ["市审批局"]}, ["政府信息公开", "行政复议"]).to_disk(second)
    addon = BundledSpacyNLP.fingerprint_addon
    assert addon({"model": str(first)}) == addon({"model": str(first)})
    assert addon({"model": str(first)}) != addon({"model": str(second)})


def test_training_without_the_built_pipeline_says_what_to_run(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.model import InvalidModelError
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlp.bundled import BundledSpacyNLP

    component = BundledSpacyNLP.create({"model": str(tmp_path / "missing")},
                                       LocalModelStorage(tmp_path), Resource("r"),
                                       ExecutionContext(GraphSchema({})))
    with pytest.raises(InvalidModelError, match="gongkai build-data"):
        component.train(TrainingData())
