"""Entities from the catalog's own vocabulary, inside the NLU pipeline, and the search intent they imply.

A thin adapter over dealer.catalog.entities: it finds the makes and models of the catalog (typos, spoken and joined
forms included), body types, transmissions, fuels, features, years, prices, kilometres, down payments, terms,
positions and stock ids in the raw message and adds them as entities. A message that names a catalog make or model
and asks for nothing else is a search, whatever the classifier before it thought («busco un madza», «tienen cx3?»);
one that is only a catalog stock id opens that car («alm 10001»).

The vocabulary (makes, models, stock ids) is read from the catalog database at training and at start-up, and again
at most once a minute while serving, so a new catalog needs no code change and no retraining. The one read at
training is stored with the model and used when the database has no cars (a fresh checkout before seeding).
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy.exc import SQLAlchemyError

from dealer.catalog.entities import (
    find_mentions,
    is_browse_request,
    is_dictated_search,
    is_plan_request,
    is_position_details,
    is_search_only,
    is_stock_id_only,
)
from dealer.catalog.matching import NameMatcher
from dealer.catalog.navigation import StockIdFormat
from dealer.catalog.repository import CatalogRepository
from dealer.settings import get_settings
from nlu_components.stored_json import read_json, write_json

logger = logging.getLogger(__name__)

SEARCH_INTENT, DETAILS_INTENT, PLAN_INTENT = "search_cars", "car_details", "ask_financing"
# The confidence given to the search intent when the catalog names decide it; the rest of the ranking shares what
# is left, so the fallback classifier's ambiguity check sees a clear winner.
DECIDED_CONFIDENCE = 0.95
VOCABULARY_FILE = "catalog_vocabulary.json"
# Intents whose amounts of money are down payments (the financing form's questions are answered with `inform`).
FINANCING_INTENTS = frozenset({"ask_financing", "inform"})
# Intents that speak of the customer's own car, whose money is what they are offered for it.
TRADE_IN_INTENTS = frozenset({"trade_in", "trade_in_value"})
# Intents with no use for a car a dictated search names: a long story around «ando buscando una hilux» pulls the
# classifiers to a greeting, a complaint or a question; the intents that do take a car (details, booking, trade-in,
# financing) keep it.
DICTATION_PRONE_INTENTS = frozenset({SEARCH_INTENT, "greet", "out_of_scope", "complain", "ask_dealer", "help", "thank",
                                     "affirm", "deny"})


class _Vocabulary:
    """The catalog's makes, models and stock ids: live from the database, else as stored at training."""

    def __init__(self, stored: dict[str, Any]):
        self.stored = stored
        self._stored_matcher = NameMatcher(stored.get("models_by_make", {}))
        ids = stored.get("stock_ids", {})
        self._stored_ids = StockIdFormat(frozenset(ids.get("prefixes", [])), frozenset(ids.get("digits", [])),
                                         ids.get("separator", "-"))
        self._repository: Optional[CatalogRepository] = None
        try:
            self._repository = CatalogRepository(get_settings().database_url)
        except (SQLAlchemyError, ValueError):
            logger.warning("catalog database unavailable: the NLU uses the vocabulary stored at training")

    @staticmethod
    def read(database_url: str) -> dict[str, Any]:
        repository = CatalogRepository(database_url)
        matcher = repository.name_matcher()
        return {"models_by_make": {make: list(models) for make, models in matcher.models_by_make.items()},
                "stock_ids": _stored_format(repository.stock_id_format())}

    def current(self) -> tuple[NameMatcher, StockIdFormat]:
        if self._repository is not None:
            try:
                matcher = self._repository.name_matcher()
                if matcher.makes:
                    return matcher, self._repository.stock_id_format()
            except SQLAlchemyError:
                logger.exception("catalog names could not be read: using the vocabulary stored at training")
        return self._stored_matcher, self._stored_ids


def _stored_format(ids: StockIdFormat) -> dict[str, Any]:
    return {"prefixes": sorted(ids.prefixes), "digits": sorted(ids.digits), "separator": ids.separator}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=True,
)
class CatalogEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, model_storage: ModelStorage, resource: Resource, stored: Optional[dict[str, Any]] = None):
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = _Vocabulary(stored or {})

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CatalogEntityExtractor:
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CatalogEntityExtractor:
        stored = read_json(model_storage, resource, VOCABULARY_FILE)
        if stored is None:
            logger.warning("no catalog vocabulary stored with the model: only the live catalog is used")
        return cls(model_storage, resource, stored)

    def train(self, training_data: TrainingData) -> Resource:
        stored = _Vocabulary.read(get_settings().database_url)
        if not stored["models_by_make"]:
            from dealer.catalog.importer import DEFAULT_CSV, parse_catalog

            rows = parse_catalog(DEFAULT_CSV.read_text(encoding="utf-8"))
            models_by_make: dict[str, set[str]] = {}
            for row in rows:
                models_by_make.setdefault(row["make"], set()).add(row["model"])
            stored = {"models_by_make": {make: sorted(models) for make, models in models_by_make.items()},
                      "stock_ids": _stored_format(StockIdFormat.of(row["stock_id"] for row in rows))}
        write_json(self._model_storage, self._resource, VOCABULARY_FILE, stored)
        self._vocabulary = _Vocabulary(stored)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        names, stock_ids = self._vocabulary.current()
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            mentions = find_mentions(text, names, stock_ids, financing=intent in FINANCING_INTENTS,
                                     trade_in=intent in TRADE_IN_INTENTS)
            entities = self.add_extractor_name([
                {"entity": m.entity, "value": m.value, "start": m.start, "end": m.end, "confidence_entity": 1.0}
                for m in mentions
            ])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            if (is_search_only(text, mentions) or is_browse_request(text, mentions)
                    or (intent in DICTATION_PRONE_INTENTS and is_dictated_search(text, mentions))):
                decide_intent(message, SEARCH_INTENT)
            elif is_stock_id_only(text, mentions) or is_position_details(text, mentions):
                decide_intent(message, DETAILS_INTENT)
            elif is_plan_request(mentions):
                decide_intent(message, PLAN_INTENT)
        return messages


def decide_intent(message: Message, name: str) -> None:
    intent = message.get(INTENT) or {}
    if intent.get("name") == name and intent.get("confidence", 0.0) >= DECIDED_CONFIDENCE:
        return  # DIET agreed, and surely enough: a weak agreement («y vw?», 0.28) would still fall back
    ranking = [dict(item) for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name") != name]
    rest = sum(item.get("confidence", 0.0) for item in ranking) or 1.0
    for item in ranking:
        item["confidence"] = item.get("confidence", 0.0) / rest * (1 - DECIDED_CONFIDENCE)
    message.set(INTENT, {"name": name, "confidence": DECIDED_CONFIDENCE}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": DECIDED_CONFIDENCE}, *ranking], add_to_output=True)
