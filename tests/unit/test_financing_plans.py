from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer.catalog.navigation import StockIdFormat
from dealer.financing.plans import (
    DownPaymentProblem,
    FinancingTerms,
    Plan,
    check_down_payment,
    check_term,
    compare_terms,
    compute_plan,
    format_mxn,
    minimum_down_payment,
)
from dealer.financing.reading import parse_term_years, read_down_payment, read_financing_message

TERMS = FinancingTerms()
PRICE = Decimal(250_000)
DOWN = Decimal(50_000)  # leaves 200,000 financed


def pesos(text: str):
    """The down payment a message names, in pesos for a car of PRICE."""
    written = read_down_payment(text)
    return written.pesos(PRICE) if written else None


@pytest.mark.parametrize("years, monthly", [(4, Decimal("5072.52")), (3, Decimal("6453.44"))])
def test_known_monthly_payments(years, monthly):
    plan = compute_plan(PRICE, DOWN, years, TERMS)
    assert plan.financed_amount == Decimal(200_000)
    assert plan.payments == 12 * years
    assert plan.monthly_payment == monthly
    assert plan.total_paid == monthly * plan.payments
    assert plan.total_interest == plan.total_paid - plan.financed_amount
    assert plan.annual_rate == Decimal("0.10")


def test_money_is_rounded_to_cents():
    plan = compute_plan(Decimal("250000.005"), Decimal("50000"), 4, TERMS)
    assert plan.price == Decimal("250000.01")
    money = (plan.price, plan.down_payment, plan.financed_amount, plan.monthly_payment, plan.total_paid, plan.total_interest)
    for value in money:
        assert value == value.quantize(Decimal("0.01"))


def test_zero_rate_splits_the_amount_evenly():
    plan = compute_plan(PRICE, DOWN, 4, FinancingTerms(annual_rate=Decimal(0)))
    assert plan.monthly_payment == Decimal("4166.67")  # 200,000 / 48
    assert plan.total_interest == plan.total_paid - Decimal(200_000)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"annual_rate": Decimal("-0.01")},
        {"annual_rate": Decimal(1)},
        {"terms_years": ()},
        {"terms_years": (0, 3)},
        {"terms_years": (3, 11)},
        {"terms_years": (4, 3)},
        {"terms_years": (3, 3, 4)},
        {"min_down_payment_share": Decimal("-0.1")},
        {"min_down_payment_share": Decimal(1)},
    ],
)
def test_terms_reject_nonsense(kwargs):
    with pytest.raises(ValueError):
        FinancingTerms(**kwargs)


@pytest.mark.parametrize(
    "amount, text",
    [
        (Decimal("5072.52"), "$5,072.52"),
        (Decimal(0), "$0.00"),
        (Decimal("0.005"), "$0.01"),
        (Decimal("-0.001"), "$0.00"),
        (Decimal(1_234_567), "$1,234,567.00"),
        (Decimal("999.999"), "$1,000.00"),
        (Decimal(-1000), "-$1,000.00"),
    ],
)
def test_format_mxn(amount, text):
    assert format_mxn(amount) == text


def test_minimum_down_payment_rounds_up_to_the_peso():
    assert minimum_down_payment(Decimal(250_000), TERMS) == Decimal(25_000)
    assert minimum_down_payment(Decimal(250_005), TERMS) == Decimal(25_001)


@pytest.mark.parametrize(
    "down_payment, problem",
    [
        (Decimal(-5000), DownPaymentProblem.NEGATIVE),
        (Decimal(0), DownPaymentProblem.BELOW_MINIMUM),
        (Decimal("24999.99"), DownPaymentProblem.BELOW_MINIMUM),
        (Decimal(25_000), None),
        (Decimal(100_000), None),
        (Decimal("249999.99"), None),
        (PRICE, DownPaymentProblem.NOT_BELOW_PRICE),
        (Decimal(300_000), DownPaymentProblem.NOT_BELOW_PRICE),
    ],
)
def test_check_down_payment(down_payment, problem):
    assert check_down_payment(PRICE, down_payment, TERMS) is problem


def test_check_term():
    assert all(check_term(years, TERMS) for years in (3, 4, 5, 6))
    assert not check_term(2, TERMS)
    assert not check_term(7, TERMS)
    assert check_term(2, FinancingTerms(terms_years=(1, 2)))


@pytest.mark.parametrize(
    "price, down_payment, years",
    [(Decimal(0), Decimal(0), 4), (PRICE, Decimal(-1), 4), (PRICE, Decimal(10), 4), (PRICE, PRICE, 4), (PRICE, DOWN, 7)],
)
def test_compute_plan_refuses_invalid_input(price, down_payment, years):
    with pytest.raises(ValueError):
        compute_plan(price, down_payment, years, TERMS)


def test_compare_terms_gives_one_plan_per_term_in_order():
    plans = compare_terms(PRICE, DOWN, TERMS)
    assert all(isinstance(plan, Plan) for plan in plans)
    assert [plan.years for plan in plans] == [3, 4, 5, 6]
    payments = [plan.monthly_payment for plan in plans]
    assert payments == sorted(payments, reverse=True)


