"""The short summary the sales team gets when a conversation is handed to them: why, who (the contact details the
conversation has, if any), what the customer looked at, the plans they were quoted, their appointment and their
last messages. Pure: the caller gathers the facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from dealer.leads.outbox import slack_escape

LAST_MESSAGES = 5
MAX_MESSAGE_CHARS = 200
REASON_LABELS = {"requested": "pidió hablar con una persona", "fallbacks": "el bot no le entendió dos veces seguidas",
                 "anger": "está molesto"}
# The contact slots the bookings flow fills (dealer/contacts.py); any of them may be unset.
CONTACT_SLOTS = ("customer_name", "customer_phone", "customer_email", "contact_consent")


@dataclass(frozen=True)
class HandoffFacts:
    customer: str
    channel: str
    reason: str
    search: str = ""  # the listing's filters, described; empty: nothing searched
    cars_shown: Sequence[str] = ()  # "Nissan Versa 2020 (ALM-10023)"
    plans: Sequence[str] = ()  # "Nissan Versa 2020: enganche $50,000.00, 4 años $4,500.00/mes"
    appointment: str = ""
    contact: Mapping[str, Any] = field(default_factory=dict)  # slot -> value, only those set
    last_messages: Sequence[str] = ()  # the customer's, oldest first
    reply_in_chat: bool = False  # no number to call (none given, or no consent): staff answer through the chat


def handoff_text(facts: HandoffFacts) -> str:
    """Slack-compatible text; everything the customer wrote or chose is escaped."""
    lines = [f"🙋 Atender a {slack_escape(facts.customer)} por {slack_escape(facts.channel)}: "
             f"{REASON_LABELS.get(facts.reason, facts.reason)}."]
    contact = contact_line(facts.contact)
    if contact:
        lines.append(f"Contacto: {slack_escape(contact)}")
    if facts.reply_in_chat:
        lines.append("Sin teléfono para llamarle: respóndele por el chat (make staff-reply).")
    if facts.search:
        lines.append(f"Buscó: {slack_escape(facts.search)}")
    if facts.cars_shown:
        lines.append("Vio: " + slack_escape("; ".join(facts.cars_shown)))
    if facts.plans:
        lines.append("Cotizó: " + slack_escape("; ".join(facts.plans)))
    if facts.appointment:
        lines.append(f"Cita: {slack_escape(facts.appointment)}")
    if facts.last_messages:
        lines.append("Últimos mensajes:")
        lines += [f"> {slack_escape(message)}" for message in facts.last_messages]
    return "\n".join(lines)


def handoff_details(facts: HandoffFacts) -> dict[str, Any]:
    return {"reason": facts.reason, "search": facts.search, "cars_shown": list(facts.cars_shown),
            "plans": list(facts.plans), "appointment": facts.appointment or None, "contact": dict(facts.contact),
            "last_messages": list(facts.last_messages), "reply_in_chat": facts.reply_in_chat}


def contact_line(contact: Mapping[str, Any]) -> str:
    parts = [str(contact[slot]) for slot in ("customer_name", "customer_phone", "customer_email") if contact.get(slot)]
    consent = contact.get("contact_consent")
    if consent is not None:
        parts.append("acepta que lo contacten" if consent else "no quiere que lo contacten")
    return ", ".join(parts)


def contact_slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {slot: slots[slot] for slot in CONTACT_SLOTS if slots.get(slot) not in (None, "")}


def last_customer_messages(texts: Sequence[Optional[str]], limit: int = LAST_MESSAGES) -> list[str]:
    """The customer's last `limit` messages, oldest first, each cut to a readable length."""
    cleaned = [" ".join(text.split()) for text in texts if isinstance(text, str) and text.strip()]
    return [text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS - 1] + "…" for text in cleaned[-limit:]]
