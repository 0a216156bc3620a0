"""What a financing message asks for: which car, what down payment, which term, or all terms side by side."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from dealer.amounts import find_amounts, spell_out_digits
from dealer.catalog.navigation import STOCK_ID, CarReference, requested_car
from dealer.financing.plans import DownPaymentInput, parse_term_years, read_down_payment

_COMPARE = re.compile(r"\b(?:compar\w*|todos los plazos|cada plazo|distintos plazos|diferentes plazos|tabla)\b")
_TERM_PHRASE = re.compile(r"\b(?:a\s+|plazo(?:\s+de)?\s+)?\d+\s*(?:años?|anos?|mes(?:es)?)\b|\b(?:a|plazo(?:\s+de)?)\s+\d+\b")


@dataclass(frozen=True)
class FinancingMessage:
    car: Optional[CarReference]  # a position on the page shown, a stock id or "el último"
    car_text: str  # the message without its amounts and term, for matching model names ("el Aveo")
    down_payment: Optional[DownPaymentInput]
    years: Optional[int]
    compare_terms: bool


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def read_financing_message(text: str) -> FinancingMessage:
    spelled = spell_out_digits(text)
    stock_id = STOCK_ID.search(spelled)
    # A stock id's digits ("ALM-10023") are neither a down payment nor a term.
    terms_text = _blank(spelled, *stock_id.span()) if stock_id else spelled
    # Blank the amounts and the term so "50 mil" or "a 4 años" are not read as "the car at position 4".
    car_text = terms_text
    for amount in find_amounts(terms_text):
        if not amount.plain_integer or amount.is_money or amount.is_percent:
            car_text = _blank(car_text, amount.start, amount.end)
    car_text = _TERM_PHRASE.sub(lambda match: " " * len(match.group()), car_text)
    return FinancingMessage(
        car=requested_car(spelled[slice(*stock_id.span())] if stock_id else car_text),
        car_text=" ".join(car_text.split()),
        down_payment=read_down_payment(terms_text),
        years=parse_term_years(terms_text),
        compare_terms=bool(_COMPARE.search(spelled)),
    )
