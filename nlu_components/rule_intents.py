"""The shape shared by the pipeline's rule-decided intents (nlu_components/menu_requests.py, dealer_questions.py,
unknown_words.py): each message either keeps the classifier's intent or gets the one a plain rule decides. Nothing
to train, but for unknown_words.py, which stores the training examples' words."""

from __future__ import annotations

import abc
from typing import Any, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.catalog_entities import decide_intent


class RuleIntentClassifier(GraphComponent, abc.ABC):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> RuleIntentClassifier:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = self.decided_intent(message)
            if intent is not None:
                decide_intent(message, intent)
        return messages

    @abc.abstractmethod
    def decided_intent(self, message: Message) -> Optional[str]:
        """The intent the rule gives this message (after the classifier and the entity extractors), or None."""
