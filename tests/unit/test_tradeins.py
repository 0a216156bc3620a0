"""Reading the customer's own car as they describe it: any make, year and km in Spanish as written."""

from __future__ import annotations

from datetime import date

import pytest

from dealer.tradeins.reading import CarDescription, read_car

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("text", "asked", "expected"), [
    ("es un vocho 2005 con 150 mil km", None, CarDescription("Volkswagen", "Sedán", 2005, 150000)),
    ("Mi carro es un Ford Fiesta 2014 con 120,000 km", None, CarDescription("Ford", "Fiesta", 2014, 120000)),
    ("mazda 3 con 90 mil km", None, CarDescription("Mazda", "3", None, 90000)),
    ("toyota corolla modelo 18 con 60 mil kms", None, CarDescription("Toyota", "Corolla", 2018, 60000)),
    ("tengo un chevy 2008", None, CarDescription("Chevrolet", None, 2008, None)),
    ("un Lada", "tradein_make", CarDescription("Lada", None, None, None)),  # not a make we know: kept as written
    ("samara", "tradein_model", CarDescription(None, "Samara", None, None)),
    ("2012", "tradein_year", CarDescription(None, None, 2012, None)),
    ("como 90 mil kilómetros", "tradein_km", CarDescription(None, None, None, 90000)),
    ("lleva 90", "tradein_km", CarDescription(None, None, None, 90000)),
    ("quiero dejar mi auto a cuenta", None, CarDescription()),
])
def test_a_car_description_is_read(text, asked, expected):
    assert read_car(text, asked, today=TODAY) == expected


def test_years_outside_what_a_car_can_be_are_not_years():
    assert read_car("2035", "tradein_year", today=TODAY).year is None
    assert read_car("1890", "tradein_year", today=TODAY).year is None


@pytest.mark.parametrize("text", ["", "🚗🚗", "x" * 5000, "-5 km", "999999999999 km"])
def test_odd_messages_give_nothing_wrong(text):
    car = read_car(text, "tradein_km", today=TODAY)
    assert car.km is None or 0 <= car.km <= 1_500_000
