"""The NLU component as Rasa runs it after DIET: the catalog entities it adds and the search intent they decide."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from dealer.settings import get_settings
from nlu_components.catalog_entities import DECIDED_CONFIDENCE, CatalogEntityExtractor


@pytest.fixture
def component(monkeypatch, seeded_sqlite_url):
    monkeypatch.setenv("DATABASE_URL", seeded_sqlite_url)
    get_settings.cache_clear()
    yield CatalogEntityExtractor(None, None, {})
    get_settings.cache_clear()


def after_diet(component, text, intent, confidence):
    ranking = [{"name": intent, "confidence": confidence}, {"name": "help", "confidence": 1 - confidence}]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    component.process([message])
    return message


@pytest.mark.parametrize("intent, confidence", [("help", 0.6), ("search_cars", 0.28)])
def test_a_message_naming_only_a_car_is_a_search_surely_enough_not_to_fall_back(component, intent, confidence):
    message = after_diet(component, "y vw?", intent, confidence)
    assert message.get("intent") == {"name": "search_cars", "confidence": DECIDED_CONFIDENCE}
    assert message.get("intent_ranking")[0]["name"] == "search_cars"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("make", "Volkswagen")]


def test_diet_sure_of_something_else_keeps_it_when_the_message_asks_more(component):
    message = after_diet(component, "quiero financiar el jetta", "ask_financing", 0.9)
    assert message.get("intent")["name"] == "ask_financing"
