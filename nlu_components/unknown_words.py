"""The fallback intent for a message with not one known word (dealer.dialogue.known_words), whatever the classifiers
thought: «xkq zzvv wp» read as a confident «sí» would confirm a booking. The words known are those of the training
examples, stored with the model. A message with an entity (a car, an amount, a phone) is never decided here.
Runs last, before the FallbackClassifier."""

from __future__ import annotations

from typing import Any, Optional

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.dialogue.known_words import KnownWords
from nlu_components.rule_intents import RuleIntentClassifier
from nlu_components.stored_json import read_json, write_json

FALLBACK_INTENT = "nlu_fallback"
VOCABULARY_FILE = "words.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsClassifier(RuleIntentClassifier):
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
        # No vocabulary stored (or unreadable) decides nothing: the classifiers' reading stands.
        return cls(model_storage, resource, read_json(model_storage, resource, VOCABULARY_FILE))

    def train(self, training_data: TrainingData) -> Resource:
        texts = [example.get(TEXT) for example in training_data.intent_examples]
        self._known = KnownWords(text for text in texts if isinstance(text, str))
        write_json(self._model_storage, self._resource, VOCABULARY_FILE, sorted(self._known.vocabulary))
        return self._resource

    def decided_intent(self, message: Message) -> Optional[str]:
        if not message.get(ENTITIES) and self._known.says_nothing_known(message.get(TEXT) or ""):
            return FALLBACK_INTENT
        return None
