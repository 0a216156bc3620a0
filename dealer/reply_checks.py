"""Checks every bot reply must pass, with no model needed: written in Spanish, short enough for one WhatsApp
message, every peso amount a catalog price, a figure the financing formula gives for a car the reply names, or an
amount the customer wrote; and the persona's informal "tú" (never "usted").

Run over the replies of every test story and of the chat-model fixture (tests/integration/test_reply_checks.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from decimal import Decimal, InvalidOperation
from typing import Optional

from dealer.amounts import find_amounts
from dealer.financing.plans import FinancingTerms, compute_plan, minimum_down_payment
from dealer.text import WHATSAPP_MAX_CHARS, fold

_MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
_STOCK_ID = re.compile(r"\b[A-Z]{2,4}-\d{4,7}\b")
_SPANISH_WORDS = frozenset(
    "de la que el en y a los las se del un una por con no su para es al lo como mas o pero te tu tus puedo "
    "aqui que hola gracias mil auto autos pagina quieres puedes tenemos escribe ver cual enganche plazo anos "
    "precio km mes si muy hay estos esta este son".split()
)
_ENGLISH_WORDS = frozenset("the and you is are of to for with your this that we it can our have please".split())
# "usted" and the verb forms that go with it; "ustedes" (you all) is fine in Mexico in either register.
_FORMAL_ADDRESS = re.compile(r"\b(?:usted|desea usted|le puedo ayudar|gusta usted)\b")


def reply_problems(
    text: str, catalog_prices: Collection[Decimal], price_of: Callable[[str], Optional[Decimal]],
    terms: FinancingTerms, customer_said: str = "",
) -> list[str]:
    """What is wrong with one reply; empty when nothing is. `customer_said`: the customer's messages so far, whose
    amounts a reply may repeat ("hasta $350,000" for "menos de 350 mil")."""
    problems = []
    if len(text) > WHATSAPP_MAX_CHARS:
        problems.append(f"{len(text)} characters, over WhatsApp's {WHATSAPP_MAX_CHARS}")
    if not is_spanish(text):
        problems.append("not Spanish")
    if _FORMAL_ADDRESS.search(fold(text)):
        problems.append("addresses the customer as usted")
    # A question about the down payment names the car's price and its minimum, not its stock id.
    minimums = {minimum_down_payment(price, terms) for price in catalog_prices}
    allowed = set(catalog_prices) | minimums | financing_figures(text, price_of, terms)
    for amount in find_amounts(customer_said):
        # In a range the multiplier is written once: "entre 200 y 300 mil".
        allowed |= {amount.value, amount.value * 1000} if amount.plain_integer else {amount.value}
    problems += [f"amount ${amount:,} is neither a catalog price nor a financing figure"
                 for amount in amounts(text) if amount not in allowed]
    return problems


def is_spanish(text: str) -> bool:
    """More Spanish function words than English ones; a reply of one or two words (an emoji, "¡Listo!") passes."""
    tokens = fold(text).split()
    spanish = sum(token in _SPANISH_WORDS for token in tokens)
    english = sum(token in _ENGLISH_WORDS for token in tokens)
    return len(tokens) < 3 or spanish > english


def amounts(text: str) -> list[Decimal]:
    found = []
    for match in _MONEY.finditer(text):
        try:
            found.append(Decimal(match.group(1).replace(",", "") + (match.group(2) or "")))
        except InvalidOperation:
            continue
    return found


def financing_figures(
    text: str, price_of: Callable[[str], Optional[Decimal]], terms: FinancingTerms,
) -> set[Decimal]:
    """Every figure a plan could show for the cars the reply names, taking each amount in it as the down payment:
    the minimum down payment, the amount financed, the monthly payment, the totals (with and without the down
    payment) and the interest, per term."""
    figures: set[Decimal] = set()
    written = amounts(text)
    for stock_id in set(_STOCK_ID.findall(text)):
        price = price_of(stock_id)
        if price is None:
            continue
        for down_payment in written:
            if not 0 <= down_payment < price:
                continue
            for years in terms.terms_years:
                try:
                    plan = compute_plan(price, down_payment, years, terms)
                except ValueError:  # not a down payment the dealer accepts: no plan shows it
                    continue
                figures |= {plan.down_payment, plan.financed_amount, plan.monthly_payment, plan.total_paid,
                            plan.total_interest, plan.down_payment + plan.total_paid}
    return figures
