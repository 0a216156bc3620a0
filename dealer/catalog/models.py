"""SQLAlchemy tables of the catalog."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String

from dealer.database import Base


class Car(Base):
    __tablename__ = "cars"

    stock_id = Column(String(32), primary_key=True)
    make = Column(String(40), nullable=False)
    model = Column(String(60), nullable=False)
    version = Column(String(120), nullable=False)
    year = Column(Integer, nullable=False)
    km = Column(Integer, nullable=False)
    price = Column(Integer, nullable=False)  # whole Mexican pesos
    body_type = Column(String(20), nullable=False)
    transmission = Column(String(20), nullable=False)
    fuel = Column(String(20), nullable=False)
    bluetooth = Column(Boolean, nullable=False)
    car_play = Column(Boolean, nullable=False)
    length_mm = Column(Integer, nullable=False)
    width_mm = Column(Integer, nullable=False)
    height_mm = Column(Integer, nullable=False)
    seats = Column(Integer, nullable=False)  # seating positions, driver included

    # Listings are ordered by price (or year, or km) and paged: each index starts with an equality filter or the
    # range, and carries the columns a page query filters and sorts on, so the page's stock ids come from the index
    # alone (see repository.search); measured by `make bench` on 100,000 cars.
    __table_args__ = (
        Index("ix_cars_make_model_price", "make", "model", "price"),
        Index("ix_cars_make_price", "make", "price", "year", "km"),
        Index("ix_cars_body_price", "body_type", "price"),
        Index("ix_cars_price_km", "price", "km", "stock_id"),
        # Newest first, then cheapest: the index's own order serves "year_desc" listings without a sort.
        Index("ix_cars_transmission_year", transmission, car_play, year.desc(), price, stock_id),
        Index("ix_cars_year", "year"),
        Index("ix_cars_km", "km"),
    )


class CatalogImport(Base):
    """One successful import of a catalog file, so an unchanged file is not imported twice."""

    __tablename__ = "catalog_imports"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sha256 = Column(String(64), nullable=False, index=True)
    source = Column(String(500), nullable=False)
    rows = Column(Integer, nullable=False)
    imported_at = Column(DateTime(timezone=True), nullable=False)
