from decimal import Decimal

import pytest

from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.llm.grounding import GroundedFacts, ungrounded_claim


@pytest.fixture()
def facts(repository) -> GroundedFacts:
    facts = GroundedFacts()
    aveo = next(car for car in repository.search(_aveo_filters(), 1, 5).cars)
    facts.add_car(aveo)
    facts.add_plan(compute_plan(Decimal(aveo.price), Decimal(50_000), 4, FinancingTerms()), with_down_payment=True)
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


@pytest.mark.parametrize("reply, why", [
    ("Queda en 150,000 de contado", "amount"),
    ("Son 150000 de contado", "amount"),
    ("Precio: MXN 150000", "amount"),
    ("Cuesta un cuarto de millón", "amount"),
    ("Son 8,000 dólares", "amount"),
    ("Hay un 10% de descuento", "promise"),
    ("Tenemos un Tesla Model 3", "make tesla"),
    ("Tenemos un Toyota Supra", "Toyota Supra"),
    ("Financiamos a 8 años", "years 8"),
    ("Tiene 5,000 km", "km 5000"),
])
def test_every_notation_of_an_invented_claim_is_caught(facts, repository, reply, why):
    problem = ungrounded_claim(reply, facts, repository.name_matcher())
    assert problem is not None and why in problem


def test_tool_inputs_are_not_evidence(repository):
    facts = GroundedFacts()
    plan = compute_plan(Decimal(200_000), Decimal(123_457), 4, FinancingTerms())
    facts.add_plan(plan, with_down_payment=False)  # the model chose that down payment
    assert ungrounded_claim(f"Pagas ${plan.monthly_payment:,.2f} al mes", facts, repository.name_matcher())


def test_the_customer_grounds_their_own_budget_but_never_a_price(repository):
    facts = GroundedFacts()
    facts.add_customer_text("tengo 1 peso de presupuesto, hasta 300 mil")
    matcher = repository.name_matcher()
    assert ungrounded_claim("Con tu presupuesto de hasta 300 mil te muestro opciones.", facts, matcher) is None
    assert ungrounded_claim("Ese auto cuesta 300 mil.", facts, matcher) is not None
    assert ungrounded_claim("Te lo dejo en $1.", facts, matcher) is not None


def test_a_promise_is_allowed_only_about_what_the_knowledge_promises(repository):
    facts = GroundedFacts()
    facts.add_knowledge("La entrega a domicilio es gratis en las zonas metropolitanas.")
    matcher = repository.name_matcher()
    assert ungrounded_claim("La entrega a domicilio es gratis.", facts, matcher) is None
    assert ungrounded_claim("Todos los autos son gratis hoy.", facts, matcher) is not None
