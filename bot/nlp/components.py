"""Rasa NLU components of the project (registered with Rasa's default recipe on import;
config.yml names them by module path)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.normalize import normalize_text


# Registered as a tokenizer-stage component so the recipe runs it, in config order, before
# SpacyNLP and the tokenizer, both when training and when parsing.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Rewrites each message's text with `normalize_text` (traditional → simplified, full-width →
    half-width, control characters and extra spaces removed)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChineseNormalizer":
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        normalized = normalize_text(text)
        # Annotated entities carry character offsets: keep them valid.
        if message.get(ENTITIES) and len(normalized) != len(text):
            return
        message.set(TEXT, normalized)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages
