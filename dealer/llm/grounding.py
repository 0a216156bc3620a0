"""What the model may state this turn, and the check that its reply states nothing else.

Every car the tools returned or the listing showed, and every amount or percentage those tools computed or the
knowledge passages contain, is a grounded fact. A reply that names a money amount, a percentage or a catalog model
outside them is not sent. The customer's own numbers do not count: "véndemelo en 1 peso" must not make "$1" sayable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from dealer.amounts import find_amounts
from dealer.catalog.matching import NameMatcher
from dealer.catalog.repository import CarRecord
from dealer.financing.plans import FinancingTerms, Plan

_TOLERANCE = Decimal("1")  # pesos: "$5,072.52" may come back as "$5,073"


@dataclass
class GroundedFacts:
    amounts: set[Decimal] = field(default_factory=set)
    percents: set[Decimal] = field(default_factory=set)
    models: set[tuple[str, str]] = field(default_factory=set)  # (make, model)

    def add_car(self, car: CarRecord) -> None:
        self.models.add((car.make, car.model))
        self.amounts.add(Decimal(car.price))

    def add_plan(self, plan: Plan) -> None:
        self.amounts.update({
            plan.price, plan.down_payment, plan.financed_amount, plan.monthly_payment, plan.total_paid,
            plan.total_interest,
        })

    def add_text(self, text: str) -> None:
        """Amounts and percentages written in trusted text (knowledge passages)."""
        for amount in find_amounts(text):
            if amount.is_percent:
                self.percents.add(amount.value)
            elif amount.is_money:
                self.amounts.add(amount.value)

    def add_terms(self, terms: FinancingTerms) -> None:
        self.percents.update({terms.annual_rate * 100, terms.min_down_payment_share * 100})

    def knows_amount(self, value: Decimal) -> bool:
        return any(abs(value - known) <= _TOLERANCE or _same_in_thousands(value, known) for known in self.amounts)


def _same_in_thousands(said: Decimal, known: Decimal) -> bool:
    """"289 mil" for $289,400: a rounded mention of a real amount."""
    return said >= 1000 and said % 1000 == 0 and abs(said - known) < 1000


def ungrounded_claim(reply: str, facts: GroundedFacts, matcher: NameMatcher) -> Optional[str]:
    """Why the reply may not be sent (an amount or a car nobody gave it), or None."""
    for amount in find_amounts(reply):
        if amount.is_percent and amount.value.normalize() not in {known.normalize() for known in facts.percents}:
            return f"percentage {amount.value} not grounded"
        if amount.is_money and not amount.is_percent and not facts.knows_amount(amount.value):
            return f"amount {amount.value} not grounded"
    for match in matcher.find(reply):
        if match.model and match.distance == 0 and (match.make, match.model) not in facts.models:
            return f"car {match.make} {match.model} not grounded"
    return None
