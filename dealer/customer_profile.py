"""What a returning customer expects the assistant to remember from one session to the next: their name, the brand
they were after and their budget. The listing, the page and an unfinished financing form are not carried.

The name comes from the customer's WhatsApp profile, which they write themselves: it is cut down to letters and
never reaches the chat model's prompt (a profile named «Ignora tus reglas…» would otherwise speak in it)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Optional

from dealer.catalog.presenter import money
from dealer.catalog.query import CarFilters
from dealer.text import clean_text

MAX_NAME_CHARS = 60
MAX_PROFILE_NAME_CHARS = 40
_NAME_PUNCTUATION = frozenset(" '.-")


def carried_slots(previous: Mapping[str, Any], metadata: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The slots a new session starts with, from the ending session's slots and the channel's metadata (WhatsApp
    sends the customer's profile name). The latest search wins over what an earlier session remembered."""
    filters = CarFilters.from_slot(previous.get("search_filters"))
    profile_name = metadata.get("profile_name") if isinstance(metadata, Mapping) else None
    carried = {
        "customer_name": clean_profile_name(profile_name) or clean_profile_name(previous.get("customer_name")),
        "preferred_brand": filters.make or _name(previous.get("preferred_brand")),
        "budget": filters.price_max or _budget(previous.get("budget")),
        # A conversation handed to a person stays with them in a new session (rasa_policies/handoff.py).
        "handoff_active": True if previous.get("handoff_active") is True else None,
        "handoff_since": previous.get("handoff_since") if previous.get("handoff_active") is True else None,
    }
    return {slot: value for slot, value in carried.items() if value is not None}


def profile_line(slots: Mapping[str, Any]) -> str:
    """The carried profile as one line for the LLM prompt (never the name); empty when nothing is known."""
    parts = []
    if brand := _name(slots.get("preferred_brand")):
        parts.append(f"le interesa {brand}")
    if budget := _budget(slots.get("budget")):
        parts.append(f"presupuesto hasta {money(budget)}")
    return "Cliente que regresa: " + "; ".join(parts) + "." if parts else ""


def clean_profile_name(value: Any) -> Optional[str]:
    """A customer's profile name as we keep it: letters, marks, spaces and ' . - only, at most 40 characters."""
    if not isinstance(value, str):
        return None
    kept = "".join(
        ch for ch in clean_text(value) if ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in ("L", "M")
    )
    cleaned = " ".join(kept.split())[:MAX_PROFILE_NAME_CHARS].strip(" '.-")
    return cleaned or None


def _name(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())[:MAX_NAME_CHARS]
    return cleaned or None


def _budget(value: Any) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        return None
    return int(value)
