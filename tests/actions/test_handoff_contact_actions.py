"""The contact before a hand-off, at the action level: what action_prepare_handoff decides per channel and known
contact, and how the contact form for a hand-off lets a customer through who will not give it. Real domain."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact_actions import ValidateContactForm
from actions.handoff_actions import ActionPrepareHandoff
from dealer import contacts_presenter
from tests.actions.conftest import DOMAIN, slots_from

REST, WHATSAPP = "rest-customer", "whatsapp:+5215512345678"


def tracker(text: str, intent: str, slots: Optional[dict[str, Any]] = None, sender: str = REST,
            active_loop: Optional[str] = None, bot_said: tuple[str, ...] = ()) -> Tracker:
    events = [{"event": "user", "text": "antes"}, *({"event": "bot", "text": said} for said in bot_said),
              {"event": "user", "text": text}]
    return Tracker.from_dict({
        "sender_id": sender, "slots": slots or {}, "events": events, "paused": False, "followup_action": None,
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []},
        "active_loop": {"name": active_loop} if active_loop else {}, "latest_action_name": "action_listen",
    })


def followup(events) -> Optional[str]:
    return next((event["name"] for event in events if event.get("event") == "followup"), None)


async def prepare(text: str, intent: str, **kwargs):
    dispatcher = CollectingDispatcher()
    events = await ActionPrepareHandoff().run(dispatcher, tracker(text, intent, **kwargs), DOMAIN)
    return [message.get("text") for message in dispatcher.messages], events


async def test_rest_without_a_contact_asks_it_first():
    messages, events = await prepare("quiero hablar con un asesor", "ask_human")
    assert followup(events) == "contact_form" and "datos" in messages[0]
    assert slots_from(events) == {"handoff_reason": "requested", "contact_purpose": "handoff"}


async def test_a_known_contact_or_whatsapp_with_a_name_hands_off_at_once():
    known = {"customer_name": "Ana", "customer_phone": "+525512345678", "contact_consent": True}
    messages, events = await prepare("esto es una estafa", "complain", slots=known)
    assert followup(events) == "action_handoff" and messages == []
    assert slots_from(events) == {"handoff_reason": "anger"}
    _, events = await prepare("quiero hablar con un asesor", "ask_human", slots={"customer_name": "Rocío"},
                              sender=WHATSAPP)
    assert followup(events) == "action_handoff"
    assert slots_from(events)["customer_phone"] == "+525512345678"  # the sender's number, for the summary


async def test_a_form_open_when_a_person_is_asked_for_gives_way():
    _, events = await prepare("mejor pásame con alguien", "ask_human", slots={"requested_slot": "down_payment"},
                              active_loop="financing_form")
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert followup(events) == "contact_form"


async def in_handoff_form(text: str, intent: str, asked: str, sender: str = REST, **slots: Any):
    dispatcher = CollectingDispatcher()
    state = {"contact_purpose": "handoff", "requested_slot": asked, **slots}
    events = await ValidateContactForm().run(
        dispatcher, tracker(text, intent, state, sender=sender, active_loop="contact_form",
                            bot_said=slots.pop("bot_said", ()) if "bot_said" in slots else ()), DOMAIN)
    return [message.get("text") for message in dispatcher.messages], events


def ends_the_form(events) -> bool:
    return {"event": "slot", "name": "requested_slot", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


async def test_a_refusal_or_another_request_ends_the_form_for_the_hand_off():
    for text, intent, asked in [("no te voy a dar mi número", "deny", "customer_phone"),
                                ("prefiero no", "deny", "customer_name"),
                                ("busco un jetta", "search_cars", "customer_name"),
                                ("adiós", "goodbye", "customer_phone"),
                                ("no les voy a dar mis datos", "delete_my_data", "customer_name")]:
        _, events = await in_handoff_form(text, intent, asked)
        assert ends_the_form(events), text


async def test_deleting_the_data_keeps_its_own_flow():
    _, events = await in_handoff_form("borra mis datos", "delete_my_data", "customer_name")
    assert events == []  # rejected: its rule asks for the confirmation


async def test_a_second_answer_it_cannot_read_ends_the_form_and_a_first_one_asks_again():
    messages, events = await in_handoff_form("123", "inform", "customer_phone", customer_name="Ana")
    assert not ends_the_form(events) and contacts_presenter.bad_phone() in messages
    _, events = await in_handoff_form("123", "inform", "customer_phone", customer_name="Ana",
                                      bot_said=(contacts_presenter.bad_phone(),))
    assert ends_the_form(events)


async def test_the_hand_off_asks_no_email_and_on_whatsapp_only_the_name():
    _, events = await in_handoff_form("55 1234 5678", "give_contact", "customer_phone", customer_name="Ana")
    assert slots_from(events) == {"customer_phone": "+525512345678", "requested_slot": "contact_consent"}
    _, events = await in_handoff_form("Rocío Díaz", "inform", "customer_name", sender=WHATSAPP)
    assert slots_from(events) == {"customer_name": "Rocío Díaz", "customer_phone": "+525512345678",
                                  "requested_slot": None}


async def test_a_question_is_served_once_then_the_hand_off_follows():
    """On the way to a person the shared never-trap rule serves one question; a second, or «ya no», hands off
    (the form is never left without the person asked for)."""
    messages, events = await in_handoff_form("¿en cuánto tiempo me llaman?", "ask_dealer", "customer_phone")
    assert not ends_the_form(events) and messages  # served, and the phone asked again
    _, events = await in_handoff_form("¿y tienen garantía?", "ask_dealer", "customer_phone", form_digressions=1)
    assert ends_the_form(events)
    _, events = await in_handoff_form("ya no", "deny", "customer_name")
    assert ends_the_form(events)
