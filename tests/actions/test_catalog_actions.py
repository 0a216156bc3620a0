import re
import time

from rasa.core.actions.action import create_bot_utterance
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.catalog_actions import (
    SERVICE_UNAVAILABLE,
    ActionCarDetails,
    ActionChangePage,
    ActionListBrands,
    ActionSearchCars,
)
from actions.fallback_actions import OUT_OF_SCOPE_REPLY, ActionFallback
from dealer.catalog.query import CarFilters
from dealer.dialogue.presenter import OFFER_TO_CONTINUE
from tests.actions.conftest import make_tracker, run_action, slots_from

PAGE = re.compile(r"página (\d+) de (\d+)")


async def test_brands_with_counts(repository):
    messages, events = await run_action(ActionListBrands(), "¿qué marcas tienen?", "list_brands")
    text = messages[0]["text"]
    for make, count in repository.brand_counts():
        assert f"• {make} ({count})" in text
    assert events == []


async def test_misspelled_brand_lists_the_first_page(repository):
    messages, events = await run_action(ActionSearchCars(), "quiero un chebrolet", "search_cars")
    text = messages[0]["text"]
    slots = slots_from(events)
    total = repository.count(CarFilters(make="Chevrolet"))
    assert f"Encontré {total} autos (Chevrolet)" in text
    assert PAGE.search(text).group(1) == "1"
    assert slots["search_filters"] == {"make": "Chevrolet", "sort": "price_asc"}
    assert slots["listing_page"] == 1
    assert len(slots["listing_stock_ids"]) == min(5, total)
    lines = [line for line in text.splitlines() if re.match(r"^\d\. ", line)]
    assert [line[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
    assert all("Chevrolet" in line and "$" in line and " km" in line for line in lines)


async def test_refinement_then_paging_then_details():
    _, events = await run_action(ActionSearchCars(), "busco una SUV de menos de 350 mil", "search_cars")
    slots = slots_from(events)
    assert slots["search_filters"] == {"body_type": "suv", "price_max": 350000, "sort": "price_asc"}

    _, events = await run_action(ActionSearchCars(), "ahora solo automáticos", "search_cars", slots)
    slots = slots_from(events)
    assert slots["search_filters"]["transmission"] == "automatic"
    assert slots["search_filters"]["body_type"] == "suv"

    messages, events = await run_action(ActionChangePage(), "siguiente", "change_page", slots)
    page_two = slots_from(events)
    assert PAGE.search(messages[0]["text"]).group(1) == "2"
    assert page_two["listing_page"] == 2
    assert set(page_two["listing_stock_ids"]).isdisjoint(slots["listing_stock_ids"])

    messages, events = await run_action(ActionCarDetails(), "detalles del 2", "car_details", page_two)
    stock_id = page_two["listing_stock_ids"][1]
    assert f"Clave: {stock_id}" in messages[0]["text"]
    assert events == [SlotSet("selected_car", stock_id)]


async def test_previous_from_the_first_page_says_so():
    _, events = await run_action(ActionSearchCars(), "quiero un nissan", "search_cars")
    messages, events = await run_action(ActionChangePage(), "anterior", "change_page", slots_from(events))
    assert messages[0]["text"] == "Ya estás en la primera página."
    assert events == []


async def test_paging_without_a_listing_asks_what_to_search():
    messages, events = await run_action(ActionChangePage(), "más", "change_page")
    assert "Aún no te he mostrado autos" in messages[0]["text"]
    assert events == []


async def test_details_by_stock_id_without_a_listing(repository):
    car = repository.search(CarFilters(), 1, 1).cars[0]
    messages, _ = await run_action(ActionCarDetails(), f"info del {car.stock_id.lower()}", "car_details")
    assert f"Precio: ${car.price:,}" in messages[0]["text"]


async def test_details_of_a_position_not_on_the_page():
    _, events = await run_action(ActionSearchCars(), "quiero un chevrolet", "search_cars")
    messages, events = await run_action(ActionCarDetails(), "detalles del 9", "car_details", slots_from(events))
    assert "elige un número del 1 al 5" in messages[0]["text"]
    assert events == []


async def test_unknown_brand_offers_the_closest():
    messages, events = await run_action(ActionSearchCars(), "quiero un renoltito", "search_cars")
    assert messages[0]["text"].startswith("No encontré «renoltito» entre las marcas y modelos")
    assert "¿Quisiste decir Renault?" in messages[0]["text"]
    assert events == []


async def test_a_make_as_it_is_said_is_searched():
    messages, _ = await run_action(ActionSearchCars(), "quiero un renol", "search_cars")
    assert messages[0]["text"].startswith("Encontré") and "(Renault)" in messages[0]["text"]


async def test_a_brand_we_do_not_sell_offers_the_most_stocked(repository):
    messages, _ = await run_action(ActionSearchCars(), "quiero un ferrari", "search_cars")
    top = [make for make, _ in repository.brand_counts()[:4]]
    assert f"Las marcas con más opciones son {', '.join(top[:-1])} o {top[-1]}." in messages[0]["text"]


async def test_empty_result_shows_the_nearest_cars_and_says_which_filter_was_dropped(repository):
    messages, events = await run_action(ActionSearchCars(), "un aveo de menos de 20 mil", "search_cars")
    text = messages[0]["text"]
    assert text.startswith("No tengo Chevrolet Aveo · hasta $20,000 en este momento")
    assert "Sin el límite de precio (Chevrolet Aveo)" in text
    slots = slots_from(events)
    assert slots["search_filters"]["price_max"] == 20_000  # the search asked for, not silently dropped
    shown = slots["listing_stock_ids"]
    assert shown and all(repository.get(stock_id).model == "Aveo" for stock_id in shown[:1])
    assert text.count("\n1. ") == 1  # numbered once across the alternatives


async def test_a_model_and_year_not_in_stock_shows_other_years_first(repository):
    years = {car.year for car in repository.search(CarFilters(model="Mazda 3"), page=1, page_size=50).cars}
    missing = next(year for year in range(2010, 2026) if year not in years)
    messages, events = await run_action(ActionSearchCars(), f"tienen mazda 3 {missing}?", "search_cars")
    text = messages[0]["text"]
    assert text.startswith(f"No tengo Mazda 3 · {missing}")
    assert "Sin el filtro de año (Mazda 3)" in text
    assert slots_from(events)["listing_stock_ids"]


async def test_an_empty_result_keeps_the_listing_on_screen_and_says_so(repository):
    years = {car.year for car in repository.search(CarFilters(model="Mazda 3"), page=1, page_size=50).cars}
    missing = next(year for year in range(2010, 2026) if year not in years)
    _, events = await run_action(ActionSearchCars(), "muestrame suvs", "search_cars")
    suvs = slots_from(events)
    messages, events = await run_action(ActionSearchCars(), f"tienen mazda 3 {missing}?", "search_cars", suvs)
    text = messages[0]["text"]
    first = repository.get(suvs["listing_stock_ids"][0])
    assert text.startswith(f"No tengo Mazda 3 · {missing} en este momento")
    assert f"Sigues viendo la lista anterior: «el 1» sigue siendo el {first.make}" in text
    assert "Lo más cercano" not in text
    assert events == []  # the listing, its search and the car selected stay as they were
    messages, events = await run_action(ActionCarDetails(), "detalles del 1", "car_details", suvs)
    assert f"Clave: {first.stock_id}" in messages[0]["text"]


async def test_an_empty_refinement_keeps_the_search_it_refined():
    _, events = await run_action(ActionSearchCars(), "busco un aveo", "search_cars")
    aveos = slots_from(events)
    messages, events = await run_action(ActionSearchCars(), "de menos de 20 mil", "search_cars", aveos)
    assert messages[0]["text"].startswith("No tengo Chevrolet Aveo · hasta $20,000")
    assert "lista anterior" in messages[0]["text"] and events == []


async def test_a_model_named_with_el_is_the_car_of_that_model_on_screen(repository):
    _, events = await run_action(ActionSearchCars(), "autos de menos de 125 mil", "search_cars")
    listing = slots_from(events)
    [aveo] = [stock_id for stock_id in listing["listing_stock_ids"] if repository.get(stock_id).model == "Aveo"]
    messages, events = await run_action(ActionSearchCars(), "el Aveo cuánto cuesta?", "search_cars", listing)
    assert f"Clave: {aveo}" in messages[0]["text"] and "Encontré" not in messages[0]["text"]
    assert events == [SlotSet("selected_car", aveo)]  # the listing stays on screen
    messages, _ = await run_action(ActionCarDetails(), "detalles del aveo", "car_details", listing)
    assert f"Clave: {aveo}" in messages[0]["text"]


async def test_a_model_with_several_cars_on_screen_or_named_with_un_is_searched():
    _, events = await run_action(ActionSearchCars(), "quiero un chevrolet", "search_cars")
    chevrolets = slots_from(events)  # two Aveos on the first page
    messages, _ = await run_action(ActionSearchCars(), "el aveo", "search_cars", chevrolets)
    assert messages[0]["text"].startswith("Encontré") and "(Chevrolet Aveo)" in messages[0]["text"]
    _, events = await run_action(ActionSearchCars(), "autos de menos de 125 mil", "search_cars")
    messages, _ = await run_action(ActionSearchCars(), "busco un aveo", "search_cars", slots_from(events))
    assert messages[0]["text"].startswith("Encontré")


async def test_a_car_named_on_top_of_a_search_it_cannot_meet_is_shown_on_its_own():
    _, events = await run_action(ActionSearchCars(), "un aveo de menos de 20 mil", "search_cars")
    messages, events = await run_action(ActionSearchCars(), "y un versa?", "search_cars", slots_from(events))
    text = messages[0]["text"]
    assert text.startswith("No tengo Nissan Versa · hasta $20,000 en este momento 😕; te muestro lo que hay:")
    assert "Encontré" in text and "(Nissan Versa)" in text
    assert slots_from(events)["search_filters"] == {"make": "Nissan", "model": "Versa", "sort": "price_asc"}


async def test_malformed_slots_do_not_break_the_turn():
    slots = {"search_filters": "not a dict", "listing_page": "x", "listing_stock_ids": [3, None]}
    messages, _ = await run_action(ActionChangePage(), "más", "change_page", slots)
    assert PAGE.search(messages[0]["text"])
    messages, _ = await run_action(ActionCarDetails(), "detalles del 1", "car_details", slots)
    assert "Aún no te he mostrado autos" in messages[0]["text"]


async def test_a_huge_message_is_answered_quickly():
    await run_action(ActionSearchCars(), "chevrolet", "search_cars")  # the name matcher is built on first use
    started = time.perf_counter()
    messages, _ = await run_action(ActionSearchCars(), "chevrolet " * 5000, "search_cars")
    elapsed = time.perf_counter() - started
    assert "Chevrolet" in messages[0]["text"]
    assert elapsed < 0.5, f"a 50,000-character message took {elapsed:.2f} s"  # only the first 300 are parsed


async def test_database_failure_gets_a_polite_reply(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/nope/catalog.db")
    services.reset()
    messages, events = await run_action(ActionListBrands(), "marcas", "list_brands")
    assert messages[0]["text"] == SERVICE_UNAVAILABLE
    assert events == []


async def test_fallback_shows_the_menu_and_reverts_the_turn():
    messages, events = await run_action(ActionFallback(), "asdf qwer", "nlu_fallback")
    assert messages[0]["response"] == "utter_help"
    assert events == [{"event": "rewind", "timestamp": None}]


async def _second_unclear_message(first: str, second: str) -> tuple[list[dict], list[dict]]:
    """Two low-confidence messages in a row: the open answer to the first as Rasa stores it (its reply's metadata
    included), then what the fallback does with the second."""
    first_messages, _ = await run_action(ActionFallback(), first, "nlu_fallback")
    replies = [create_bot_utterance({key: value for key, value in message.items() if value}).as_dict()
               for message in first_messages]
    tracker = make_tracker(second, "nlu_fallback").current_state()
    unclear = {"parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3}}, "event": "user"}
    tracker["events"] = [{**unclear, "text": first}, {"event": "action", "name": "action_fallback"}, *replies,
                         {"event": "rewind"}, {"event": "action", "name": "action_listen"}, {**unclear, "text": second}]
    dispatcher = CollectingDispatcher()
    events = await ActionFallback().run(dispatcher, Tracker.from_dict(tracker), {})
    return dispatcher.messages, events


async def test_a_second_unclear_message_hands_off_unless_the_first_was_answered_from_the_knowledge():
    messages, events = await _second_unclear_message("asdf qwer", "zxcv uiop")
    assert messages == [] and events == [{"event": "followup", "name": "action_prepare_handoff", "timestamp": None}]
    messages, events = await _second_unclear_message("¿puedo devolver el auto si no me gusta?", "y la garantia?")
    assert "garantía" in messages[0]["text"].lower() and all(event["event"] != "followup" for event in events)


async def test_without_a_model_a_question_about_the_dealer_gets_the_knowledge_passage():
    messages, _ = await run_action(ActionFallback(), "¿puedo devolver el auto si no me gusta?", "ask_dealer")
    assert "7 días" in messages[0]["text"]


async def test_a_knowledge_answer_greets_back_and_offers_to_continue():
    messages, _ = await run_action(ActionFallback(), "hola, ¿me haces descuento?", "ask_dealer")
    text = messages[0]["text"]
    assert text.startswith("¡Hola! 👋") and "precios son fijos" in text
    assert text.endswith(OFFER_TO_CONTINUE)


async def test_without_a_model_out_of_scope_gets_a_polite_no():
    messages, _ = await run_action(ActionFallback(), "cuéntame un chiste", "out_of_scope")
    assert messages[0]["text"] == OUT_OF_SCOPE_REPLY
