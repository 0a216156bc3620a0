"""Reply checks over replies built by the project's own presenters and the real catalog."""

from decimal import Decimal

import pytest

from dealer.catalog.presenter import car_details_message
from dealer.catalog.query import CarFilters
from dealer.financing import presenter
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.reply_checks import is_spanish, reply_problems
from dealer.text import WHATSAPP_MAX_CHARS

TERMS = FinancingTerms()


@pytest.fixture(scope="module")
def catalog(repository):
    cars = repository.search(CarFilters(), 1, 200).cars
    prices = {Decimal(car.price) for car in cars}
    by_id = {car.stock_id: Decimal(car.price) for car in cars}
    return cars, prices, by_id.get


def problems(text, catalog):
    _, prices, price_of = catalog
    return reply_problems(text, prices, price_of, TERMS)


def test_the_projects_own_replies_pass(catalog):
    cars, _, _ = catalog
    car = cars[3]
    plan = compute_plan(Decimal(car.price), Decimal(50_000), 4, TERMS)
    plans = [compute_plan(Decimal(car.price), Decimal(50_000), years, TERMS) for years in TERMS.terms_years]
    for reply in (car_details_message(car), presenter.plan_message(car, plan), presenter.comparison_message(car, plans),
                  presenter.ask_down_payment(car, TERMS), "¡Listo! 🙂"):
        assert problems(reply, catalog) == [], reply


def test_a_price_no_car_has_is_caught(catalog):
    assert problems("Te lo dejo en $1,000 pesos, ¿te interesa?", catalog) == [
        "amount $1,000 is neither a catalog price nor a financing figure"]


def test_a_monthly_payment_that_the_formula_does_not_give_is_caught(catalog):
    cars, _, _ = catalog
    car = cars[3]
    reply = presenter.plan_message(car, compute_plan(Decimal(car.price), Decimal(50_000), 4, TERMS))
    wrong = reply.replace("Mensualidad: $", "Mensualidad: $1")
    assert any("neither a catalog price" in problem for problem in problems(wrong, catalog))


def test_english_long_and_formal_replies_are_caught(catalog):
    assert problems("Sure, I can help you with the car and the price of this model.", catalog) == ["not Spanish"]
    assert problems("hola " * (WHATSAPP_MAX_CHARS // 4), catalog)[0].endswith(f"over WhatsApp's {WHATSAPP_MAX_CHARS}")
    assert problems("¿En qué le puedo ayudar? Usted elige el auto.", catalog) == ["addresses the customer as usted"]


def test_spanish_detection_on_short_and_mixed_text():
    assert is_spanish("👍") and is_spanish("¡Hola!")
    assert is_spanish("Tenemos 3 autos de Mazda en la página 1 de 2")
    assert not is_spanish("This is the best car for you")


def test_amounts_the_customer_wrote_may_be_repeated(catalog):
    _, prices, price_of = catalog
    reply = "Encontré 37 autos (SUV · hasta $350,000), página 1 de 8"
    assert reply_problems(reply, prices, price_of, TERMS, customer_said="busco una SUV de menos de 350 mil") == []
    assert reply_problems(reply, prices, price_of, TERMS, customer_said="busco una SUV") != []
