"""Rasa actions for financing: the form's extraction and validation, its questions, and the plan itself.

Thin adapters over `dealer.financing`; the catalog is read through the same repository as the listings."""

from __future__ import annotations

import asyncio
import logging
import re
from decimal import Decimal
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.catalog_actions import SERVICE_UNAVAILABLE, CatalogAction, current_listing, latest_text
from actions.form_digressions import FormThatNeverTraps, asked_again
from actions.services import catalog, lead_notifier, settings
from dealer import metrics
from dealer.catalog import presenter as catalog_presenter
from dealer.catalog.listing import LISTING_SLOTS, Listing, Pick, pick_car
from dealer.catalog.repository import CarRecord
from dealer.financing import presenter
from dealer.financing.plans import check_down_payment, compare_terms, compute_plan, to_cents
from dealer.financing.reading import (
    DownPaymentInput,
    FinancingMessage,
    asks_how_financing_works,
    read_financing_message,
)
from dealer.leads.store import LeadStore, NewLead
from dealer.privacy import pseudonym
from dealer.tradeins import presenter as tradein_presenter

logger = logging.getLogger(__name__)

# give_contact: «50 mil, mi cel es 55…» answers the down payment; the phone is not an amount (dealer/amounts.py).
# trade_in_value: an amount can read as an estimate for the customer's car; inside the form it is the down payment.
ANSWER_INTENTS = ("inform", "ask_financing", "car_details", "nlu_fallback", "give_contact", "trade_in_value")
ASSUMED_PRICE_SLOT = "assumed_price"
ALL_TERMS = "all"  # finance_term value for "compara plazos"
_CAR_ENTITIES = {"make", "model", "stock_id", "position"}  # a car named by the catalog's words
_BARE_NUMBER = re.compile(r"\s*(\d{1,2})\s*")
_NO_DOWN_PAYMENT = re.compile(r"\b(?:sin enganche|nada de enganche|no tengo enganche|cero)\b")


def _car(stock_id: Any) -> Optional[CarRecord]:
    return catalog().get(stock_id) if isinstance(stock_id, str) else None


def _trade_in(tracker: Tracker) -> int:
    """Pesos the customer was offered for their car (actions/tradein_actions.py): part of the down payment."""
    value = tracker.get_slot("trade_in_value")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _assumed_price(tracker: Tracker) -> Optional[Decimal]:
    value = tracker.get_slot(ASSUMED_PRICE_SLOT)
    try:
        return Decimal(value) if isinstance(value, str) and Decimal(value) > 0 else None
    except ArithmeticError:
        return None


def _price(tracker: Tracker) -> Optional[Decimal]:
    """The price the plan is for: the car chosen, else a price the customer supposed."""
    car = _car(tracker.get_slot("selected_car"))
    return Decimal(car.price) if car is not None else _assumed_price(tracker)


