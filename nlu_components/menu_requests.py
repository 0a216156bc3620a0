"""The help intent for a message that asks for the menu and nothing else (dealer.dialogue.menu_requests), whatever
the classifier before it thought: «ocupo ayuda!!» is not out of scope. Runs after DIET, before the fallback."""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from dealer.dialogue.menu_requests import asks_for_the_menu
from nlu_components.rule_intents import RuleIntentClassifier

HELP_INTENT = "help"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MenuRequestClassifier(RuleIntentClassifier):
    def decided_intent(self, message: Message) -> Optional[str]:
        return HELP_INTENT if asks_for_the_menu(message.get(TEXT) or "") else None
