"""The financing form never traps: answers fill it, the first other message is served and the question comes back,
a second one (or «ya no», «ok gracias») leaves it with what was given. Real trackers, domain and seeded catalog."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.financing_actions import ActionAskSelectedCar, ActionFinancingPlan, ValidateFinancingForm
from actions.services import catalog
from dealer.catalog.query import CarFilters
from tests.actions.conftest import DOMAIN, make_tracker, slots_from


async def in_form(text: str, intent: str, slots: dict[str, Any]):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, slots, active_loop="financing_form")
    events = await ValidateFinancingForm().run(dispatcher, tracker, DOMAIN)
    return [message.get("text") for message in dispatcher.messages], events


def left_the_form(events) -> bool:
    return any(event.get("event") == "active_loop" and event.get("name") is None for event in events)


@pytest.fixture
def asking_down_payment() -> dict[str, Any]:
    car = catalog().search(CarFilters(make="Chevrolet"), page=1, page_size=5).cars[0]
    return {"selected_car": car.stock_id, "requested_slot": "down_payment", "form_digressions": 0}


async def test_a_financing_question_is_answered_with_the_configured_terms_and_the_form_asks_again(asking_down_payment):
    messages, events = await in_form("oye y qué tasa manejan?", "ask_dealer", asking_down_payment)
    assert len(messages) == 1 and "10% anual" in messages[0] and "3, 4, 5 o 6 años" in messages[0]
    assert slots_from(events) == {"form_digressions": 1} and not left_the_form(events)


async def test_thanks_are_thanked_and_the_form_asks_again(asking_down_payment):
    messages, events = await in_form("muchas gracias", "thank", asking_down_payment)
    assert messages == ["¡Con gusto! 😊"] and slots_from(events) == {"form_digressions": 1}


async def test_a_second_message_in_a_row_that_is_not_an_answer_leaves_the_form(asking_down_payment):
    state = {**asking_down_payment, "form_digressions": 1}
    messages, events = await in_form("puedo dejar mi carro a cuenta?", "ask_dealer", state)
    assert left_the_form(events) and slots_from(events) == {"form_digressions": 0}
    assert "retomamos" in messages[-1] and len(messages) == 2  # the answer, then how to come back


@pytest.mark.parametrize("text, intent", [("ya no", "deny"), ("ok gracias", "thank"), ("luego lo veo", "deny"),
                                          ("mejor luego", "nlu_fallback")])
async def test_closing_the_topic_leaves_at_once_keeping_what_was_given(asking_down_payment, text, intent):
    messages, events = await in_form(text, intent, asking_down_payment)
    assert left_the_form(events)
    assert "selected_car" not in slots_from(events)  # the car chosen stays for later
    assert "retomamos" in messages[-1]


@pytest.mark.parametrize("intent", ["search_cars", "goodbye", "help", "list_brands"])
async def test_messages_with_a_flow_of_their_own_are_left_to_the_rules(asking_down_payment, intent):
    messages, events = await in_form("lo que sea", intent, asking_down_payment)
    assert messages == [] and events == []  # rejected: the rule ends the form and runs the flow


async def test_an_answer_after_a_digression_resets_the_count(asking_down_payment):
    state = {**asking_down_payment, "form_digressions": 1}
    _, events = await in_form("50 mil", "inform", state)
    slots = slots_from(events)
    assert slots["down_payment"] == "50000.00" and slots["form_digressions"] == 0


async def test_down_payment_and_term_before_the_car_are_kept_and_said_back():
    dispatcher = CollectingDispatcher()
    events = await ValidateFinancingForm().run(
        dispatcher, make_tracker("quiero financiarlo con 30 mil de enganche a 5 años", "ask_financing", {}), DOMAIN)
    slots = slots_from(events)
    assert slots["down_payment"] == "30000.00" and slots["finance_term"] == 5
    ask = CollectingDispatcher()
    await ActionAskSelectedCar().run(ask, make_tracker("", "ask_financing", slots), DOMAIN)
    assert "Anoté enganche de $30,000.00 y plazo de 5 años" in ask.messages[0]["text"]


async def test_with_a_listing_on_screen_the_form_asks_which_one_naming_the_first_cars():
    cars = catalog().search(CarFilters(make="Chevrolet"), page=1, page_size=5).cars
    slots = {"listing_stock_ids": [car.stock_id for car in cars], "listing_page": 1,
             "search_filters": {"make": "Chevrolet"}}
    ask = CollectingDispatcher()
    await ActionAskSelectedCar().run(ask, make_tracker("", "ask_financing", slots), DOMAIN)
    text = ask.messages[0]["text"]
    assert text.startswith("¿Cuál de la lista")
    assert "el 1 (" in text and "el 3 (" in text and "el 4 (" not in text
    assert cars[0].model in text


async def test_a_supposed_price_gives_an_estimate_without_a_car():
    dispatcher = CollectingDispatcher()
    events = await ValidateFinancingForm().run(
        dispatcher, make_tracker("si el auto cuesta 250 mil, ¿cuánto pagaría con 50 mil a 4 años?", "ask_financing",
                                 {}), DOMAIN)
    slots = slots_from(events)
    assert slots["assumed_price"] == "250000.00" and slots["down_payment"] == "50000.00"
    assert slots["finance_term"] == 4 and slots["requested_slot"] is None
    plan = CollectingDispatcher()
    plan_events = await ActionFinancingPlan().run(plan, make_tracker("", "ask_financing", slots), DOMAIN)
    text = plan.messages[0]["text"]
    assert "Estimación para un auto de $250,000.00" in text and "Monto a financiar: $200,000.00" in text
    assert "Intereses totales" in text and "Total pagado" in text
    assert slots_from(plan_events) == {"assumed_price": None}


async def test_a_question_read_as_a_search_without_catalog_words_is_served_not_searched(asking_down_payment):
    messages, events = await in_form("y tienen garantia?", "search_cars", asking_down_payment)
    assert messages and "garantía" in messages[0].lower() and slots_from(events) == {"form_digressions": 1}


async def test_asked_which_car_a_model_named_answers_instead_of_searching():
    state = {"requested_slot": "selected_car", "down_payment": "30000.00", "finance_term": 5}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("un versa", "search_cars", state, active_loop="financing_form")
    tracker.latest_message["entities"] = [{"entity": "model", "value": "Versa"}]
    events = await ValidateFinancingForm().run(dispatcher, tracker, DOMAIN)
    versa = catalog().search(CarFilters(model="Versa"), page=1, page_size=5).cars
    assert len(versa) == 1 and slots_from(events)["selected_car"] == versa[0].stock_id


async def test_a_supposed_price_read_as_a_question_opens_the_financing_form():
    from actions.fallback_actions import ActionFallback

    dispatcher = CollectingDispatcher()
    events = await ActionFallback().run(
        dispatcher, make_tracker("si el auto cuesta 250 mil, ¿cuánto pagaría?", "ask_dealer", {}), DOMAIN)
    assert events == [{"event": "followup", "timestamp": None, "name": "financing_form"}] and not dispatcher.messages


# The booking, contact and trade-in forms read their answers from the text and never trap either.
async def in_other_form(action, form: str, text: str, intent: str, slots: dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(text, intent, slots, active_loop=form), DOMAIN)
    return [message.get("text") for message in dispatcher.messages], events


async def test_a_question_during_the_booking_is_answered_and_the_day_asked_again():
    from actions.booking_actions import ActionAskAppointmentDay, ValidateAppointmentForm

    state = {"appointment_branch": "Polanco", "requested_slot": "appointment_day", "form_digressions": 0}
    messages, events = await in_other_form(ValidateAppointmentForm(), "appointment_form", "¿qué garantía tienen?",
                                           "ask_dealer", state)
    assert "garantía" in messages[0] and slots_from(events) == {"form_digressions": 1} and not left_the_form(events)
    dispatcher = CollectingDispatcher()
    await ActionAskAppointmentDay().run(dispatcher, make_tracker("", "ask_dealer", {**state, "form_digressions": 1}),
                                        DOMAIN)
    assert dispatcher.messages[0]["text"].startswith("Sigamos 👉")
    messages, events = await in_other_form(ValidateAppointmentForm(), "appointment_form", "¿y aceptan tarjeta?",
                                           "ask_dealer", {**state, "form_digressions": 1})
    assert left_the_form(events) and "retomamos" in messages[-1]


async def test_a_day_read_as_a_question_is_still_the_answer_and_a_search_leaves_to_the_rules():
    from actions.booking_actions import ValidateAppointmentForm

    state = {"appointment_branch": "Polanco", "requested_slot": "appointment_day", "form_digressions": 1}
    _, events = await in_other_form(ValidateAppointmentForm(), "appointment_form", "¿puede ser el sábado?",
                                    "ask_dealer", state)
    slots = slots_from(events)
    assert slots.get("appointment_day") and slots["form_digressions"] == 0
    assert await in_other_form(ValidateAppointmentForm(), "appointment_form", "busco un jetta", "search_cars",
                               state) == ([], [])


async def test_contact_details_no_thanks_declines_the_email_and_thanks_are_thanked():
    from actions.contact_actions import ValidateContactForm

    state = {"customer_name": "Ana", "customer_phone": "+525512345678", "requested_slot": "customer_email"}
    _, events = await in_other_form(ValidateContactForm(), "contact_form", "no gracias", "thank", state)
    assert slots_from(events)["customer_email"] == "" and not left_the_form(events)
    messages, events = await in_other_form(ValidateContactForm(), "contact_form", "gracias", "thank",
                                           {**state, "requested_slot": "contact_consent"})
    assert messages == ["¡Con gusto! 😊"] and slots_from(events) == {"form_digressions": 1}


async def test_a_question_asked_the_name_is_not_taken_as_the_name():
    from actions.contact_actions import ValidateContactForm

    messages, events = await in_other_form(ValidateContactForm(), "contact_form", "¿para qué quieren mi nombre?",
                                           "ask_dealer", {"requested_slot": "customer_name"})
    assert "customer_name" not in slots_from(events) and slots_from(events)["form_digressions"] == 1


async def test_the_trade_in_serves_a_question_and_takes_a_year_whatever_the_intent():
    from actions.tradein_actions import ValidateTradeInForm

    state = {"tradein_make": "Nissan", "tradein_model": "Versa", "requested_slot": "tradein_year"}
    messages, events = await in_other_form(ValidateTradeInForm(), "trade_in_form", "¿cuánto tarda el avalúo?",
                                           "ask_dealer", state)
    assert messages and slots_from(events) == {"form_digressions": 1}
    _, events = await in_other_form(ValidateTradeInForm(), "trade_in_form", "es modelo 2018", "ask_dealer",
                                    {**state, "form_digressions": 1})
    assert slots_from(events)["tradein_year"] == 2018
    messages, events = await in_other_form(ValidateTradeInForm(), "trade_in_form", "gracias", "thank",
                                           {"requested_slot": "tradein_make"})
    assert messages == ["¡Con gusto! 😊"] and "tradein_make" not in slots_from(events)  # not a make «Gracias»
    assert await in_other_form(ValidateTradeInForm(), "trade_in_form", "ya no", "deny", state) == ([], [])
    from actions.tradein_actions import ActionAskTradeInMake

    dispatcher = CollectingDispatcher()
    await ActionAskTradeInMake().run(dispatcher, make_tracker("", "ask_dealer", {"form_digressions": 1}), DOMAIN)
    assert dispatcher.messages[0]["text"] == "Sigamos 👉 ¿Qué marca es tu auto?"