class ValidateFinancingForm(FormThatNeverTraps):
    """Fills the car, the down payment and the term from whatever the customer wrote, in any order; a message that
    is not an answer is served (FormThatNeverTraps)."""

    answer_intents = ANSWER_INTENTS
    resume_hint = "escribe «financiar» o «cuánto pagaría al mes por el 2»."

    def name(self) -> str:
        return "validate_financing_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await super().run(dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("catalog query failed while validating the financing form")
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return [SlotSet("requested_slot", None)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # A listing shown to pick among several cars of one model must reach the tracker too.
        listing = {name: value for name, value in tracker.slots_to_validate().items()
                   if name in (*LISTING_SLOTS, ASSUMED_PRICE_SLOT)}
        events = await super().get_validation_events(dispatcher, tracker, domain)
        return events + [SlotSet(name, value) for name, value in listing.items()]

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        # A price the customer supposes stands in for the car: the plan is an estimate.
        if tracker.get_slot(ASSUMED_PRICE_SLOT) and not tracker.get_slot("selected_car"):
            return [slot for slot in domain_slots if slot != "selected_car"]
        return domain_slots

    def answering_intents(self, tracker: Tracker) -> tuple[str, ...]:
        # Asked which car, «un versa» names one: it answers (several Versas are listed to pick from), not a search.
        names_a_car = {entity.get("entity") for entity in tracker.latest_message.get("entities") or []} & _CAR_ENTITIES
        if tracker.get_slot("requested_slot") == "selected_car" and names_a_car:
            return (*self.answer_intents, "search_cars")
        return self.answer_intents

    def carries_answer(self, tracker: Tracker) -> bool:
        message = self._message(tracker)
        entities = {entity.get("entity") for entity in tracker.latest_message.get("entities") or []}
        return bool(
            message.car or message.down_payment or message.years is not None or message.compare_terms
            or message.assumed_price is not None or self._bare_number(tracker) is not None
            or entities & _CAR_ENTITIES or _NO_DOWN_PAYMENT.search(latest_text(tracker).lower())
        )

    def asks_about_the_form(self, tracker: Tracker) -> bool:
        return asks_how_financing_works(latest_text(tracker))

    @staticmethod
    def _message(tracker: Tracker) -> FinancingMessage:
        return read_financing_message(latest_text(tracker), catalog().stock_id_format())

    @staticmethod
    def _bare_number(tracker: Tracker) -> Optional[int]:
        match = _BARE_NUMBER.fullmatch(latest_text(tracker))
        return int(match.group(1)) if match else None

    async def extract_selected_car(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if asked in ("down_payment", "finance_term") and self._bare_number(tracker) is not None:
            return {}  # "5" answers the question asked, it does not pick car number 5
        message = self._message(tracker)
        if message.assumed_price is not None:
            return {ASSUMED_PRICE_SLOT: str(message.assumed_price), "selected_car": None}
        found = await asyncio.to_thread(self._resolve_car, dispatcher, tracker, message)
        return found if found.get("selected_car") else {**found, **self._ask_again(tracker, "selected_car")}

    @staticmethod
    def _ask_again(tracker: Tracker, slot: str) -> dict[str, Any]:
        """Re-ask the question instead of letting the form reject an answer it could not read."""
        return {slot: None} if tracker.get_slot("requested_slot") == slot else {}

    def _resolve_car(self, dispatcher: CollectingDispatcher, tracker: Tracker, message: FinancingMessage) -> dict[str, Any]:
        listing = current_listing(tracker)
        pick = pick_car(listing, message.car, message.car_text, catalog(), settings().page_size)
        if pick.outcome is Pick.CHOSEN:
            return {"selected_car": pick.stock_id}
        if pick.outcome is Pick.BAD_POSITION:
            dispatcher.utter_message(text=catalog_presenter.position_not_on_page(len(listing.stock_ids)))
        elif pick.outcome is Pick.NOT_IN_STOCK:
            dispatcher.utter_message(text=presenter.car_not_in_stock())
        elif pick.outcome is Pick.AMBIGUOUS and pick.page and pick.filters:
            # Several cars of that model: show them; the form then asks which one.
            dispatcher.utter_message(text=catalog_presenter.listing_message(pick.page, pick.filters))
            return {"selected_car": None, **Listing.slots_for(pick.page, pick.filters)}
        return {}

    async def extract_down_payment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        entity = next(tracker.get_latest_entity_values("down_payment"), None)
        if entity is not None:  # «56000», «50 mil», «20%» in a financing turn (the slot's from_entity mapping)
            return {"down_payment": entity}
        # No entity for a negative amount, a bare «0», a plain number below a thousand: read, then refused or re-asked.
        written = self._message(tracker).down_payment
        if written is None and _NO_DOWN_PAYMENT.search(latest_text(tracker).lower()):
            written = DownPaymentInput(Decimal(0))
        if written:
            return {"down_payment": written.to_slot()}
        reask = self._ask_again(tracker, "down_payment")
        if reask:
            dispatcher.utter_message(text=presenter.down_payment_not_understood())
        return reask

    async def extract_finance_term(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = self._message(tracker)
        if message.compare_terms:
            return {"finance_term": ALL_TERMS}
        entity = next(tracker.get_latest_entity_values("term"), None)
        if entity is not None:  # «a 4 años», «48 meses», «a seis»
            return {"finance_term": entity}
        years = message.years
        if years is None and tracker.get_slot("requested_slot") == "finance_term":
            years = self._bare_number(tracker)
        if years is not None:
            return {"finance_term": years}
        reask = self._ask_again(tracker, "finance_term")
        if reask:
            dispatcher.utter_message(text=presenter.term_not_understood(settings().financing))
        return reask

    async def validate_selected_car(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        car = await asyncio.to_thread(_car, value)
        if car is None:
            if value is not None:
                dispatcher.utter_message(text=catalog_presenter.car_not_found(str(value)))
            return {"selected_car": None}
        return {"selected_car": car.stock_id}

    async def validate_down_payment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        written = DownPaymentInput.from_slot(value)
        if written is None:
            return {"down_payment": None}
        if not written.is_percent:  # an entity carries whole pesos (56000), the slot keeps cents ("56000.00")
            written = DownPaymentInput(to_cents(written.value))
        price = await asyncio.to_thread(_price, tracker)
        if price is None:
            return {"down_payment": written.to_slot()}  # checked against the price once the car is known
        terms = settings().financing
        problem = check_down_payment(price, written.pesos(price) + _trade_in(tracker), terms)
        if problem:
            dispatcher.utter_message(text=presenter.down_payment_problem(problem, price, terms))
            return {"down_payment": None}
        return {"down_payment": written.to_slot()}

    async def validate_finance_term(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == ALL_TERMS:
            return {"finance_term": ALL_TERMS}
        terms = settings().financing
        if isinstance(value, float) and not value.is_integer():  # «18 meses»: plans come in whole years only
            dispatcher.utter_message(text=presenter.term_not_understood(terms))
            return {"finance_term": None}
        if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) in terms.terms_years:
            return {"finance_term": int(value)}
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            dispatcher.utter_message(text=presenter.term_not_offered(int(value), terms))
        return {"finance_term": None}


class ActionAskSelectedCar(CatalogAction):
    def name(self) -> str:
        return "action_ask_selected_car"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        listing = current_listing(tracker)
        found = (catalog().get(stock_id) for stock_id in listing.stock_ids[:presenter.CARS_NAMED_IN_QUESTION])
        listed = [car for car in found if car is not None]
        given = DownPaymentInput.from_slot(tracker.get_slot("down_payment"))
        term = tracker.get_slot("finance_term")
        question = presenter.ask_car(listed, given, term)
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []




class ActionAskDownPayment(CatalogAction):
    def name(self) -> str:
        return "action_ask_down_payment"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        car = _car(tracker.get_slot("selected_car"))
        question = presenter.ask_down_payment(car, settings().financing, _assumed_price(tracker))
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []


class ActionAskFinanceTerm(CatalogAction):
    def name(self) -> str:
        return "action_ask_finance_term"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        dispatcher.utter_message(text=asked_again(tracker, presenter.ask_term(settings().financing)))
        return []


class ActionFinancingPlan(CatalogAction):
    """Computes the plan (or every term side by side), then stores the lead for the sales team."""

    def name(self) -> str:
        return "action_financing_plan"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        current = settings()
        terms = current.financing
        car = _car(tracker.get_slot("selected_car"))
        written = DownPaymentInput.from_slot(tracker.get_slot("down_payment"))
        term = tracker.get_slot("finance_term")
        assumed = _assumed_price(tracker)
        if car is None and assumed is not None and written is not None and term is not None:
            return self._estimate(dispatcher, assumed, written.pesos(assumed), term)
        if car is None or written is None or term is None:
            return []  # the customer left the form before it was complete (it said so); nothing to compute
        price = Decimal(car.price)
        trade_in = _trade_in(tracker)
        down_payment = written.pesos(price) + trade_in
        problem = check_down_payment(price, down_payment, terms)
        if problem:  # the car changed since the down payment was given
            dispatcher.utter_message(text=presenter.down_payment_problem(problem, price, terms))
            return [SlotSet("down_payment", None)]
        if term == ALL_TERMS:
            plans = compare_terms(price, down_payment, terms)
            dispatcher.utter_message(text=presenter.comparison_message(car, plans))
        else:
            plans = [compute_plan(price, down_payment, int(term), terms)]
            dispatcher.utter_message(text=presenter.plan_message(car, plans[0]))
        if trade_in:
            dispatcher.utter_message(text=tradein_presenter.trade_in_note(trade_in))
        lead = NewLead(
            customer_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            stock_id=car.stock_id,
            car_label=presenter.car_label(car),
            plans=plans,
        )
        lead_id = LeadStore(current.database_url).record(lead, notify=current.notify_webhook_url is not None)
        metrics.count(metrics.PLANS, lead.channel)
        metrics.count(metrics.LEADS, lead.channel)
        logger.info("lead %s stored: %s %s for %s", lead_id, car.stock_id, lead.car_label, pseudonym(tracker.sender_id))
        notifier = lead_notifier()
        if notifier is not None:
            notifier.wake()
        return []

    @staticmethod
    def _estimate(dispatcher: CollectingDispatcher, price: Decimal, down_payment: Decimal,
                  term: Any) -> list[EventType]:
        """The plan for a supposed price: marked as an estimate, no lead (there is no car yet)."""
        terms = settings().financing
        problem = check_down_payment(price, down_payment, terms)
        if problem:
            dispatcher.utter_message(text=presenter.down_payment_problem(problem, price, terms))
            return [SlotSet("down_payment", None), SlotSet(ASSUMED_PRICE_SLOT, None)]
        if term == ALL_TERMS:
            dispatcher.utter_message(text=presenter.estimate_comparison_message(compare_terms(price, down_payment, terms)))
        else:
            dispatcher.utter_message(text=presenter.estimate_message(compute_plan(price, down_payment, int(term), terms)))
        return [SlotSet(ASSUMED_PRICE_SLOT, None)]
