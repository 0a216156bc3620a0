"""SQLAlchemy table of trade-in leads: a customer's car offered as part of the payment."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from dealer.database import Base


class TradeIn(Base):
    __tablename__ = "trade_ins"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    make = Column(String(40), nullable=False)
    model = Column(String(40), nullable=False)
    year = Column(Integer, nullable=False)
    km = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
