"""Rasa actions for the conversation's lifetime: what a new session keeps, and deleting a customer's data."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.nps_actions import survey_due_events
from actions.services import settings
from dealer.customer_data import ERASED_SLOT, erase_customer
from dealer.customer_profile import carried_slots

logger = logging.getLogger(__name__)

RESTARTED_REPLY = "Listo, empezamos de cero 🙂 ¿Qué auto te gustaría ver? Escribe «menú» para ver lo que puedo hacer."
DATA_DELETED_REPLY = "Listo, borré tus conversaciones y cotizaciones 🗑️ Si vuelves a escribir, empezamos de cero."
DELETION_FAILED_REPLY = (
    "Perdón, no pude borrar tus datos en este momento. Inténtalo de nuevo en unos minutos o pídelo en cualquier sucursal."
)


class ActionSessionStart(Action):
    """A new session (first message, or after SESSION_TTL_MINUTES idle) starts clean but for the customer's
    name, preferred brand and budget; it is marked due for the NPS survey unless the customer was asked recently."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        carried = carried_slots(tracker.current_slot_values(), tracker.get_slot("session_started_metadata"))
        return [
            SessionStarted(),
            *(SlotSet(slot, value) for slot, value in carried.items()),
            *await survey_due_events(tracker),
            ActionExecuted("action_listen"),
        ]


class ActionRestart(Action):
    """"reiniciar", "/restart": slots, listing, form and the LLM's context start over (the open answer reads only
    events after the latest restart); the stored events stay for analytics."""

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=RESTARTED_REPLY)
        return [Restarted()]


class ActionDeleteCustomerData(Action):
    """After the customer confirmed: their leads, WhatsApp messages and every stored session of their conversation
    are deleted now. The `data_erased` slot then tells the Rasa server's tracker store not to write this turn back
    (it would otherwise save the whole session again)."""

    def name(self) -> str:
        return "action_delete_customer_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        current = settings()
        try:
            report = await asyncio.to_thread(
                erase_customer, tracker.sender_id, current.database_url, current.tracker_store_url
            )
        except (SQLAlchemyError, ValueError):
            logger.exception("a customer's data could not be deleted")
            dispatcher.utter_message(text=DELETION_FAILED_REPLY)
            return []
        logger.info("deleted a customer's data at their request: %s", ", ".join(report.lines()))
        dispatcher.utter_message(text=DATA_DELETED_REPLY)
        return [SlotSet(ERASED_SLOT, True)]
