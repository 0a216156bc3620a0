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
