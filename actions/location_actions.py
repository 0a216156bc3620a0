"""A location the customer shared (WhatsApp sends it to Rasa as `/share_location{"latitude": …, "longitude": …}`,
connectors/whatsapp.py): outside a form, the nearest branch and an offer to book, and that branch kept for the
booking. Inside the appointment form the form's own extraction takes it (actions/booking_actions.py); inside the
other forms a rule answers it here and the form asks its question again."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from dealer.knowledge.branches import coordinates_in, nearest_branch
from dealer.knowledge.presenter import ASK_FOR_LOCATION, BAD_LOCATION_REPLY, nearest_branch_text


class ActionShareLocation(Action):
    def name(self) -> str:
        return "action_share_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        entities = tracker.latest_message.get("entities") or []
        coordinates = coordinates_in(entities)
        if coordinates is None:
            # Typed («te comparto mi ubicación») or coordinates that are no place on Earth.
            given = any(entity.get("entity") in ("latitude", "longitude") for entity in entities)
            dispatcher.utter_message(text=BAD_LOCATION_REPLY if given else ASK_FOR_LOCATION)
            return []
        branch, distance = nearest_branch(*coordinates)
        dispatcher.utter_message(text=nearest_branch_text(branch, distance))
        # «sí, agéndame» next: the booking starts at this branch instead of asking it.
        return [SlotSet("appointment_branch", branch.name)]
