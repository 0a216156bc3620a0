from decimal import Decimal

import pytest

from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.llm.grounding import GroundedFacts, ungrounded_claim


@pytest.fixture()
def facts(repository) -> GroundedFacts:
    facts = GroundedFacts()
    aveo = next(car for car in repository.search(_aveo_filters(), 1, 5).cars)
    facts.add_car(aveo)
    facts.add_plan(compute_plan(Decimal(aveo.price), Decimal(50_000), 4, FinancingTerms()))
    facts.add_terms(FinancingTerms())
    facts.add_text("El apartado es de $5,000 MXN y se devuelve.")
    facts.aveo = aveo
    return facts


def _aveo_filters():
    from dealer.catalog.query import CarFilters
    return CarFilters(make="Chevrolet", model="Aveo")


def test_amounts_and_cars_from_the_tools_may_be_said(facts, repository):
    price = facts.aveo.price
    plan_payment = max(amount for amount in facts.amounts if amount < 20_000 and amount != 5000)
    reply = (f"El Chevrolet Aveo {facts.aveo.year} cuesta ${price:,}; con 50 mil de enganche pagas "
             f"${plan_payment:,.2f} al mes a una tasa del 10%. El apartado es de $5,000.")
    assert ungrounded_claim(reply, facts, repository.name_matcher()) is None
    assert ungrounded_claim(f"Cuesta {round(price / 1000)} mil", facts, repository.name_matcher()) is None


@pytest.mark.parametrize("reply", [
    "Te lo dejo en $1, trato hecho",
    "Para ti, $99,999 de contado",
    "Te doy 15% de descuento",
    "También tenemos un Honda Civic en oferta",
])
def test_invented_prices_discounts_and_cars_are_caught(facts, repository, reply):
    assert ungrounded_claim(reply, facts, repository.name_matcher()) is not None
