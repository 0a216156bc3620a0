"""Financing plans for a used car: fixed-rate monthly payments and the dealer's down-payment and term rules.
Pure Python, no Rasa; reading what a customer writes is `dealer.financing.reading`'s job."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from enum import Enum
from typing import Optional

_CENT = Decimal("0.01")
_PESO = Decimal(1)


def to_cents(amount: Decimal) -> Decimal:
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
    price, down_payment = to_cents(price), to_cents(down_payment)
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
        monthly = to_cents(exact)
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
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""  # a value rounding to zero prints "$0.00", never "-$0.00"
    return f"{sign}${abs(cents):,.2f}"
