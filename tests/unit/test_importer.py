from pathlib import Path

import pytest
from sqlalchemy import func, select

from dealer.catalog.importer import CatalogFileError, import_catalog, main, parse_catalog
from dealer.catalog.models import Car
from dealer.database import session_scope

HEADER = ("stock_id,make,model,version,year,km,price,body_type,transmission,fuel,bluetooth,car_play,"
          "length_mm,width_mm,height_mm,seats")
GOOD = [
    "ALM-00001,Chevrolet,Aveo,LT 1.5L,2019,45000,189900,sedan,automatic,gasoline,yes,no,4400,1735,1505,5",
    "ALM-00002,Mazda,CX-5,i Grand Touring,2021,30000,459000,suv,automatic,gasoline,yes,yes,4550,1840,1680,5",
]


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cars.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count_cars(url: str) -> int:
    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(Car)).scalar_one()


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(tmp_path, empty_sqlite_url):
    path = write(
        tmp_path, HEADER, *GOOD,
        "ALM-00003,Nissan,Versa,Sense,dosmil,45000,189900,sedan,automatic,gasoline,yes,no,4495,1740,1465,5",
        "ALM-00004,Nissan,Versa,Sense,2020,45000,-5,sedan,automatic,gasoline,yes,no,4495,1740,1465,5",
        "ALM-00005,Nissan,Versa,Sense,2020,45000,189900,coupe,automatic,gasoline,talvez,no,4495,1740,1465,5",
        "ALM-00001,Nissan,Versa,Sense,2020,45000,189900,sedan,automatic,gasoline,yes,no,4495,1740,1465,5",
        "ALM-00006,Nissan,Versa",
    )
    with pytest.raises(CatalogFileError) as raised:
        import_catalog(path, empty_sqlite_url)
    reported = [str(error) for error in raised.value.errors]
    assert reported == [
        "line 4: year: must be a whole number, got 'dosmil'",
        "line 5: price: must be a whole number of pesos, got '-5'",
        "line 6: body_type: must be one of pickup, minivan, suv, sedan, hatchback, got 'coupe'",
        "line 6: bluetooth: must be yes or no, got 'talvez'",
        "line 7: stock_id: ALM-00001 repeats line 2",
        "line 8: expected 16 fields, found 3",
    ]
    assert count_cars(empty_sqlite_url) == 0


def test_missing_columns_and_empty_files(tmp_path):
    with pytest.raises(CatalogFileError, match="1 problem"):
        parse_catalog("stock_id,make\nA,B\n")
    with pytest.raises(CatalogFileError) as raised:
        parse_catalog("")
    assert str(raised.value.errors[0]) == "line 1: the file is empty"
    with pytest.raises(CatalogFileError) as raised:
        parse_catalog(HEADER + "\n")
    assert "no cars" in str(raised.value.errors[0])


def test_reimport_is_an_idempotent_upsert(tmp_path, empty_sqlite_url):
    path = write(tmp_path, HEADER, *GOOD)
    first = import_catalog(path, empty_sqlite_url)
    assert (first.inserted, first.updated) == (2, 0)
    assert import_catalog(path, empty_sqlite_url).skipped_unchanged
    changed = write(tmp_path, HEADER, GOOD[0].replace("189900", "179900"), GOOD[1])
    second = import_catalog(changed, empty_sqlite_url)
    assert (second.inserted, second.updated) == (0, 2)
    assert count_cars(empty_sqlite_url) == 2
    with session_scope(empty_sqlite_url) as session:
        assert session.get(Car, "ALM-00001").price == 179900


def test_upsert_on_postgresql(tmp_path, postgres_url):
    path = write(tmp_path, HEADER, *GOOD)
    assert import_catalog(path, postgres_url).inserted == 2
    result = import_catalog(path, postgres_url, force=True)
    assert (result.inserted, result.updated) == (0, 2)
    assert count_cars(postgres_url) == 2


def test_command_line_reports_problems_and_exit_codes(tmp_path, empty_sqlite_url, capsys):
    bad = write(tmp_path, HEADER, GOOD[0].replace("189900", "mucho"))
    assert main([str(bad), "--database-url", empty_sqlite_url]) == 1
    assert "line 2: price: must be a whole number of pesos, got 'mucho'" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.csv"), "--database-url", empty_sqlite_url]) == 2
    good = write(tmp_path, HEADER, *GOOD)
    assert main([str(good), "--database-url", empty_sqlite_url]) == 0
    assert "imported 2 cars" in capsys.readouterr().out
    assert main([str(good), "--database-url", empty_sqlite_url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_invalid_utf8_is_reported_with_its_line(tmp_path, empty_sqlite_url):
    path = tmp_path / "cars.csv"
    path.write_bytes((HEADER + "\n" + GOOD[0] + "\n").encode() + "ALM-9,Seat,Le\xf3n".encode("latin-1"))
    with pytest.raises(CatalogFileError) as raised:
        import_catalog(path, empty_sqlite_url)
    assert str(raised.value.errors[0]) == "line 3: is not valid UTF-8"


def test_seats_are_validated_and_a_file_without_them_says_so(tmp_path):
    with pytest.raises(CatalogFileError) as raised:
        parse_catalog("\n".join([HEADER, GOOD[0][:-1] + "0", GOOD[1][:-1] + "siete"]))
    assert [str(error) for error in raised.value.errors] == [
        "line 2: seats: must be between 1 and 9, got 0",
        "line 3: seats: must be a whole number of seats, driver included, got 'siete'",
    ]
    with pytest.raises(CatalogFileError) as raised:
        parse_catalog("\n".join([HEADER.removesuffix(",seats"), GOOD[0].removesuffix(",5")]))
    assert str(raised.value.errors[0]) == "line 1: missing column(s): seats"


def test_a_catalog_table_made_before_seats_gets_the_column(tmp_path):
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path}/old.db"
    old_columns = "stock_id VARCHAR(32) PRIMARY KEY, make VARCHAR(40) NOT NULL, model VARCHAR(60) NOT NULL, " \
        "version VARCHAR(120) NOT NULL, year INTEGER NOT NULL, km INTEGER NOT NULL, price INTEGER NOT NULL, " \
        "body_type VARCHAR(20) NOT NULL, transmission VARCHAR(20) NOT NULL, fuel VARCHAR(20) NOT NULL, " \
        "bluetooth BOOLEAN NOT NULL, car_play BOOLEAN NOT NULL, length_mm INTEGER NOT NULL, " \
        "width_mm INTEGER NOT NULL, height_mm INTEGER NOT NULL"
    with create_engine(url).begin() as connection:
        connection.execute(text(f"CREATE TABLE cars ({old_columns})"))
    path = write(tmp_path, HEADER, GOOD[0], GOOD[1][:-1] + "7")
    assert import_catalog(path, url).inserted == 2
    with session_scope(url) as session:
        assert session.get(Car, "ALM-00002").seats == 7
