from decimal import Decimal

import pytest

from dealer.amounts import find_amounts, spell_out_digits, words_to_number


@pytest.mark.parametrize(
    "text, value, is_money",
    [
        ("menos de 350 mil", Decimal(350_000), True),
        ("$50,000", Decimal(50_000), True),
        ("50k", Decimal(50_000), True),
        ("50,000.00", Decimal(50_000), False),
        ("50.000", Decimal(50_000), False),
        ("cincuenta mil", Decimal(50_000), True),
        ("trescientos cincuenta mil pesos", Decimal(350_000), True),
        ("1.5 millones", Decimal(1_500_000), True),
        ("1,5 millones", Decimal(1_500_000), True),
        ("un millón y medio", Decimal(1_500_000), True),
        ("medio millón", Decimal(500_000), True),
        ("dos millones trescientos mil", Decimal(2_300_000), True),
        ("189900", Decimal(189_900), False),
    ],
)
def test_amounts_as_people_write_them(text, value, is_money):
    (amount,) = find_amounts(text)
    assert amount.value == value
    assert amount.is_money is is_money


def test_percentages_are_marked():
    (amount,) = find_amounts("veinte por ciento")
    assert amount.value == 20 and amount.is_percent
    (amount,) = find_amounts("20%")
    assert amount.value == 20 and amount.is_percent


def test_a_year_is_a_plain_integer():
    year, km = find_amounts("un jetta 2019 con menos de 60 mil km")
    assert year.value == 2019 and year.plain_integer
    assert km.value == 60_000 and not km.plain_integer


@pytest.mark.parametrize("text", ["mil gracias", "un jetta", "quiero una camioneta", "", "🚗🚗"])
def test_words_that_are_not_amounts(text):
    assert find_amounts(text) == []


def test_spelled_out_numbers_become_digits_in_place():
    assert spell_out_digits("Busco algo de doscientos mil") == "busco algo de 200 mil"
    assert spell_out_digits("la página tres") == "la pagina 3"


def test_words_to_number_rejects_other_words():
    assert words_to_number(["tres", "carros"]) is None
    assert words_to_number(["veintiuno"]) == 21


@pytest.mark.parametrize("text", ["mi cel es 5512345678", "llámame al 55 1234 5678", "al (55) 1234-5678",
                                  "+52 1 55 1234 5678", "mi cp es 06700", "código postal 44100", "C.P. 03100"])
def test_phone_numbers_and_postal_codes_are_not_amounts(text):
    assert find_amounts(text) == []


def test_an_amount_beside_a_phone_number_is_still_read():
    assert [a.value for a in find_amounts("tengo 50 mil, mi número es 55 1234 5678")] == [50_000]


def test_a_model_year_is_marked():
    year, price = find_amounts("un aveo 2019 de 150000")
    assert year.is_model_year() and not price.is_model_year()


@pytest.mark.parametrize("text, value, is_percent", [
    ("un diez por ciento", Decimal(10), True),
    ("una tasa de un diez por ciento", Decimal(10), True),
    ("un veinte por ciento de enganche", Decimal(20), True),
    ("un cuarto de millón", Decimal(250_000), False),
    ("tres cuartos de millón", Decimal(750_000), False),
    ("ciento veinte mil", Decimal(120_000), False),
    ("treinta y dos mil", Decimal(32_000), False),
])
def test_articles_and_quarters_are_read_as_people_mean_them(text, value, is_percent):
    (amount,) = [amount for amount in find_amounts(text)]
    assert amount.value == value and amount.is_percent is is_percent


def test_two_numbers_in_a_row_are_not_added_up():
    assert words_to_number(["un", "diez"]) is None
    assert words_to_number(["cinco", "veinte"]) is None
