"""The open-ended reply: low-confidence messages, out-of-scope and questions about the dealer go to the chat model
(dealer/llm), grounded on the knowledge base and the catalog; without it, the best knowledge passage or the menu."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import NamedTuple, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.catalog_actions import current_listing, latest_text
from actions.services import catalog, open_answerer, settings
from dealer.catalog.listing import Listing
from dealer.catalog.presenter import car_line, describe_filters
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CarRecord
from dealer.customer_profile import profile_line
from dealer.dialogue import presenter as dialogue_presenter
from dealer.dialogue.greetings import opens_with_greeting
from dealer.financing.reading import asks_for_an_estimate
from dealer.handoffs.triggers import ANSWERED_FROM_KNOWLEDGE, second_fallback_in_a_row
from dealer.llm.memory import ConversationMemory
from dealer.llm.prompt import Turn
from dealer.llm.usage import account
from dealer.observability.turns import MODEL_USAGE_KEY, session_id

logger = logging.getLogger(__name__)

SUMMARY_SLOT = "conversation_summary"
FINANCING_FORM = "financing_form"
OUT_OF_SCOPE_REPLY = (
    "Eso se me escapa 😅, yo te ayudo a encontrar tu próximo auto. Escribe «menú» para ver lo que puedo hacer."
)


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if second_fallback_in_a_row(tracker.events):
            # Not understood twice: a person takes over (after the contact details where the channel has none).
            return [FollowupAction("action_prepare_handoff")]
        if asks_for_an_estimate(latest_text(tracker), catalog().stock_id_format()):
            return [FollowupAction(FINANCING_FORM)]  # the form reads the supposed price and gives an estimate
        reply = await open_reply(tracker)
        text, metadata, events = reply.text, dict(reply.usage), reply.events
        if text:
            if reply.on_topic:  # answered, not a second «no te entendí» if the next message is unclear too
                metadata[ANSWERED_FROM_KNOWLEDGE] = True
            if reply.source == "knowledge":  # the model's own answers end with their own offer
                text = dialogue_presenter.with_offer_to_continue(text)
            if opens_with_greeting(latest_text(tracker)):  # «hola, ¿quién eres?»: greeted back, then answered
                text = dialogue_presenter.greeted_back(text)
            dispatcher.utter_message(text=text, **metadata)
        elif (tracker.latest_message.get("intent") or {}).get("name") == "out_of_scope":
            dispatcher.utter_message(text=OUT_OF_SCOPE_REPLY, **metadata)
        else:
            dispatcher.utter_message(response="utter_help", **metadata)
        # The open turn is dropped from the dialogue history so it cannot derail the next prediction (its text
        # stays in the events, so the next prompt still sees it).
        return [UserUtteranceReverted(), *events]


class OpenReply(NamedTuple):
    text: Optional[str]  # None: nothing grounded to say
    usage: dict  # the model usage to attach to the reply's metadata
    events: list[EventType]  # the events that keep the running summary
    source: str  # "llm", "knowledge" or "none" (dealer.llm.responder.OpenAnswer)
    on_topic: bool  # the question matched the dealer's knowledge


async def open_reply(tracker: Tracker) -> OpenReply:
    """The open answer to the latest message, with what the caller needs to send it and keep the summary."""
    question = tracker.latest_message.get("text") or ""
    try:
        listed_cars, listing = await asyncio.to_thread(_listing, tracker)
    except SQLAlchemyError:
        logger.exception("the listing could not be read for the open answer; answering without it")
        listed_cars, listing = [], ""
    memory = ConversationMemory.from_slot(tracker.get_slot(SUMMARY_SLOT))
    answer = await open_answerer().answer(
        question if isinstance(question, str) else "", listing, listed_cars, _history(tracker),
        memory=memory, profile=profile_line(tracker.current_slot_values()), customer_id=tracker.sender_id,
    )
    # What the model cost rides on the reply's metadata to the Rasa server's turn line (not to the customer).
    usage = {}
    if answer.usage is not None:
        usage[MODEL_USAGE_KEY] = await asyncio.to_thread(
            account, answer.usage, settings().llm, settings().database_url, tracker.sender_id,
            session_id(_session_started_at(tracker)), tracker.get_latest_input_channel() or "unknown",
        )
    events: list[EventType] = []
    if answer.memory != memory:
        events.append(SlotSet(SUMMARY_SLOT, answer.memory.to_slot()))
    return OpenReply(answer.text, usage, events, answer.source, answer.on_topic)


def _session_started_at(tracker: Tracker) -> float:
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return float(event.get("timestamp") or 0)
    return 0.0


def _listing(tracker: Tracker) -> tuple[list[CarRecord], str]:
    """The cars the customer was last shown (and the one selected), and the listing as the prompt shows it."""
    listing = current_listing(tracker)
    found = (catalog().get(stock_id) for stock_id in listing.visible()[:10])
    cars = [car for car in found if car is not None]
    return cars, _listing_text(listing, cars)


def _listing_text(listing: Listing, cars: list[CarRecord]) -> str:
    if not cars:
        return ""
    filters = listing.filters or CarFilters()
    total = catalog().count(filters)
    pages = max(1, math.ceil(total / settings().page_size))
    header = f"Búsqueda: {describe_filters(filters) or 'todo el inventario'} · página {listing.page} de {pages}"
    lines = [f"{car_line(position, car)} · {car.stock_id}" for position, car in enumerate(cars, start=1)]
    return "\n".join([header, *lines])


def _history(tracker: Tracker) -> list[Turn]:
    """The session's texts since the last reset, oldest first, without the question being answered."""
    turns: list[Turn] = []
    for event in tracker.events_after_latest_restart():
        text = event.get("text")
        if isinstance(text, str) and text.strip() and event.get("event") in ("user", "bot"):
            timestamp = event.get("timestamp")
            turns.append(Turn(
                "user" if event["event"] == "user" else "assistant", text.strip(),
                float(timestamp) if isinstance(timestamp, (int, float)) else 0.0,
            ))
    if turns and turns[-1].role == "user":
        turns.pop()
    return turns
