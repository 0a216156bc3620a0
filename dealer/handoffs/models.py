"""SQLAlchemy tables of hand-offs and of staff replies waiting for a customer on a channel that cannot be pushed to."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from dealer.database import Base

# Why a conversation went to a person.
REQUESTED, FALLBACKS, ANGER = "requested", "fallbacks", "anger"


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer = Column(String(128), nullable=False)
    channel = Column(String(40), nullable=False)
    reason = Column(String(16), nullable=False)
    started_at = Column(DateTime(timezone=True), nullable=False)
    released_at = Column(DateTime(timezone=True), nullable=True)  # None: open (until HANDOFF_TIMEOUT_HOURS passes)

    __table_args__ = (Index("ix_handoffs_customer_open", "customer", "released_at"),)


class StaffReply(Base):
    """A reply staff wrote to a REST customer: the REST answer has no push, so it goes out with their next turn."""

    __tablename__ = "staff_replies"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer = Column(String(128), nullable=False, index=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    delivered_at = Column(DateTime(timezone=True), nullable=True)
