"""The help intent for a message that asks for the menu and nothing else (dealer.dialogue.menu_requests), whatever
the classifier before it thought: «ocupo ayuda!!» is not out of scope. Runs after DIET, before the fallback."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.dialogue.menu_requests import asks_for_the_menu
from nlu_components.catalog_entities import _decide_intent

HELP_INTENT = "help"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MenuRequestClassifier(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MenuRequestClassifier:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if asks_for_the_menu(message.get(TEXT) or ""):
                _decide_intent(message, HELP_INTENT)
        return messages
