"""Validate a catalog CSV and upsert it by stock_id; a file with any bad row imports nothing.

    python -m dealer.catalog.importer [data/catalog/cars.csv] [--force]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite

from dealer.catalog.models import Car, CatalogImport
from dealer.database import get_engine, session_scope
from dealer.settings import PROJECT_ROOT, get_settings
from dealer.vocabulary import BODY_TYPES, FUELS, TRANSMISSIONS, codes

COLUMNS = (
    "stock_id", "make", "model", "version", "year", "km", "price", "body_type", "transmission",
    "fuel", "bluetooth", "car_play", "length_mm", "width_mm", "height_mm", "seats",
)
DEFAULT_CSV = PROJECT_ROOT / "data" / "catalog" / "cars.csv"
MAX_FILE_BYTES = 200 * 1024 * 1024
_STOCK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_TRUE = {"yes", "true", "1", "si", "sí", "y"}
_FALSE = {"no", "false", "0", "n"}
_BATCH = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}" if self.column else f"line {self.line}: {self.reason}"


class CatalogFileError(Exception):
    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the catalog file")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    inserted: int
    updated: int
    skipped_unchanged: bool


def _text(max_len: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value:
            raise ValueError("is empty")
        if len(value) > max_len:
            raise ValueError(f"is longer than {max_len} characters")
        return value
    return parse


def _whole(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"\d+", value):
            raise ValueError(f"must be a whole number{unit}, got {value!r}")
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low:,} and {high:,}, got {number:,}")
        return number
    return parse


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        lowered = value.lower()
        if lowered not in options:
            raise ValueError(f"must be one of {', '.join(options)}, got {value!r}")
        return lowered
    return parse


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"must be yes or no, got {value!r}")


def _stock_id(value: str) -> str:
    if not _STOCK_ID.match(value):
        raise ValueError(f"must be 1-32 letters, digits, '-' or '_', got {value!r}")
    return value.upper()


_PARSERS: dict[str, Callable[[str], Any]] = {
    "stock_id": _stock_id,
    "make": _text(40),
    "model": _text(60),
    "version": _text(120),
    "year": _whole(1980, dt.date.today().year + 1),
    "km": _whole(0, 1_500_000, " of kilometres"),
    "price": _whole(10_000, 50_000_000, " of pesos"),
    "body_type": _choice(codes(BODY_TYPES)),
    "transmission": _choice(codes(TRANSMISSIONS)),
    "fuel": _choice(codes(FUELS)),
    "bluetooth": _flag,
    "car_play": _flag,
    "length_mm": _whole(2_000, 7_000, " of millimetres"),
    "width_mm": _whole(1_300, 2_700, " of millimetres"),
    "height_mm": _whole(1_000, 2_800, " of millimetres"),
    "seats": _whole(1, 9, " of seats, driver included"),
}


def parse_catalog(text: str) -> list[dict[str, Any]]:
    """Every row as a dict ready for the `cars` table; raises CatalogFileError listing every bad row."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise CatalogFileError([RowError(1, "", "the file is empty")])
    header = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise CatalogFileError([RowError(1, "", f"missing column(s): {', '.join(missing)}")])
    index = {name: header.index(name) for name in COLUMNS}

    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(RowError(line, "", f"expected {len(header)} fields, found {len(cells)}"))
            continue
        row: dict[str, Any] = {}
        for name, parse in _PARSERS.items():
            try:
                row[name] = parse(cells[index[name]].strip())
            except ValueError as problem:
                errors.append(RowError(line, name, str(problem)))
        if len(row) != len(_PARSERS):
            continue
        if row["stock_id"] in first_line_of:
            errors.append(RowError(line, "stock_id", f"{row['stock_id']} repeats line {first_line_of[row['stock_id']]}"))
            continue
        first_line_of[row["stock_id"]] = line
        rows.append(row)
    if errors:
        raise CatalogFileError(errors)
    if not rows:
        raise CatalogFileError([RowError(2, "", "the file has a header but no cars")])
    return rows


def upsert_cars(database_url: str, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Insert new cars and update known ones by stock_id, in one transaction. Returns (inserted, updated)."""
    engine = get_engine(database_url)
    dialect_insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(engine.dialect.name)
    if dialect_insert is None:
        raise RuntimeError(f"catalog import supports SQLite and PostgreSQL, not {engine.dialect.name}")
    rows = list(rows)
    inserted = 0
    with session_scope(database_url) as session:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            ids = [row["stock_id"] for row in batch]
            known = session.execute(select(func.count()).select_from(Car).where(Car.stock_id.in_(ids))).scalar_one()
            inserted += len(batch) - known
            statement = dialect_insert(Car).values(batch)
            updates = {name: statement.excluded[name] for name in COLUMNS if name != "stock_id"}
            session.execute(statement.on_conflict_do_update(index_elements=["stock_id"], set_=updates))
    return inserted, len(rows) - inserted


def import_catalog(path: Path, database_url: str, force: bool = False) -> ImportResult:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CatalogFileError([RowError(1, "", f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise CatalogFileError([RowError(line, "", "is not valid UTF-8")]) from None
    digest = hashlib.sha256(raw).hexdigest()
    if not force and _last_import_digest(database_url) == digest:
        return ImportResult(rows=0, inserted=0, updated=0, skipped_unchanged=True)
    rows = parse_catalog(text)
    _add_columns_added_since(database_url)
    inserted, updated = upsert_cars(database_url, rows)
    with session_scope(database_url) as session:
        session.add(CatalogImport(sha256=digest, source=str(path), rows=len(rows),
                                  imported_at=dt.datetime.now(dt.timezone.utc)))
    return ImportResult(rows=len(rows), inserted=inserted, updated=updated, skipped_unchanged=False)


def _add_columns_added_since(database_url: str) -> None:
    """A catalog table made before `seats` existed gets the column; the import that follows fills it for every car
    the file lists (a car the file no longer lists keeps the default of 5 until it is listed again)."""
    engine = get_engine(database_url)
    if "seats" not in {column["name"] for column in inspect(engine).get_columns(Car.__tablename__)}:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {Car.__tablename__} ADD COLUMN seats INTEGER NOT NULL DEFAULT 5"))


def _last_import_digest(database_url: str) -> Optional[str]:
    get_engine(database_url)
    with session_scope(database_url) as session:
        return session.execute(
            select(CatalogImport.sha256).order_by(CatalogImport.id.desc()).limit(1)
        ).scalar_one_or_none()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Validate and import a catalog CSV (upsert by stock_id).")
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--database-url", default=None, help="defaults to DATABASE_URL")
    parser.add_argument("--force", action="store_true", help="import even if this exact file was imported last")
    args = parser.parse_args(argv)
    database_url = args.database_url or get_settings().database_url
    try:
        result = import_catalog(args.csv, database_url, force=args.force)
    except FileNotFoundError:
        print(f"catalog file not found: {args.csv}", file=sys.stderr)
        return 2
    except CatalogFileError as problem:
        print(f"{args.csv}: nothing imported, {len(problem.errors)} problem(s):", file=sys.stderr)
        for error in problem.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    if result.skipped_unchanged:
        print(f"catalog up to date: {args.csv} was the last file imported")
    else:
        print(f"imported {result.rows} cars from {args.csv}: {result.inserted} new, {result.updated} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
