"""Financing plans for a used car: fixed-rate monthly payments, the dealer's down-payment and term rules,
and readers for the down payment and term a customer writes in chat. Pure Python, no Rasa."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from enum import Enum
from typing import Optional

from dealer.amounts import find_amounts, spell_out_digits

_CENT = Decimal("0.01")
_PESO = Decimal(1)
# Plain digits below this read as a term, a count or a position ("a 4", "el 2"), not as pesos.
_MIN_PLAIN_PESOS = Decimal(1000)
_TERM_UNIT = re.compile(r"\s*(?:años?|anos?|mes(?:es)?)\b")


def _cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FinancingTerms:
    """What the dealer offers: one fixed annual rate, the allowed terms and the minimum down payment."""

    annual_rate: Decimal = Decimal("0.10")
    terms_years: tuple[int, ...] = (3, 4, 5, 6)
    min_down_payment_share: Decimal = Decimal("0.10")

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.annual_rate < 1:
            raise ValueError(f"annual_rate must be at least 0 and below 1 (a fraction, 0.10 = 10%), got {self.annual_rate}")
        if not self.terms_years:
            raise ValueError("terms_years must list at least one term")
        if any(isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= 10 for t in self.terms_years):
            raise ValueError(f"every term must be a whole number of years from 1 to 10, got {self.terms_years}")
        if tuple(sorted(set(self.terms_years))) != tuple(self.terms_years):
            raise ValueError(f"terms_years must be sorted ascending without repeats, got {self.terms_years}")
        if not Decimal(0) <= self.min_down_payment_share < 1:
            raise ValueError(
                "min_down_payment_share must be at least 0 and below 1 (a fraction of the price), "
                f"got {self.min_down_payment_share}"
            )


@dataclass(frozen=True)
class Plan:
    """One financing option. Money is in pesos, rounded to cents; total_paid covers the loan only (no down payment)."""

    price: Decimal
    down_payment: Decimal
    financed_amount: Decimal
    years: int
    payments: int
    monthly_payment: Decimal
    total_paid: Decimal
    total_interest: Decimal
    annual_rate: Decimal


class DownPaymentProblem(Enum):
    NEGATIVE = "negative"
    BELOW_MINIMUM = "below_minimum"
    NOT_BELOW_PRICE = "not_below_price"


def minimum_down_payment(price: Decimal, terms: FinancingTerms) -> Decimal:
    """The smallest down payment accepted, rounded up to the peso so quoting it back always passes the check."""
    return (Decimal(price) * terms.min_down_payment_share).quantize(_PESO, rounding=ROUND_CEILING)


def check_down_payment(price: Decimal, down_payment: Decimal, terms: FinancingTerms) -> Optional[DownPaymentProblem]:
    """None when the down payment is acceptable; otherwise why not, so the form can explain what is allowed."""
    if down_payment < 0:
        return DownPaymentProblem.NEGATIVE
    if down_payment < minimum_down_payment(price, terms):
        return DownPaymentProblem.BELOW_MINIMUM
    if down_payment >= price:  # nothing left to finance
        return DownPaymentProblem.NOT_BELOW_PRICE
    return None


def check_term(years: int, terms: FinancingTerms) -> bool:
    return years in terms.terms_years


def compute_plan(price: Decimal, down_payment: Decimal, years: int, terms: FinancingTerms) -> Plan:
    """Fixed-rate amortisation: M = P·r / (1 − (1 + r)^−n) with r the monthly rate and n the number of months."""
    price, down_payment = _cents(price), _cents(down_payment)
    # Defensive: callers should have validated already, but a wrong quote is worse than an error.
    if price <= 0:
        raise ValueError(f"price must be positive, got {price}")
    problem = check_down_payment(price, down_payment, terms)
    if problem is not None:
        raise ValueError(f"down payment {down_payment} is not allowed for price {price}: {problem.value}")
    if not check_term(years, terms):
        raise ValueError(f"term of {years} years is not offered; allowed: {terms.terms_years}")

    financed = price - down_payment
    payments = 12 * years
    with localcontext() as context:
        context.prec = 34  # round only once, at the end, so the cents match a bank's table
        rate = terms.annual_rate / 12
        if rate == 0:
            exact = financed / payments
        else:
            exact = financed * rate / (1 - (1 + rate) ** -payments)
        monthly = _cents(exact)
    total_paid = monthly * payments
    return Plan(
        price=price,
        down_payment=down_payment,
        financed_amount=financed,
        years=years,
        payments=payments,
        monthly_payment=monthly,
        total_paid=total_paid,
        total_interest=total_paid - financed,
        annual_rate=terms.annual_rate,
    )


def compare_terms(price: Decimal, down_payment: Decimal, terms: FinancingTerms) -> list[Plan]:
    """One plan per offered term, shortest first."""
    return [compute_plan(price, down_payment, years, terms) for years in terms.terms_years]


def format_mxn(amount: Decimal) -> str:
    """Mexican peso format: "$5,072.52", "-$1,000.00"."""
    cents = _cents(amount)
    sign = "-" if cents < 0 else ""  # a value rounding to zero prints "$0.00", never "-$0.00"
    return f"{sign}${abs(cents):,.2f}"


@dataclass(frozen=True)
class DownPaymentInput:
    """A down payment as written: pesos, or a percentage of a price that may not be known yet."""

    value: Decimal
    is_percent: bool = False

    def pesos(self, price: Decimal) -> Decimal:
        return _cents(Decimal(price) * self.value / 100) if self.is_percent else _cents(self.value)

    def to_slot(self) -> str:
        return f"{self.value}%" if self.is_percent else str(self.value)

    @classmethod
    def from_slot(cls, value: object) -> Optional[DownPaymentInput]:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        text = str(value).strip()
        try:
            return cls(Decimal(text.rstrip("%")), is_percent=text.endswith("%"))
        except ArithmeticError:
            return None


_LARGEST_AMOUNT = Decimal(10**12)


def read_down_payment(text: str) -> Optional[DownPaymentInput]:
    """The down payment a customer wrote ("50 mil", "20%", "cincuenta mil"), or None.

    Out-of-range values (negative, zero, above the price) are returned as read: refusing them is
    check_down_payment's job, so the bot can say why."""
    normalized = spell_out_digits(text)
    money: list[DownPaymentInput] = []
    plain: list[DownPaymentInput] = []
    for amount in find_amounts(text):
        if _TERM_UNIT.match(normalized, amount.end):
            continue  # "a 4 años", "48 meses" name the term, not the down payment
        # A "-" glued to the number is a sign, unless it joins a range such as "10-20".
        before = normalized[max(amount.start - 2, 0) : amount.start]
        negative = before.endswith("-") and not before[:-1].isdigit()
        # Absurdly large amounts are kept absurd but computable: check_down_payment then says they exceed the price.
        value = min(amount.value, _LARGEST_AMOUNT)
        value = -value if negative else value
        if amount.is_percent:
            money.append(DownPaymentInput(value, is_percent=True))
        elif amount.is_money or negative:
            money.append(DownPaymentInput(_cents(value)))
        elif not amount.plain_integer or value >= _MIN_PLAIN_PESOS or value == 0:
            # Separators ("50,000.00") mean money; a bare "0" is a clear "no down payment".
            plain.append(DownPaymentInput(_cents(value)))
    candidates = money or plain
    return candidates[0] if candidates else None