prices = st.integers(min_value=50_000, max_value=2_000_000).map(Decimal)
shares = st.integers(min_value=10, max_value=90)
year_pairs = st.lists(st.sampled_from(TERMS.terms_years), min_size=2, max_size=2, unique=True).map(sorted)


def _down_payment(price: Decimal, share_percent: int) -> Decimal:
    # Rounded up to the peso so a 10% share never falls below the (rounded-up) minimum.
    return (price * share_percent / 100).quantize(Decimal(1), rounding=ROUND_CEILING)


@given(price=prices, share=shares, years=year_pairs)
def test_longer_terms_lower_the_payment_and_raise_the_interest(price, share, years):
    shorter, longer = (compute_plan(price, _down_payment(price, share), y, TERMS) for y in years)
    assert longer.monthly_payment <= shorter.monthly_payment
    assert longer.total_interest > shorter.total_interest


@given(price=prices, share=shares, years=st.sampled_from(TERMS.terms_years), rate=st.sampled_from(["0", "0.05", "0.10", "0.35"]))
def test_payments_cover_the_financed_amount(price, share, years, rate):
    plan = compute_plan(price, _down_payment(price, share), years, FinancingTerms(annual_rate=Decimal(rate)))
    assert plan.monthly_payment * plan.payments >= plan.financed_amount - Decimal("0.01") * plan.payments
    assert plan.total_interest == plan.total_paid - plan.financed_amount


@pytest.mark.parametrize(
    "text, value",
    [
        ("50 mil", Decimal(50_000)),
        ("$50,000", Decimal(50_000)),
        ("50k", Decimal(50_000)),
        ("50,000.00", Decimal(50_000)),
        ("cincuenta mil", Decimal(50_000)),
        ("50000", Decimal(50_000)),
        ("20%", Decimal(50_000)),  # of the 250,000 price
        ("el 20 por ciento", Decimal(50_000)),
        ("veinte por ciento", Decimal(50_000)),
        ("12.5%", Decimal(31_250)),
        ("con 100 mil de enganche", Decimal(100_000)),
        ("1.5 millones", Decimal(1_500_000)),  # read as written; check_down_payment refuses it
        ("con 60 mil a 4 años", Decimal(60_000)),
        ("48 meses con 30 mil", Decimal(30_000)),
        ("-5000", Decimal(-5000)),  # refused later as NEGATIVE
        ("$-5,000", Decimal(-5000)),
        ("0", Decimal(0)),  # refused later as BELOW_MINIMUM
        ("a 4 años", None),
        ("48 meses", None),
        ("a 4", None),
        ("5", None),
        ("no sé todavía", None),
        ("", None),
    ],
)
def test_read_down_payment(text, value):
    assert pesos(text) == value


def test_parsed_down_payments_feed_the_validation():
    assert check_down_payment(PRICE, pesos("-5000"), TERMS) is DownPaymentProblem.NEGATIVE
    assert check_down_payment(PRICE, pesos("0"), TERMS) is DownPaymentProblem.BELOW_MINIMUM
    assert check_down_payment(PRICE, pesos("el 10%"), TERMS) is None


@pytest.mark.parametrize(
    "text, years",
    [
        ("a 4 años", 4),
        ("4 años", 4),
        ("4 anos", 4),
        ("a cuatro años", 4),
        ("seis años", 6),
        ("48 meses", 4),
        ("a 72 meses", 6),
        ("50 meses", None),  # not a whole number of years
        ("a 6", 6),
        ("plazo de 5", 5),
        ("plazo de cinco", 5),
        ("un año", 1),
        ("a 10 años", 10),  # outside the offer, but check_term decides that
        ("con 50 mil a 4 años", 4),
        ("con 50 mil", None),
        ("a 6 mil", None),
        ("a 20%", None),
        ("quiero el jetta 2019", None),
        ("", None),
    ],
)
def test_parse_term_years(text, years):
    assert parse_term_years(text) == years


@pytest.mark.parametrize(
    "text, down_payment, years",
    [
        ("quiero financiarlo con 56000 de enganche a 4 años", Decimal(56_000), 4),
        ("doy 100000", Decimal(100_000), None),
        ("de 50000 de enganche", Decimal(50_000), None),
        ("el aveo 2019 con 56000 de enganche", Decimal(56_000), None),  # the year is not the down payment
        ("mi cel es 5512345678 y doy 50 mil", Decimal(50_000), None),
        ("mi cp es 06700, enganche de 80000 a 48 meses", Decimal(80_000), 4),
    ],
)
def test_financing_messages_read_bare_down_payments_and_no_false_stock_ids(text, down_payment, years):
    message = read_financing_message(text, StockIdFormat.of(["ALM-10023"]))
    assert message.car is None or message.car.stock_id is None
    assert message.down_payment.pesos(PRICE) == down_payment
    assert message.years == years


def test_a_catalog_stock_id_in_a_financing_message():
    message = read_financing_message("el alm 10023 con 56000 a 4 años", StockIdFormat.of(["ALM-10023"]))
    assert message.car.stock_id == "ALM-10023"
    assert message.down_payment.pesos(PRICE) == Decimal(56_000)
