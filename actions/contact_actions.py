"""Rasa actions for contact details: the contact form (name, phone unless on WhatsApp, an optional email offered
once, consent) and a name, phone or email typed outside any form. Thin adapters over `dealer.contacts`."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_actions import latest_text
from actions.form_digressions import FormReadingAnswers, asked_again, closes_topic_or_intent, digressions
from dealer import contacts_presenter as presenter
from dealer.contacts import (
    clean_name,
    email_in_text,
    normalize_phone,
    phone_from_sender,
    phone_in_text,
    read_yes_no,
    valid_email,
)
from dealer.dialogue.form_turns import looks_like_question
from dealer.handoffs.contact import HANDOFF_PURPOSE, contact_slots, refuses_contact

WHATSAPP = "whatsapp"
SEARCH_INTENTS = frozenset({"search_cars", "list_brands", "change_page"})
# «pásame con una persona», «pésimo servicio» or «borra mis datos» would pass for a name; read with these intents
# they are not one.
NOT_A_NAME_INTENTS = SEARCH_INTENTS | {"ask_human", "complain", "restart", "delete_my_data"}
# Intents that leave the booking and contact forms to the rules (data/rules/bookings.yml, handoff.yml): a search,
# help, goodbye, a person…
LEAVING_INTENTS = frozenset({"search_cars", "list_brands", "change_page", "help", "goodbye", "ask_financing",
                             "restart", "delete_my_data", "cancel_appointment", "ask_appointment", "ask_human",
                             "complain"})
# Requests that keep their own flow even on the way to a person.
OWN_FLOW_INTENTS = frozenset({"restart", "delete_my_data"})
# Answered by its own rule (the nearest branch), then the question is asked again.
LOCATION_INTENT = "share_location"
# What the form said about an answer it could not read: said once already, the next miss ends a hand-off's form.
_NOT_READ = {
    "customer_name": (presenter.bad_name(), presenter.bad_name_again()),
    "customer_phone": (presenter.bad_phone(), presenter.bad_phone_again()),
    "contact_consent": (presenter.consent_not_understood(), presenter.consent_not_understood_again()),
}


def previous_replies(tracker: Tracker) -> list[str]:
    """The bot's texts in the turn before this one (between the last two customer messages)."""
    texts, users = [], 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            texts.append(event.get("text"))
    return texts


def _say_varied(dispatcher: CollectingDispatcher, tracker: Tracker, first: str, second: str) -> None:
    dispatcher.utter_message(text=presenter.varied(previous_replies(tracker), first, second))


