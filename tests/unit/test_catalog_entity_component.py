"""The NLU component as Rasa runs it after DIET: the catalog entities it adds and the search intent they decide."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from dealer.catalog.entities import is_browse_request
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


@pytest.mark.parametrize(("text", "browse"), [
    ("muestrame los autos", True),
    ("que coches tienen?", True),
    ("enseñame todo el inventario porfa", True),
    ("enseñame mas carros", False),  # the next page
    ("muestrame las opciones", False),  # the menu
    ("me interesa el auto", False),  # the car on screen, not the whole stock
    ("que autos aceptan a cuenta", False),
    ("hola", False),
])
def test_a_request_to_see_the_stock_as_it_is(text, browse):
    assert is_browse_request(text, []) is browse


@pytest.mark.parametrize(("text", "details"), [
    ("dime mas del quinto", True),
    ("ficha del 2", True),
    ("el 2", False),  # a pick: details, financing or a booking, as the dialogue says
    ("financia el 2", False),
])
def test_details_of_a_car_by_its_place_on_the_page(text, details, component):
    message = Message(data={"text": text})
    component.process([message])
    assert (message.get("intent") or {}).get("name") == ("car_details" if details else None)


@pytest.mark.parametrize(("text", "plan"), [
    ("a 48 meses con el 20%", True),
    ("el aveo con 50 mil a 4 años", True),
    ("doy 100000 de enganche", False),  # one answer: the form's question decides
    ("a 4 años", False),
])
def test_a_down_payment_and_a_term_together_ask_for_a_plan(text, plan, component):
    message = Message(data={"text": text})
    component.process([message])
    assert ((message.get("intent") or {}).get("name") == "ask_financing") is plan