def parse_down_payment(text: str, price: Decimal) -> Optional[Decimal]:
    """The down payment in pesos for a car of this price, or None when the text names none."""
    written = read_down_payment(text)
    return written.pesos(price) if written else None


_YEARS = re.compile(r"(?<![\d.,])(\d+|un)\s*(?:años?|anos?)\b")
_MONTHS = re.compile(r"(?<![\d.,])(\d+)\s*mes(?:es)?\b")
# "a 6", "plazo de 5": a bare number after a term word, as long as it is not an amount ("a 6 mil", "a 6%").
_BARE_TERM = re.compile(r"\b(?:plazo(?:\s+de|\s+a)?|a)\s+(\d+)\b(?![.,]\d|\s*(?:mil|millon|millones|mdp|k|%|pesos|mxn)\b|\s*%)")


def parse_term_years(text: str) -> Optional[int]:
    """The loan term in years ("a 4 años", "48 meses", "a seis", "plazo de 5"), or None.

    Terms outside the dealer's offer are still returned; check_term decides. Months that are not whole
    years give None, since only whole-year plans exist."""
    normalized = spell_out_digits(text)
    if match := _YEARS.search(normalized):
        return 1 if match.group(1) == "un" else int(match.group(1))
    if match := _MONTHS.search(normalized):
        months = int(match.group(1))
        return months // 12 if months % 12 == 0 and months > 0 else None
    if match := _BARE_TERM.search(normalized):
        return int(match.group(1))
    return None
