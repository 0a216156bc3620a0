"""The contact a hand-off needs first (dealer/handoffs/contact.py) and the customer's refusal to give it."""

from __future__ import annotations

import pytest

from dealer.handoffs.contact import contact_slots, missing_contact, reachable_by_phone, refuses_contact
from dealer.handoffs.models import ANGER, FALLBACKS, REQUESTED
from dealer.handoffs.presenter import contact_first, handoff_reply


def test_on_whatsapp_only_a_missing_name_is_asked():
    assert contact_slots(on_whatsapp=True) == ("customer_name", "customer_phone")
    assert missing_contact({}, on_whatsapp=True) == ("customer_name",)
    assert missing_contact({"customer_name": "Rocío"}, on_whatsapp=True) == ()


def test_elsewhere_name_phone_and_consent_are_asked_unless_known():
    assert missing_contact({}, on_whatsapp=False) == ("customer_name", "customer_phone", "contact_consent")
    assert missing_contact({"customer_phone": "+525512345678"}, on_whatsapp=False) == (
        "customer_name", "contact_consent")
    known = {"customer_name": "Ana", "customer_phone": "+525512345678", "contact_consent": True}
    assert missing_contact(known, on_whatsapp=False) == ()
    assert missing_contact({**known, "contact_consent": False}, on_whatsapp=False) == ()  # asked, answered no


@pytest.mark.parametrize("text", ["no", "No gracias", "prefiero no decirlo", "no te voy a dar mi número",
                                  "mejor no", "para qué lo quieren?", "no tengo celular", "no quiero dar mis datos"])
def test_refusals_are_read(text):
    assert refuses_contact(text)


@pytest.mark.parametrize("text", ["Ana López", "55 1234 5678", "Noé Ramírez", "sí", "", None, 5])
def test_answers_are_not_refusals(text):
    assert not refuses_contact(text)


def test_the_advisor_calls_only_a_number_given_with_consent():
    assert reachable_by_phone({}, on_whatsapp=True)
    assert not reachable_by_phone({}, on_whatsapp=False)
    assert reachable_by_phone({"customer_phone": "+525512345678", "contact_consent": True}, on_whatsapp=False)
    assert not reachable_by_phone({"customer_phone": "+525512345678", "contact_consent": False}, on_whatsapp=False)


def test_the_customer_is_told_how_the_advisor_will_answer():
    assert "Te contactará hoy antes de las 19:00" in handoff_reply(REQUESTED, "hoy antes de las 19:00")
    after = handoff_reply(ANGER, "mañana a partir de las 9:00", after_contact=True)
    assert after.startswith("¡Gracias!") and "Lamento" not in after
    chat = handoff_reply(REQUESTED, "hoy antes de las 19:00", after_contact=True, reachable=False)
    assert "aquí mismo en este chat" in chat and "Te contactará" not in chat
    assert "Lamento" in contact_first(ANGER) and "datos" in contact_first(REQUESTED)
    assert "entendiendo" in contact_first(FALLBACKS)
