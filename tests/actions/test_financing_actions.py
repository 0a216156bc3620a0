"""The financing form and plan through the Rasa SDK, with real trackers, the real domain and the seeded SQLite catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from actions.financing_actions import ActionAskDownPayment, ActionFinancingPlan, ValidateFinancingForm
from actions.services import catalog
from dealer.catalog.query import CarFilters
from dealer.database import session_scope
from dealer.financing.plans import FinancingTerms, compare_terms, compute_plan, format_mxn
from dealer.leads.models import UNCONFIGURED, Lead
from dealer.settings import get_settings
from tests.actions.conftest import DOMAIN, make_tracker, slots_from

TERMS = FinancingTerms()


async def validate(text: str, intent: str, slots: dict[str, Any]):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    # Rasa sends the open form with every turn after the one that opened it (that one asks the first slot).
    active_loop = "financing_form" if slots.get("requested_slot") else None
    events = await ValidateFinancingForm().run(dispatcher, make_tracker(text, intent, slots, active_loop), DOMAIN)
    return [message["text"] for message in dispatcher.messages], slots_from(events)


async def run(action, slots: dict[str, Any], text: str = "", intent: str = "inform"):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(text, intent, slots), DOMAIN)
    return [message["text"] for message in dispatcher.messages], events


@pytest.fixture
def listing() -> dict[str, Any]:
    page = catalog().search(CarFilters(make="Chevrolet"), page=1, page_size=5)
    return {"search_filters": {"make": "Chevrolet", "sort": "price_asc"}, "listing_page": 1,
            "listing_stock_ids": [car.stock_id for car in page.cars]}


async def test_one_message_fills_car_down_payment_and_term(listing):
    _, slots = await validate("quiero financiar el 2 con 50 mil de enganche a 4 años", "ask_financing", listing)
    assert slots["selected_car"] == listing["listing_stock_ids"][1]
    assert slots["down_payment"] == "50000.00"
    assert slots["finance_term"] == 4


async def test_the_form_only_asks_for_what_is_missing(listing):
    _, slots = await validate("¿cuánto pagaría al mes por el 2?", "ask_financing", listing)
    assert slots == {"selected_car": listing["listing_stock_ids"][1]}


async def test_a_down_payment_below_the_minimum_says_what_is_allowed_and_keeps_the_car(listing):
    car = catalog().get(listing["listing_stock_ids"][0])
    state = {**listing, "selected_car": car.stock_id, "requested_slot": "down_payment"}
    messages, slots = await validate("5 mil", "inform", state)
    minimum = format_mxn((Decimal(car.price) / 10).to_integral_value(rounding="ROUND_CEILING"))
    assert slots["down_payment"] is None and "selected_car" not in slots
    assert "menor al mínimo" in messages[0] and minimum in messages[0]


@pytest.mark.parametrize("answer, expected", [("20%", "20%"), ("cincuenta mil", "50000.00"), ("$60,000.00", "60000.00")])
async def test_down_payments_as_people_write_them(listing, answer, expected):
    state = {**listing, "selected_car": listing["listing_stock_ids"][-1], "requested_slot": "down_payment"}
    _, slots = await validate(answer, "inform", state)
    assert slots["down_payment"] == expected


@pytest.mark.parametrize("answer, refusal", [
    ("todo, 10 millones", "nada por financiar"), ("-5000", "negativo"), ("no sé", "No entendí el enganche"),
])
async def test_refused_down_payments(listing, answer, refusal):
    state = {**listing, "selected_car": listing["listing_stock_ids"][0], "requested_slot": "down_payment"}
    messages, slots = await validate(answer, "inform", state)
    assert slots["down_payment"] is None
    assert refusal in " ".join(messages)


@pytest.mark.parametrize("answer, expected", [("a 5 años", 5), ("6", 6), ("48 meses", 4), ("compara plazos", "all")])
async def test_terms(listing, answer, expected):
    state = {**listing, "selected_car": listing["listing_stock_ids"][0], "down_payment": "50000.00",
             "requested_slot": "finance_term"}
    _, slots = await validate(answer, "inform", state)
    assert slots["finance_term"] == expected


async def test_a_term_outside_the_offer_is_refused_with_the_allowed_ones(listing):
    state = {**listing, "selected_car": listing["listing_stock_ids"][0], "down_payment": "50000.00",
             "requested_slot": "finance_term"}
    messages, slots = await validate("a 9 años", "inform", state)
    assert slots["finance_term"] is None
    assert messages == ["No manejamos plazo de 9 años; elige 3, 4, 5 o 6 años."]


async def test_a_model_with_several_cars_shows_them_and_asks_which():
    count = catalog().count(CarFilters(make="Chevrolet", model="Aveo"))
    assert count > 1
    messages, slots = await validate("quiero financiar un aveo", "ask_financing", {})
    assert slots["selected_car"] is None
    assert len(slots["listing_stock_ids"]) == min(5, count)
    assert messages[0].startswith(f"Encontré {count} autos")


async def test_a_new_search_during_the_form_is_left_to_the_rules(listing):
    state = {**listing, "selected_car": listing["listing_stock_ids"][0], "requested_slot": "down_payment"}
    messages, slots = await validate("mejor un mazda", "search_cars", state)
    assert messages == [] and slots == {}


async def test_the_down_payment_question_states_the_minimum(listing):
    car = catalog().get(listing["listing_stock_ids"][0])
    messages, _ = await run(ActionAskDownPayment(), {"selected_car": car.stock_id})
    assert format_mxn(Decimal(car.price)) in messages[0] and "mínimo" in messages[0]


def _lead_count() -> int:
    with session_scope(get_settings().database_url) as session:
        return session.scalar(select(func.count()).select_from(Lead))


async def test_a_plan_is_computed_by_code_and_stored_as_a_lead(listing):
    car = catalog().get(listing["listing_stock_ids"][2])
    before = _lead_count()
    messages, events = await run(ActionFinancingPlan(), {"selected_car": car.stock_id, "down_payment": "20%",
                                                         "finance_term": 4})
    down_payment = Decimal(car.price) * Decimal("0.2")
    plan = compute_plan(Decimal(car.price), down_payment, 4, TERMS)
    assert f"Mensualidad: {format_mxn(plan.monthly_payment)}" in messages[0]
    assert f"× {plan.payments}" in messages[0] and format_mxn(down_payment) in messages[0]
    for amount in (plan.financed_amount, plan.total_interest, plan.down_payment + plan.total_paid):
        assert format_mxn(amount) in messages[0]
    assert events == []
    assert _lead_count() == before + 1
    with session_scope(get_settings().database_url) as session:
        lead = session.scalars(select(Lead).order_by(Lead.id.desc())).first()
        assert (lead.customer_id, lead.stock_id, lead.notification_status) == ("test-customer", car.stock_id, UNCONFIGURED)
        assert lead.plans[0]["monthly_payment"] == f"{plan.monthly_payment:.2f}"


async def test_compare_shows_every_term_side_by_side(listing):
    car = catalog().get(listing["listing_stock_ids"][0])
    messages, _ = await run(ActionFinancingPlan(), {"selected_car": car.stock_id, "down_payment": "30000",
                                                    "finance_term": "all"})
    for plan in compare_terms(Decimal(car.price), Decimal(30000), TERMS):
        assert f"• {plan.years} años: {format_mxn(plan.monthly_payment)}/mes" in messages[0]


async def test_a_down_payment_that_no_longer_fits_the_car_is_asked_again(listing):
    car = catalog().get(listing["listing_stock_ids"][0])
    before = _lead_count()
    messages, events = await run(ActionFinancingPlan(), {"selected_car": car.stock_id, "down_payment": str(car.price),
                                                         "finance_term": 4})
    assert "nada por financiar" in messages[0]
    assert slots_from(events) == {"down_payment": None}
    assert _lead_count() == before


async def validate_as_rasa_fills_it(text: str, slots: dict[str, Any]):
    """As Rasa runs the form: the catalog entities of a financing turn fill down_payment and finance_term through
    their from_entity mappings (SlotSet events after the user's message), then the validation action runs."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from dealer.catalog.entities import find_mentions

    repository = catalog()
    mentions = find_mentions(text, repository.name_matcher(), repository.stock_id_format(), financing=True)
    entity_slots = {"down_payment": "down_payment", "term": "finance_term"}
    filled = {entity_slots[m.entity]: m.value for m in mentions if m.entity in entity_slots}
    tracker = Tracker.from_dict({
        "sender_id": "test-customer", "slots": {**slots, **filled},
        "latest_message": {"text": text, "intent": {"name": "inform", "confidence": 0.99},
                           "entities": [{"entity": m.entity, "value": m.value, "start": m.start, "end": m.end}
                                        for m in mentions]},
        "events": [{"event": "user", "text": text},
                   *({"event": "slot", "name": name, "value": value} for name, value in filled.items())],
        "paused": False, "followup_action": None, "active_loop": {"name": "financing_form"},
        "latest_action_name": "action_listen",
    })
    dispatcher = CollectingDispatcher()
    events = await ValidateFinancingForm().run(dispatcher, tracker, DOMAIN)
    return [message["text"] for message in dispatcher.messages], slots_from(events), filled


@pytest.mark.parametrize("text, down_payment, term", [
    ("56000", "56000.00", None), ("cincuenta mil", "50000.00", None), ("20%", "20%", None),
    ("con 60 mil a cuatro años", "60000.00", 4), ("48 meses", None, 4),
])
async def test_amounts_come_from_the_entities(listing, text, down_payment, term):
    state = {**listing, "selected_car": listing["listing_stock_ids"][-1], "requested_slot": "down_payment"}
    _, slots, filled = await validate_as_rasa_fills_it(text, state)
    assert ("down_payment" in filled) is (down_payment is not None) and ("finance_term" in filled) is bool(term)
    assert slots.get("down_payment") == down_payment and slots.get("finance_term") == term


async def test_what_no_entity_carries_is_still_read(listing):
    state = {**listing, "selected_car": listing["listing_stock_ids"][0], "requested_slot": "down_payment"}
    messages, slots, filled = await validate_as_rasa_fills_it("-5000", state)
    assert filled == {} and slots["down_payment"] is None and "negativo" in " ".join(messages)
    messages, slots, filled = await validate_as_rasa_fills_it("18 meses", {**state, "down_payment": "50000.00",
                                                                           "requested_slot": "finance_term"})
    assert filled == {"finance_term": 1.5} and slots["finance_term"] is None
    assert "plazo" in " ".join(messages).lower()
