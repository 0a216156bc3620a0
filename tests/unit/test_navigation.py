import pytest

from dealer.catalog.navigation import LAST_PAGE, CarReference, StockIdFormat, requested_car, requested_page

CATALOG_IDS = StockIdFormat.of(["ALM-10023", "ALM-10045", "ALM-10046"])


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
    assert requested_car(text, CATALOG_IDS) == expected


def test_no_car_reference():
    assert requested_car("detalles", CATALOG_IDS) is None


@pytest.mark.parametrize("text", ["con 56000 de enganche", "doy 100000", "de 50000", "el aveo 2019", "cp 06700",
                                  "alm 123456789", "xalm-10023"])
def test_only_the_catalogs_own_ids_are_stock_ids(text):
    reference = requested_car(text, CATALOG_IDS)
    assert reference is None or reference.stock_id is None


def test_the_id_format_comes_from_the_catalog():
    other = StockIdFormat.of(["SN1234", "SN0042", "QRO1234"])
    assert requested_car("me interesa el sn 1234", other) == CarReference(stock_id="SN1234")
    assert requested_car("el qro-1234", other) == CarReference(stock_id="QRO1234")
    assert requested_car("el ALM-10023", other) != CarReference(stock_id="ALM-10023")
    assert requested_car("el ALM-10023", StockIdFormat.of([])) != CarReference(stock_id="ALM-10023")
