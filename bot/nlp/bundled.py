"""The project's spaCy pipeline packed inside the trained model, so one model file is all a Rasa
instance needs (issue 13, item 6).

Rasa's `SpacyNLP` loads its pipeline by name or path every time the model is loaded: with
`models/spacy_zh` that meant the working directory of whoever trained the model, and a model
copied to another machine stopped with "Can't find model 'models/spacy_zh'". `BundledSpacyNLP`
reads that directory only when training and writes the pipeline into the model through Rasa's
model storage (`train` → `model_storage.write_to`); loading the model reads it back from there
(`load` → `model_storage.read_from`). Rasa's training cache stores the written resource and
restores it on a cache hit; `fingerprint_addon` keys the cache on the pipeline's files, so a
changed dictionary or agency alias is never served from the cache with the old pipeline.

`SpacyEntityExtractor` wants the pipeline from a model-loader node named `SpacyNLP`; the bundled
pipeline is no such node (a model loader's resource is not trained, so Rasa would not keep it),
so `BundledSpacyEntityExtractor` takes the entities from a doc `BundledSpacyNLP` leaves on the
message instead — the same pipeline run on the text as typed (entity values keep their case).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# the message attribute with the doc of the text as typed, for the entity extractor
CASED_DOC = "gongkai_spacy_doc_cased"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class BundledSpacyNLP(SpacyNLP):
    """`SpacyNLP` (config `model`: the pipeline directory to pack, read only when training)
    whose pipeline is stored in the trained model."""

    def __init__(self, model: Optional[SpacyModel], config: Dict[Text, Any],
                 model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(model, config)  # model: None until trained
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> BundledSpacyNLP:
        return cls(None, {**cls.get_default_config(), **config}, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> BundledSpacyNLP:
        with model_storage.read_from(resource) as directory:
            model = cls.load_model(str(directory))
        cls.ensure_proper_language_model(model.model)
        return cls(model, {**cls.get_default_config(), **config}, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The pipeline's files: Rasa's training cache must miss when they change."""
        directory = Path(config.get("model") or "")
        if not directory.is_dir():
            return None  # `train` reports the missing pipeline
        digest = hashlib.sha256()
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Packs the pipeline into the model (the training data is not needed for that)."""
        source = self._config.get("model")
        if not source or not Path(source).is_dir():
            raise InvalidModelError(f"no spaCy pipeline at {source!r} (config.yml "
                                    f"BundledSpacyNLP model): run `gongkai build-data` first")
        model = self.load_model(source)
        with self._model_storage.write_to(self._resource) as directory:
            model.model.to_disk(directory)
        return self._resource

    # Rasa's SpacyNLP is handed the model by its graph node; this one holds its own
    def process_training_data(
            self, training_data: TrainingData) -> TrainingData:
        return super().process_training_data(training_data, self._model)

    def process(self, messages: List[Message]) -> List[Message]:
        super().process(messages, self._model)
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            lowered = message.get(SPACY_DOCS[TEXT])
            same = lowered is not None and self._preprocess_text(text) == text
            message.set(CASED_DOC, lowered if same else self._model.model(text))
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BundledSpacyEntityExtractor(SpacyEntityExtractor):
    """`SpacyEntityExtractor` on the doc `BundledSpacyNLP` made of the text as typed."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [BundledSpacyNLP]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(CASED_DOC)
            if doc is None:
                continue
            extracted = self.filter_irrelevant_entities(
                self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
