"""Questions about the dealer the classifier reads as something else get the dealer-question intent (answered from
the knowledge base, or by the model, in actions/fallback_actions.py):

- a greeting that opens a question («hola, ¿qué garantía tienen?», «buenas tardes, por qué debería comprar con
  ustedes?») is not a greeting only (dealer.dialogue.greetings);
- a question about what the dealer sells or does that names nothing of the catalog («¿venden autos nuevos?», «¿me
  haces descuento?») is not a search nor a request for the menu (dealer.dialogue.dealer_questions).

Deterministic, after DIET and the catalog entities (a message naming a car stays a search), before the fallback."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.dialogue.dealer_questions import is_dealer_question
from nlu_components.catalog_entities import _decide_intent

DEALER_INTENT = "ask_dealer"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DealerQuestionClassifier(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> DealerQuestionClassifier:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            # «¿tienen autos 0 km?» asks for a new car, not for a kilometre filter.
            entities = {entity.get("entity") for entity in message.get(ENTITIES) or []
                        if not (entity.get("entity") == "km" and str(entity.get("value")) == "0")}
            if is_dealer_question(message.get(TEXT) or "", intent, entities):
                _decide_intent(message, DEALER_INTENT)
        return messages
