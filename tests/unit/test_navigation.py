import pytest

from dealer.catalog.navigation import LAST_PAGE, CarReference, requested_car, requested_page


@pytest.mark.parametrize(
    "text, current, expected",
    [
        ("más", 1, 2),
        ("siguiente", 2, 3),
        ("anterior", 3, 2),
        ("regresa", 2, 1),
        ("página 3", 1, 3),
        ("pag. 4", 1, 4),
        ("la 2", 3, 2),
        ("página tres", 1, 3),
        ("la primera", 4, 1),
        ("la última", 1, LAST_PAGE),
        ("5", 1, 5),
    ],
)
def test_requested_page(text, current, expected):
    assert requested_page(text, current) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("detalles del 2", CarReference(position=2)),
        ("más info del tercero", CarReference(position=3)),
        ("el primero", CarReference(position=1)),
        ("quiero ver el cinco", CarReference(position=5)),
        ("dame detalles del último", CarReference(last=True)),
        ("info del ALM-10023", CarReference(stock_id="ALM-10023")),
        ("alm10045", CarReference(stock_id="ALM-10045")),
        ("ficha del alm 10046 porfa", CarReference(stock_id="ALM-10046")),
    ],
)
def test_requested_car(text, expected):
    assert requested_car(text) == expected


def test_no_car_reference():
    assert requested_car("detalles") is None
