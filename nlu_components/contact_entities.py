"""Phone numbers and email addresses as entities, inside the NLU pipeline, and the give_contact intent they imply.

A thin adapter over dealer.contacts: every valid phone (normalised to E.164) and email in the message becomes a
`phone` or `email` entity. A message that gives one and asks for nothing else («márcame al 33 9876 5432», «mi correo
es ana@x.mx») is a contact, whatever the classifier before it thought: digits and dots look like little else to it.
So is a message that only introduces the writer («me llamo Sofía Ramírez»).
Runs after the catalog extractor (which already refuses phone numbers as amounts) and before the fallback.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.contacts import contact_mentions, introduced_name, is_contact_only
from nlu_components.catalog_entities import decide_intent

CONTACT_INTENT = "give_contact"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=False,
)
class ContactEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ContactEntityExtractor:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            mentions = contact_mentions(text)
            if not mentions:
                if introduced_name(text):  # «me llamo Sofía Ramírez»: a name, not a search or a question
                    decide_intent(message, CONTACT_INTENT)
                continue
            entities = self.add_extractor_name([
                {"entity": m.entity, "value": m.value, "start": m.start, "end": m.end, "confidence_entity": 1.0}
                for m in mentions
            ])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            if is_contact_only(text, mentions):
                decide_intent(message, CONTACT_INTENT)
        return messages
