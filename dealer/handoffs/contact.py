"""The contact details a hand-off needs before the conversation goes to a person, and a customer's refusal to give
them. Plain code (no Rasa): actions/handoff_actions.py and actions/contact_actions.py read it.

On WhatsApp the sender id is the phone, so only a name is asked (and only when the profile gave none). On any other
channel the person who takes over needs a way to call: name, phone and consent to be contacted. The request for a
person is itself the customer's wish to be contacted, so no email is asked. A customer who will not give them still
reaches a person: the advisor then answers in the chat."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dealer.contacts import read_yes_no
from dealer.text import fold

HANDOFF_PURPOSE = "handoff"  # the contact_purpose slot while the contact form collects details for a hand-off
ON_WHATSAPP = ("customer_name", "customer_phone")
ELSEWHERE = ("customer_name", "customer_phone", "contact_consent")

# «no te voy a dar mi número», «prefiero no decirlo», «para qué lo quieren», «sin datos»: not an answer to give.
_REFUSAL = re.compile(
    r"\b(?:no (?:te |le |les )?(?:voy a |quiero |puedo )?(?:dar|dejar|pasar|compartir|decir)\w*|"
    r"no quiero|no (?:lo|la|se los|te lo) (?:doy|paso|dejo)|prefiero no|mejor no|sin (?:datos|dar)|"
    r"para que (?:lo|la|los|quieren|quieres|necesitan)|no tengo (?:cel|celular|telefono|numero))\b"
)


def contact_slots(on_whatsapp: bool) -> tuple[str, ...]:
    """The slots the contact form fills for a hand-off, in the order it asks them."""
    return ON_WHATSAPP if on_whatsapp else ELSEWHERE


def missing_contact(slots: Mapping[str, Any], on_whatsapp: bool) -> tuple[str, ...]:
    """What the form still has to ask before the hand-off; on WhatsApp the phone is the sender's (never missing)."""
    wanted = ("customer_name",) if on_whatsapp else ELSEWHERE
    return tuple(slot for slot in wanted if slots.get(slot) is None)


def refuses_contact(text: Any) -> bool:
    """The customer declines to give the detail asked («no», «prefiero no», «no te voy a dar mi número»)."""
    if not isinstance(text, str):
        return False
    return read_yes_no(text) is False or bool(_REFUSAL.search(fold(text[:300])))


def reachable_by_phone(slots: Mapping[str, Any], on_whatsapp: bool) -> bool:
    """Whether the person who takes over may call or write to a number: WhatsApp's own, or one given with consent."""
    if on_whatsapp:
        return True
    return isinstance(slots.get("customer_phone"), str) and bool(slots["customer_phone"]) \
        and slots.get("contact_consent") is not False
