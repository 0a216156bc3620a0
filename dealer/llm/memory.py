"""A running summary of the turns that no longer fit the model's prompt, so a long conversation keeps its gist.

It is extracted, not written by the model: the same readers as the structured flows (catalog names with rapidfuzz,
prices, body types, years, down payment, term) go over what the customer said, so it costs no call, works
offline, and cannot invent anything. Later facts replace earlier ones; brands accumulate (the latest few)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Optional

from dealer.catalog.matching import NameMatcher
from dealer.catalog.presenter import money
from dealer.catalog.query import parse_query
from dealer.financing.reading import parse_term_years, read_down_payment
from dealer.llm.prompt import Turn
from dealer.text import fold
from dealer.vocabulary import BODY_TYPES, codes, label

MAX_BRANDS = 3
MAX_SUMMARY_CHARS = 300
# Inside the financing form any amount is the down payment; in a summary of free conversation it must say so.
_DOWN_PAYMENT_CUE = re.compile(r"\b(?:enganche|entrada|inicial)\b")


@dataclass(frozen=True)
class ConversationMemory:
    brands: tuple[str, ...] = ()  # "Mazda" or "Mazda CX-5", most recent last
    budget: Optional[int] = None  # highest price asked for, pesos
    body_type: Optional[str] = None
    year_min: Optional[int] = None
    down_payment: Optional[str] = None  # as the financing form stores it: "50000" or "20%"
    term_years: Optional[int] = None
    through: float = 0.0  # timestamp of the latest user turn folded in

    def remember(self, text: str, timestamp: float, matcher: NameMatcher) -> ConversationMemory:
        """Fold in one message of the customer's."""
        filters = parse_query(text, matcher).filters
        down_payment = read_down_payment(text) if _DOWN_PAYMENT_CUE.search(fold(text)) else None
        if down_payment is not None and down_payment.value <= 0:
            down_payment = None
        years = parse_term_years(text)
        changes: dict[str, Any] = {"through": max(self.through, timestamp)}
        if filters.make:
            brand = f"{filters.make} {filters.model}" if filters.model else filters.make
            changes["brands"] = (*(b for b in self.brands if b != brand), brand)[-MAX_BRANDS:]
        if filters.price_max and down_payment is None:  # "50 mil de enganche" is not a budget
            changes["budget"] = filters.price_max
        if filters.body_type:
            changes["body_type"] = filters.body_type
        if filters.year_min:
            changes["year_min"] = filters.year_min
        if down_payment is not None:
            changes["down_payment"] = down_payment.to_slot()
        if years:
            changes["term_years"] = years
        return replace(self, **changes)

    def fold(self, turns: Iterable[Turn], matcher: NameMatcher) -> ConversationMemory:
        """Fold in the customer's turns newer than what is already remembered."""
        memory = self
        for turn in turns:
            if turn.role == "user" and turn.timestamp > memory.through:
                memory = memory.remember(turn.text, turn.timestamp, matcher)
        return memory

    def as_text(self) -> str:
        """One short Spanish line for the prompt; empty when nothing was remembered."""
        parts = []
        if self.brands:
            parts.append("le interesa " + ", ".join(self.brands))
        if self.body_type:
            parts.append(label(BODY_TYPES, self.body_type))
        if self.year_min:
            parts.append(f"del {self.year_min} o más nuevo")
        if self.budget:
            parts.append(f"presupuesto hasta {money(self.budget)}")
        if self.down_payment:
            shown = self.down_payment if self.down_payment.endswith("%") else money(int(float(self.down_payment)))
            parts.append(f"enganche {shown}")
        if self.term_years:
            parts.append(f"plazo {self.term_years} años")
        if not parts:
            return ""
        return ("Antes en esta conversación el cliente dijo: " + "; ".join(parts) + ".")[:MAX_SUMMARY_CHARS]

    def to_slot(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_slot(cls, value: object) -> ConversationMemory:
        """Rebuild from the slot; anything malformed is forgotten rather than failing the turn."""
        if not isinstance(value, Mapping):
            return cls()
        brands = value.get("brands")
        return cls(
            brands=tuple(b for b in brands if isinstance(b, str))[-MAX_BRANDS:] if isinstance(brands, list) else (),
            budget=_whole(value.get("budget")),
            body_type=value.get("body_type") if value.get("body_type") in codes(BODY_TYPES) else None,
            year_min=_whole(value.get("year_min")),
            down_payment=_down_payment(value.get("down_payment")),
            term_years=_whole(value.get("term_years")),
            through=float(value["through"]) if isinstance(value.get("through"), (int, float)) else 0.0,
        )


def _whole(value: object) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        return None
    return int(value)


def _down_payment(value: object) -> Optional[str]:
    if not isinstance(value, str):
        return None
    try:
        amount = float(value.rstrip("%"))
    except ValueError:
        return None
    return value if 0 < amount < 1e9 else None  # also refuses "nan" and "inf"
