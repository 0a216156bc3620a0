"""Questions about the dealer the classifier reads as something else get the dealer-question intent (answered from
the knowledge base, or by the model, in actions/fallback_actions.py):

- a greeting that opens a question («hola, ¿qué garantía tienen?», «buenas tardes, por qué debería comprar con
  ustedes?») is not a greeting only (dealer.dialogue.greetings);
- a question about what the dealer sells or does that names nothing of the catalog («¿venden autos nuevos?», «¿me
  haces descuento?») is not a search nor a request for the menu (dealer.dialogue.dealer_questions).

Deterministic, after DIET and the catalog entities (a message naming a car stays a search), before the fallback."""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from dealer.dialogue.dealer_questions import is_dealer_question
from nlu_components.rule_intents import RuleIntentClassifier

DEALER_INTENT = "ask_dealer"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DealerQuestionClassifier(RuleIntentClassifier):
    def decided_intent(self, message: Message) -> Optional[str]:
        intent = (message.get(INTENT) or {}).get("name")
        # «¿tienen autos 0 km?» asks for a new car, not for a kilometre filter.
        entities = {entity.get("entity") for entity in message.get(ENTITIES) or []
                    if not (entity.get("entity") == "km" and str(entity.get("value")) == "0")}
        return DEALER_INTENT if is_dealer_question(message.get(TEXT) or "", intent, entities) else None
