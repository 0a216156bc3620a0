"""Catalog queries behind DATABASE_URL. Returns plain records, never ORM objects bound to a session."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from dealer.catalog.matching import NameMatcher
from dealer.catalog.models import Car
from dealer.catalog.navigation import StockIdFormat
from dealer.catalog.query import CarFilters
from dealer.database import get_engine, session_scope
from dealer.vocabulary import MAKE_ORIGINS

_NAMES_TTL_SECONDS = 60.0  # a re-imported catalog's new brands show up within a minute, without a restart


@dataclass(frozen=True)
class CarRecord:
    stock_id: str
    make: str
    model: str
    version: str
    year: int
    km: int
    price: int
    body_type: str
    transmission: str
    fuel: str
    bluetooth: bool
    car_play: bool
    length_mm: int
    width_mm: int
    height_mm: int
    seats: int

    @classmethod
    def from_row(cls, car: Car) -> CarRecord:
        return cls(**{name: getattr(car, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Page:
    cars: tuple[CarRecord, ...]
    number: int  # 1-based; clamped into [1, pages]
    pages: int
    total: int
    page_size: int


_ORDER = {
    "price_asc": (Car.price.asc(), Car.stock_id.asc()),
    "price_desc": (Car.price.desc(), Car.stock_id.asc()),
    "year_desc": (Car.year.desc(), Car.price.asc(), Car.stock_id.asc()),
    "km_asc": (Car.km.asc(), Car.price.asc(), Car.stock_id.asc()),
}


def _filtered(statement: Select, filters: CarFilters) -> Select:
    conditions = []
    if filters.make:
        conditions.append(Car.make == filters.make)
    if filters.model:
        conditions.append(Car.model == filters.model)
    if filters.year_min is not None:
        conditions.append(Car.year >= filters.year_min)
    if filters.year_max is not None:
        conditions.append(Car.year <= filters.year_max)
    if filters.price_min is not None:
        conditions.append(Car.price >= filters.price_min)
    if filters.price_max is not None:
        conditions.append(Car.price <= filters.price_max)
    if filters.km_max is not None:
        conditions.append(Car.km <= filters.km_max)
    for name in ("body_type", "transmission", "fuel"):
        if getattr(filters, name):
            conditions.append(getattr(Car, name) == getattr(filters, name))
    if filters.body_types:
        conditions.append(Car.body_type.in_(filters.body_types))
    if filters.seats_min is not None:
        conditions.append(Car.seats >= filters.seats_min)
    if filters.origin:
        conditions.append(Car.make.in_([make for make, origin in MAKE_ORIGINS.items() if origin == filters.origin]))
    for name in ("bluetooth", "car_play"):
        if getattr(filters, name) is not None:
            conditions.append(getattr(Car, name).is_(getattr(filters, name)))
    return statement.where(*conditions)


def _count(session: Session, filters: CarFilters) -> int:
    return session.execute(_filtered(select(func.count()).select_from(Car), filters)).scalar_one()


class CatalogRepository:
    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the tables on first use
        self._matcher: Optional[NameMatcher] = None
        self._stock_ids: Optional[StockIdFormat] = None
        self._names_loaded_at = 0.0

    def search(self, filters: CarFilters, page: int, page_size: int) -> Page:
        with session_scope(self.database_url) as session:
            total = _count(session, filters)
            pages = max(1, math.ceil(total / page_size))
            number = min(max(1, page), pages)
            order = _ORDER.get(filters.sort, _ORDER["price_asc"])
            # Page the narrow stock ids first, then read only those rows: sorting whole rows of a wide match
            # (a price range over 100,000 cars) costs ten times more.
            page_ids = (
                _filtered(select(Car.stock_id), filters).order_by(*order).offset((number - 1) * page_size).limit(page_size)
            )
            rows = session.execute(select(Car).where(Car.stock_id.in_(page_ids.scalar_subquery())).order_by(*order)).scalars()
            cars = tuple(CarRecord.from_row(car) for car in rows)
        return Page(cars=cars, number=number, pages=pages, total=total, page_size=page_size)

    def count(self, filters: CarFilters) -> int:
        with session_scope(self.database_url) as session:
            return _count(session, filters)

    def get(self, stock_id: str) -> Optional[CarRecord]:
        with session_scope(self.database_url) as session:
            car = session.get(Car, stock_id.strip().upper())
            return CarRecord.from_row(car) if car else None

    def brand_counts(self) -> list[tuple[str, int]]:
        """Every make with its number of cars, most stocked first."""
        with session_scope(self.database_url) as session:
            rows = session.execute(
                select(Car.make, func.count()).group_by(Car.make).order_by(func.count().desc(), Car.make)
            ).all()
        return [(make, count) for make, count in rows]

    def name_matcher(self) -> NameMatcher:
        """A matcher over the catalog's current makes and models, rebuilt at most once a minute."""
        self._load_names()
        assert self._matcher is not None
        return self._matcher

    def stock_id_format(self) -> StockIdFormat:
        """The shape of the catalog's stock ids, read with the names (at most once a minute)."""
        self._load_names()
        assert self._stock_ids is not None
        return self._stock_ids

    def _load_names(self) -> None:
        now = time.monotonic()
        if self._matcher is not None and now - self._names_loaded_at <= _NAMES_TTL_SECONDS:
            return
        with session_scope(self.database_url) as session:
            pairs = session.execute(select(Car.make, Car.model).distinct()).all()
            stock_ids = session.execute(select(Car.stock_id)).scalars().all()
        models_by_make: dict[str, set[str]] = {}
        for make, model in pairs:
            models_by_make.setdefault(make, set()).add(model)
        self._matcher = NameMatcher(models_by_make)
        self._stock_ids = StockIdFormat.of(stock_ids)
        self._names_loaded_at = now