def on_whatsapp(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == WHATSAPP or tracker.sender_id.startswith("whatsapp:")


def _for_handoff(tracker: Tracker) -> bool:
    return tracker.get_slot("contact_purpose") == HANDOFF_PURPOSE


class ValidateContactForm(FormReadingAnswers):
    """Name, phone, email and consent, read from the text; a question or thanks in between is served and the question
    asked again (FormThatNeverTraps). On the way to a person (a hand-off) only what is missing is asked, and the
    customer is never held there: refusing, turning to something else or a second unreadable answer ends the form
    and the hand-off follows."""

    # A shared location is answered by its own rule (the nearest branch), then the question is asked again.
    handed_to_rules = LEAVING_INTENTS | {LOCATION_INTENT}
    resume_hint = "escribe «quiero agendar una visita» o dime tu nombre y teléfono."

    def name(self) -> str:
        return "validate_contact_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot")
        if asked and _for_handoff(tracker) and intent != LOCATION_INTENT and self._declines(tracker, intent, asked):
            # Never trapped on the way to a person: the form ends with what it has and the hand-off follows (its
            # rule); the advisor answers in the chat when there is no number to call. Setting the purpose again
            # keeps Rasa from reading the turn as a rejection.
            return [SlotSet("contact_purpose", HANDOFF_PURPOSE), SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        """For a hand-off: name, phone and consent (no email); on WhatsApp the name alone (the phone is the sender)."""
        if _for_handoff(tracker):
            return list(contact_slots(on_whatsapp(tracker)))
        return domain_slots

    def _declines(self, tracker: Tracker, intent: Any, asked: str) -> bool:
        """Asked for a hand-off's detail, the customer will not give it: refuses, turns to something else, or gives
        a second answer in a row the form cannot read."""
        text = latest_text(tracker)
        if asked != "contact_consent" and refuses_contact(text) and not phone_in_text(text):
            return True  # also when NLU read «no les voy a dar mis datos» as a request to delete them
        if intent in OWN_FLOW_INTENTS:
            return False  # rejected by the form: deleting the data or starting over is done, not a reason to hand off
        if intent in LEAVING_INTENTS and not self.answers_the_question(tracker):
            return True
        if (closes_topic_or_intent(intent, text) or digressions(tracker)) and not self.answers_the_question(tracker):
            return True  # «ya no», or a second message in a row that is not an answer: the form would be left
        said_before = set(_NOT_READ.get(asked, ())).intersection(previous_replies(tracker))
        return bool(said_before) and not self._readable(asked, text)

    @staticmethod
    def _readable(asked: str, text: str) -> bool:
        if asked == "customer_phone":
            return phone_in_text(text) is not None
        if asked == "contact_consent":
            return read_yes_no(text) is not None
        return clean_name(text) is not None or bool(email_in_text(text) or phone_in_text(text))

    def answers_the_question(self, tracker: Tracker) -> bool:
        """The message answers the question asked, whatever intent NLU read («Mercedes Ruiz» is a name here)."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text, asked = latest_text(tracker), tracker.get_slot("requested_slot")
        if asked == "customer_phone":
            return phone_in_text(text) is not None
        if asked == "customer_email":
            return email_in_text(text) is not None or read_yes_no(text) is False
        if asked == "contact_consent":
            return read_yes_no(text) is not None
        # «¿para qué lo quieren?» is not a name (it is served, and the name asked again).
        return (asked == "customer_name" and intent not in NOT_A_NAME_INTENTS and not looks_like_question(text)
                and clean_name(text) is not None)

    def _asked(self, tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot("requested_slot") == slot

    async def extract_customer_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._asked(tracker, "customer_name"):
            return {}
        text = latest_text(tracker)
        if email_in_text(text) or phone_in_text(text):
            return {}  # the other extractors take it; the name is asked again
        name = clean_name(text)
        if name is None:
            _say_varied(dispatcher, tracker, presenter.bad_name(), presenter.bad_name_again())
        return {"customer_name": name}

    async def extract_customer_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("customer_phone"):
            return {}
        if on_whatsapp(tracker) and (phone := phone_from_sender(tracker.sender_id)):
            return {"customer_phone": phone}  # never asked on WhatsApp
        text = latest_text(tracker)
        phone = phone_in_text(text)
        if phone:
            return {"customer_phone": phone}
        if self._asked(tracker, "customer_phone"):
            _say_varied(dispatcher, tracker, presenter.bad_phone(), presenter.bad_phone_again())
            return {"customer_phone": None}
        return {}

    async def extract_customer_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        if address := email_in_text(text):
            return {"customer_email": address}
        if not self._asked(tracker, "customer_email"):
            return {}
        if read_yes_no(text) is False:
            return {"customer_email": ""}  # declined: not offered again
        _say_varied(dispatcher, tracker, presenter.bad_email(), presenter.bad_email_again())
        return {"customer_email": None}

    async def extract_contact_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._asked(tracker, "contact_consent"):
            return {}
        answer = read_yes_no(latest_text(tracker))
        if answer is None:
            _say_varied(dispatcher, tracker, presenter.consent_not_understood(),
                        presenter.consent_not_understood_again())
        return {"contact_consent": answer}

    async def validate_customer_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"customer_phone": normalize_phone(value)}

    async def validate_customer_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"customer_email": "" if value == "" else valid_email(value)}


class ActionAskCustomerName(Action):
    def name(self) -> str:
        return "action_ask_customer_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = presenter.ask_name_for_advisor() if _for_handoff(tracker) else presenter.ask_name()
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []


class ActionAskCustomerPhone(Action):
    def name(self) -> str:
        return "action_ask_customer_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = presenter.ask_phone_for_advisor() if _for_handoff(tracker) else presenter.ask_phone()
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []


class ActionAskCustomerEmail(Action):
    def name(self) -> str:
        return "action_ask_customer_email"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=asked_again(tracker, presenter.ask_email()))
        return []


class ActionAskContactConsent(Action):
    def name(self) -> str:
        return "action_ask_contact_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = presenter.ask_consent_for_advisor() if _for_handoff(tracker) else presenter.ask_consent()
        dispatcher.utter_message(text=asked_again(tracker, question))
        return []


class ActionSaveContact(Action):
    """A name, phone or email typed outside any form: kept for the booking or the advisor, never read as an amount
    or a search."""

    def name(self) -> str:
        return "action_save_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = latest_text(tracker)
        phone, email = phone_in_text(text), email_in_text(text)
        name = None if phone or email else clean_name(text)
        events = [SlotSet(slot, value) for slot, value in
                  (("customer_phone", phone), ("customer_email", email), ("customer_name", name)) if value]
        if not events:
            dispatcher.utter_message(text=presenter.bad_phone() if any(ch.isdigit() for ch in text)
                                     else presenter.bad_name())
            return []
        dispatcher.utter_message(text=presenter.contact_saved(name, phone, email))
        return events
