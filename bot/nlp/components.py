"""Rasa NLU components of the project (registered with Rasa's default recipe on import;
config.yml names them by module path)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    SPACY_DOCS,
    TOKENS_NAMES,
)
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.content import knowledge
from bot.nlp.lookup import LOOKUP_INTENT, asks_to_look_up
from bot.nlp.normalize import normalize_text
from bot.nlp.options import OPTION_INTENT, option_number


# Registered as a tokenizer-stage component so the recipe runs it, in config order, before
# SpacyNLP and the tokenizer, both when training and when parsing.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Rewrites each message's text with `normalize_text` (traditional → simplified, full-width →
    half-width, control characters and extra spaces removed)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ChineseNormalizer:
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


# Placed after the tokenizer and before the featurizers (config.yml).
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class AgencyMasker(GraphComponent):
    """Replaces the tokens of an agency name (found by the spaCy entity ruler) with one placeholder
    token before featurisation, and short numbers (days, counts, years) with another. Which agency
    a question names, or which day, says nothing about what it asks; without this the classifier
    learns that 枣庄市行政审批服务局 or the digit 8 means whatever intent happened to mention it
    most in the training data (measured: "88" and "早上8点" went to the 2512345 hotline FAQ).
    Long numbers (2512345, 12345) stay: they name things. Entity extraction sees the real text;
    the RegexFeaturizer still flags "has a date / a quantity"."""

    PLACEHOLDER = "agency"
    NUMBER = "num"
    MAX_MASKED_DIGITS = 4

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> AgencyMasker:
        return cls()

    def _mask(self, message: Message) -> None:
        doc = message.get(SPACY_DOCS[TEXT])
        tokens = message.get(TOKENS_NAMES[TEXT])
        if doc is None or not tokens:
            return
        for token in tokens:
            if token.text.isdigit() and len(token.text) <= self.MAX_MASKED_DIGITS:
                token.text = token.lemma = self.NUMBER
        spans = [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "agency"]
        if not spans:
            return
        kept: List[Token] = []
        for start, end in spans:
            inside = [t for t in tokens if t.start >= start and t.end <= end]
            if inside:
                first = inside[0]
                first.text = first.lemma = self.PLACEHOLDER
                first.end = inside[-1].end
                kept.extend(inside[1:])
        message.set(TOKENS_NAMES[TEXT], [t for t in tokens if t not in kept])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._mask(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._mask(message)
        return messages


def choose_intent(message: Message, name: str) -> None:
    """The message's intent is ``name``, with confidence 1, first in the ranking (the rule-based
    classifiers below overrule the trained ones this way)."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


# After the intent classifiers (config.yml): a bare option number is `choose_option` whatever the
# classifiers thought (numbers all look alike to them: AgencyMasker replaces them).
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OptionNumberClassifier(GraphComponent):
    """A typed option number → intent ``choose_option``; actions/options.py picks the option from
    the assistant's last message, on every channel."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> OptionNumberClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if option_number(message.get(TEXT)) is None:
                continue
            choose_intent(message, OPTION_INTENT)
        return messages


# After the ResponseSelector and the FallbackClassifier (config.yml).
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KnownQuestionClassifier(GraphComponent):
    """A message that is, word for word (`knowledge.question_key`), a question the served knowledge
    base lists under one FAQ (its title or an example) is that FAQ, with confidence 1.

    The knowledge base is read as served (`knowledge.cached`, reloaded after its files change),
    so a paraphrase a staff member adds on the review page is answered within seconds, before the
    model has been trained with it; training then teaches the model the paraphrase's neighbours.
    Only a message the classifiers took for an FAQ question, for nothing (nlu_fallback) or for
    out of scope is changed: a case number, a date calculation or a greeting keeps its intent."""

    RETRIEVAL_INTENT = "faq"
    REPLACEABLE = {RETRIEVAL_INTENT, "nlu_fallback", "out_of_scope"}

    def __init__(self, served: Callable[[], knowledge.KnowledgeBase] = knowledge.cached) -> None:
        self.served = served  # tests pass a copy of the knowledge base

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> KnownQuestionClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not isinstance(text, str) or intent not in self.REPLACEABLE:
                continue
            faq_id = self.served().questions.verbatim.get(knowledge.question_key(text))
            if faq_id is not None:
                self._choose(message, faq_id)
        return messages

    def _choose(self, message: Message, faq_id: str) -> None:
        key = f"{self.RETRIEVAL_INTENT}/{faq_id}"
        choose_intent(message, self.RETRIEVAL_INTENT)
        selectors = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
        selectors.setdefault(RESPONSE_SELECTOR_RETRIEVAL_INTENTS, [self.RETRIEVAL_INTENT])
        previous = (selectors.get(self.RETRIEVAL_INTENT) or {}).get(RESPONSE_SELECTOR_RANKING_KEY) or []
        selectors[self.RETRIEVAL_INTENT] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: [],  # the answer comes from the knowledge base
                PREDICTED_CONFIDENCE_KEY: 1.0,
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{key}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": None, PREDICTED_CONFIDENCE_KEY: 1.0, INTENT_RESPONSE_KEY: key},
                *(r for r in previous if r.get(INTENT_RESPONSE_KEY) != key)],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)


# Last (config.yml): after the FAQ-level classifiers, so a look-up request they took for a question
# starts the look-up form.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CaseLookupClassifier(GraphComponent):
    """「我想查申请」「…没动静 给查查」 → ``check_case_status`` (bot/nlp/lookup.py), when the
    classifiers took it for a question, an information request or nothing."""

    REPLACEABLE = {"faq", "nlu_fallback", "out_of_scope", "ask_info_request"}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CaseLookupClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent not in self.REPLACEABLE or not asks_to_look_up(message.get(TEXT)):
                continue
            choose_intent(message, LOOKUP_INTENT)
        return messages
