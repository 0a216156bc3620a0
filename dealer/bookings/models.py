"""SQLAlchemy table of visits and test drives booked at a branch."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String

from dealer.database import Base

VISIT, TEST_DRIVE = "visit", "test_drive"
BOOKED, CANCELLED = "booked", "cancelled"


class Appointment(Base):
    __tablename__ = "appointments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(128), nullable=False, index=True)  # the Rasa conversation id
    channel = Column(String(40), nullable=False)
    kind = Column(String(16), nullable=False)  # visit | test_drive
    stock_id = Column(String(32), nullable=True)  # the car to have ready; none is fine
    car_label = Column(String(200), nullable=True)
    branch = Column(String(120), nullable=False)  # the branch's name in data/knowledge/branches.yml
    starts_at = Column(DateTime(timezone=True), nullable=False)  # UTC
    status = Column(String(16), nullable=False)  # booked | cancelled
    customer_name = Column(String(60), nullable=True)
    customer_phone = Column(String(20), nullable=True)  # E.164
    customer_email = Column(String(254), nullable=True)
    contact_consent = Column(Boolean, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_appointments_branch_start", "branch", "starts_at", "status"),)
