"""The SQL queries against an independent oracle: the same filters applied to the CSV rows in Python."""

import math

import pytest

from dealer.catalog.importer import import_catalog, parse_catalog
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CatalogRepository

FILTERS = [
    CarFilters(),
    CarFilters(make="Chevrolet"),
    CarFilters(make="Volkswagen", model="Jetta", year_min=2019),
    CarFilters(body_type="suv", price_max=350_000),
    CarFilters(transmission="automatic", car_play=True, km_max=60_000),
    CarFilters(price_min=200_000, price_max=300_000, bluetooth=True),
    CarFilters(year_min=2018, year_max=2020, sort="km_asc"),
    CarFilters(fuel="hybrid", sort="year_desc"),
    CarFilters(make="Ferrari"),
    CarFilters(seats_min=7),
    CarFilters(body_types=("suv", "minivan", "sedan"), seats_min=5, sort="year_desc"),
]


def expected_ids(rows, filters: CarFilters) -> list[str]:
    def keep(row) -> bool:
        checks = [
            (filters.make, lambda: row["make"] == filters.make),
            (filters.model, lambda: row["model"] == filters.model),
            (filters.year_min, lambda: row["year"] >= filters.year_min),
            (filters.year_max, lambda: row["year"] <= filters.year_max),
            (filters.price_min, lambda: row["price"] >= filters.price_min),
            (filters.price_max, lambda: row["price"] <= filters.price_max),
            (filters.km_max, lambda: row["km"] <= filters.km_max),
            (filters.body_type, lambda: row["body_type"] == filters.body_type),
            (filters.transmission, lambda: row["transmission"] == filters.transmission),
            (filters.fuel, lambda: row["fuel"] == filters.fuel),
            (filters.car_play, lambda: row["car_play"] is filters.car_play),
            (filters.bluetooth, lambda: row["bluetooth"] is filters.bluetooth),
            (filters.body_types, lambda: row["body_type"] in filters.body_types),
            (filters.seats_min, lambda: row["seats"] >= filters.seats_min),
        ]
        return all(check() for value, check in checks if value is not None)

    order = {
        "price_asc": lambda r: (r["price"], r["stock_id"]),
        "year_desc": lambda r: (-r["year"], r["price"], r["stock_id"]),
        "km_asc": lambda r: (r["km"], r["price"], r["stock_id"]),
    }[filters.sort]
    return [row["stock_id"] for row in sorted(filter(keep, rows), key=order)]


@pytest.fixture(scope="module")
def csv_rows(catalog_csv):
    return parse_catalog(catalog_csv.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_repository(request, csv_rows, catalog_csv):
    if request.param == "sqlite":
        return request.getfixturevalue("repository")
    url = request.getfixturevalue("postgres_url")
    import_catalog(catalog_csv, url, force=True)
    return CatalogRepository(url)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.to_slot().items()))
def test_search_pages_match_the_oracle(any_repository, csv_rows, filters):
    expected = expected_ids(csv_rows, filters)
    page_size = 5
    pages = max(1, math.ceil(len(expected) / page_size))
    seen: list[str] = []
    for number in range(1, pages + 1):
        page = any_repository.search(filters, page=number, page_size=page_size)
        assert (page.number, page.pages, page.total) == (number, pages, len(expected))
        seen += [car.stock_id for car in page.cars]
    assert seen == expected


def test_pages_are_clamped(repository):
    first = repository.search(CarFilters(), page=-3, page_size=5)
    last = repository.search(CarFilters(), page=10**9, page_size=5)
    assert first.number == 1
    assert last.number == last.pages and len(last.cars) >= 1


def test_brand_counts_cover_the_catalog(any_repository, csv_rows):
    counts = any_repository.brand_counts()
    assert sum(count for _, count in counts) == len(csv_rows)
    assert [count for _, count in counts] == sorted((count for _, count in counts), reverse=True)
    assert len(counts) >= 15


def test_get_by_stock_id_ignores_case_and_spaces(repository, csv_rows):
    stock_id = csv_rows[0]["stock_id"]
    assert repository.get(f"  {stock_id.lower()} ").stock_id == stock_id
    assert repository.get("ALM-00000") is None


def test_the_name_matcher_knows_every_make_and_model(repository, csv_rows):
    matcher = repository.name_matcher()
    assert set(matcher.makes) == {row["make"] for row in csv_rows}
    assert sum(len(models) for models in matcher.models_by_make.values()) == len({(r["make"], r["model"]) for r in csv_rows})
