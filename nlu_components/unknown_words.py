"""The fallback intent for a message with not one known word (dealer.dialogue.known_words), whatever the classifiers
thought: «xkq zzvv wp» read as a confident «sí» would confirm a booking. The words known are those of the training
examples, stored with the model. A message with an entity (a car, an amount, a phone) is never decided here.
Runs last, before the FallbackClassifier."""

from __future__ import annotations

import json
from typing import Any, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.dialogue.known_words import KnownWords
from nlu_components.catalog_entities import _decide_intent

FALLBACK_INTENT = "nlu_fallback"
VOCABULARY_FILE = "words.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsClassifier(GraphComponent):
    def __init__(self, model_storage: ModelStorage, resource: Resource, words: Optional[list[str]] = None):
        self._model_storage = model_storage
        self._resource = resource
        self._known = KnownWords(words or ())

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> UnknownWordsClassifier:
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> UnknownWordsClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            words = []  # an empty vocabulary decides nothing: the classifiers' reading stands
        return cls(model_storage, resource, words)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [example.get(TEXT) for example in training_data.intent_examples]
        self._known = KnownWords(text for text in texts if isinstance(text, str))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(self._known.vocabulary), ensure_ascii=False),
                                                     encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not message.get(ENTITIES) and self._known.says_nothing_known(message.get(TEXT) or ""):
                _decide_intent(message, FALLBACK_INTENT)
        return messages
