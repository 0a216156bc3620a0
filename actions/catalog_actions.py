"""Rasa actions for the catalog conversation: thin adapters over `dealer.catalog`."""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Optional, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.services import catalog, settings
from dealer.catalog import presenter
from dealer.catalog.alternatives import nearest
from dealer.catalog.listing import STOCK_IDS_SLOT, Listing, Pick, named_on_screen
from dealer.catalog.navigation import CarReference, requested_car, requested_page
from dealer.catalog.query import CarFilters, apply_query, names_a_car, parse_query
from dealer.catalog.repository import CarRecord, Page

logger = logging.getLogger(__name__)

# Longer messages are cut before parsing: fuzzy matching grows with the number of words.
MAX_PARSED_CHARS = 300
SERVICE_UNAVAILABLE = "Perdón, no pude consultar el inventario en este momento 🙏. Intenta de nuevo en un minuto."

T = TypeVar("T")


def latest_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return text[:MAX_PARSED_CHARS] if isinstance(text, str) else ""


def listing_events(page: Page, filters: CarFilters) -> list[EventType]:
    return [SlotSet(name, value) for name, value in Listing.slots_for(page, filters).items()]


def current_listing(tracker: Tracker) -> Listing:
    return Listing.from_slots(tracker.current_slot_values())


def _names_only_a_car(filters: CarFilters) -> bool:
    return bool(filters.model) and filters == CarFilters(make=filters.make, model=filters.model, sort=filters.sort)


def _pointed_on_screen(tracker: Tracker) -> Optional[CarRecord]:
    """The car on screen a message points at by its model («el Aveo», «ese Versa»), if exactly one is there."""
    listing = current_listing(tracker)
    if not listing.visible():
        return None
    repository = catalog()
    cars = {stock_id: car for stock_id in listing.visible() if (car := repository.get(stock_id)) is not None}
    stock_id = named_on_screen(latest_text(tracker), listing, repository.name_matcher(), cars)
    return cars.get(stock_id) if stock_id else None


class CatalogAction(Action, abc.ABC):
    """Runs the catalog work in a thread and answers politely if the database fails.

    Abstract, so the SDK registers only its concrete subclasses."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await asyncio.to_thread(self.respond, dispatcher, tracker)
        except SQLAlchemyError:
            logger.exception("catalog query failed in %s", self.name())
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []

    @abc.abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Reply through the dispatcher and return the events; runs in a worker thread."""


class ActionListBrands(CatalogAction):
    def name(self) -> str:
        return "action_list_brands"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        dispatcher.utter_message(text=presenter.brands_message(catalog().brand_counts()))
        return []


class ActionSearchCars(CatalogAction):
    def name(self) -> str:
        return "action_search_cars"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        repository = catalog()
        current = CarFilters.from_slot(tracker.get_slot("search_filters"))
        parsed = parse_query(latest_text(tracker), repository.name_matcher(), current)
        if (parsed.filters.is_empty() and parsed.unmatched_words and parsed.filters.sort == "price_asc"
                and not parsed.dollars):  # «12k usd»: say prices are pesos rather than «no encontré "usd"»
            suggestions = repository.name_matcher().suggest_makes(parsed.unmatched_words)
            most_stocked = [] if suggestions else [make for make, _ in repository.brand_counts()[:4]]
            dispatcher.utter_message(text=presenter.unknown_brand_message(parsed.unmatched_words, suggestions, most_stocked))
            return []
        pointed = _pointed_on_screen(tracker) if _names_only_a_car(parsed.filters) else None
        if pointed is not None:  # «el Aveo» with one Aveo on screen: that car, not a new search
            dispatcher.utter_message(text=presenter.car_details_message(pointed))
            return [SlotSet("selected_car", pointed.stock_id)]
        filters = apply_query(parsed, current)
        notes = presenter.search_notes(parsed.needs, parsed.unrecorded, parsed.dollars)
        page = repository.search(filters, page=1, page_size=settings().page_size)
        if page.total:
            dispatcher.utter_message(text=presenter.listing_message(page, filters, notes))
            return listing_events(page, filters)
        if filters != parsed.filters and names_a_car(parsed.filters):
            # «y cx5?» on top of a search that no CX-5 meets: the car named now, on its own, if there is one.
            own = repository.search(parsed.filters, page=1, page_size=settings().page_size)
            if own.total:
                missing = presenter.nothing_of(filters)
                dispatcher.utter_message(text=presenter.listing_message(own, parsed.filters, [*notes, missing]))
                return listing_events(own, parsed.filters)
        previous = current_listing(tracker)
        if previous.filters is not None and previous.stock_ids:
            # The listing on screen stays the one «el 1» and a refinement refer to; the failed search is only said.
            first_car = repository.get(previous.stock_ids[0])
            dispatcher.utter_message(text=presenter.nothing_found_keeping_listing(filters, first_car, notes))
            return []
        alternatives = nearest(repository, filters)
        dispatcher.utter_message(text=presenter.alternatives_message(filters, alternatives, notes))
        # Nothing was listed before: the nearest cars become the listing. The search asked for stays its filters (a
        # refinement builds on it); the cars are numbered across the alternatives («detalles del 4»: the fourth shown).
        shown = [car.stock_id for alternative in alternatives for car in alternative.page.cars]
        return [*listing_events(page, filters), SlotSet(STOCK_IDS_SLOT, shown)]


class ActionChangePage(CatalogAction):
    def name(self) -> str:
        return "action_change_page"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        listing = current_listing(tracker)
        if listing.filters is None:
            dispatcher.utter_message(text=presenter.page_hint_without_listing())
            return []
        filters = listing.filters
        asked = requested_page(latest_text(tracker), listing.page)
        page = catalog().search(filters, page=asked, page_size=settings().page_size)
        if page.number != asked and page.number == listing.page:
            dispatcher.utter_message(text=presenter.page_out_of_range(page, asked))
            return []
        dispatcher.utter_message(text=presenter.listing_message(page, filters))
        return listing_events(page, filters)


class ActionCarDetails(CatalogAction):
    def name(self) -> str:
        return "action_car_details"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        listing = current_listing(tracker)
        reference = listing.meant(requested_car(latest_text(tracker), catalog().stock_id_format()))
        if reference is None and (pointed := _pointed_on_screen(tracker)) is not None:
            reference = CarReference(stock_id=pointed.stock_id)  # «detalles del Kicks»: the Kicks on screen
        pick = listing.on_page(reference) if reference else None
        if pick is None or pick.outcome is not Pick.CHOSEN or pick.stock_id is None:
            dispatcher.utter_message(text=presenter.position_not_on_page(len(listing.stock_ids)) if listing.stock_ids
                                     else presenter.page_hint_without_listing())
            return []
        car = catalog().get(pick.stock_id)
        if car is None:
            dispatcher.utter_message(text=presenter.car_not_found(pick.stock_id))
            return []
        dispatcher.utter_message(text=presenter.car_details_message(car))
        return [SlotSet("selected_car", car.stock_id)]

