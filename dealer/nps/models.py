"""SQLAlchemy table of NPS surveys: one row per question asked, filled in as the customer answers."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from dealer.database import Base


class NpsResponse(Base):
    __tablename__ = "nps_responses"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(128), nullable=False)
    channel = Column(String(40), nullable=False)
    asked_at = Column(DateTime(timezone=True), nullable=False)  # the cooldown counts from here
    score = Column(Integer, nullable=True)  # 0-10; None: not answered (ignored)
    comment = Column(Text, nullable=True)  # «¿qué podríamos mejorar?»; None: nothing to add or not asked
    answered_at = Column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_nps_customer_asked", "customer_id", "asked_at"),)
