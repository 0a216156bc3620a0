"""SQLAlchemy tables of what the sales team is told: plan leads, and the other sales notices (appointments,
trade-ins, hand-offs). Each row also carries the state of its notification (a transactional outbox)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import declared_attr

from dealer.database import Base

# Notification states: pending (to send, maybe after a failure), sent, failed (gave up), unconfigured (no URL).
PENDING, SENT, FAILED, UNCONFIGURED = "pending", "sent", "failed", "unconfigured"


class Outbox:
    """The notification state every announced row carries; dealer/leads/outbox.py claims and updates it."""

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    notification_status = Column(String(16), nullable=False)
    notification_attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=True)
    last_error = Column(String(300), nullable=True)

    @declared_attr
    def __table_args__(cls):  # noqa: N805 - SQLAlchemy's declared_attr receives the mapped class
        return (Index(f"ix_{cls.__tablename__}_pending", "notification_status", "next_attempt_at"),)


class Lead(Outbox, Base):
    __tablename__ = "leads"

    stock_id = Column(String(32), nullable=False)
    car_label = Column(String(200), nullable=False)
    # Money in whole cents and the rate in basis points: exact on every database (SQLite has no decimal type).
    price_cents = Column(BigInteger, nullable=False)
    down_payment_cents = Column(BigInteger, nullable=False)
    annual_rate_bp = Column(Integer, nullable=False)
    # One plan per term offered: [{"years", "payments", "monthly_payment", "total_paid", "total_interest"}] as strings.
    plans = Column(JSON, nullable=False)


class SalesNoticeRecord(Outbox, Base):
    """An appointment booked, changed or cancelled, a trade-in, a hand-off: its text and its facts as sent."""

    __tablename__ = "sales_notices"

    kind = Column(String(32), nullable=False)
    text = Column(Text, nullable=False)
    details = Column(JSON, nullable=False)
