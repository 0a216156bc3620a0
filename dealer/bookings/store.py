"""Booking, reading, moving and cancelling appointments. Synchronous SQLAlchemy; async callers use a thread.

Capacity is checked in the same transaction as the insert, and re-counted after it: two customers taking the last
place at once both see the other's row on the re-count under SQLite's single writer, and the later one is refused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dealer.bookings.models import BOOKED, CANCELLED, Appointment
from dealer.database import get_engine, session_scope


class SlotTaken(Exception):
    """The hour filled up between the check and the booking."""


@dataclass(frozen=True)
class Booking:
    """One appointment as the actions and the notices see it; `starts_at` is aware (UTC)."""

    customer_id: str
    channel: str
    kind: str
    branch: str
    starts_at: datetime
    stock_id: Optional[str] = None
    car_label: Optional[str] = None
    customer_name: Optional[str] = None
    customer_phone: Optional[str] = None
    customer_email: Optional[str] = None
    contact_consent: Optional[bool] = None
    id: Optional[int] = None
    status: str = BOOKED


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _booking(row: Appointment) -> Booking:
    return Booking(
        id=row.id, customer_id=row.customer_id, channel=row.channel, kind=row.kind, branch=row.branch,
        starts_at=_utc(row.starts_at), stock_id=row.stock_id, car_label=row.car_label,
        customer_name=row.customer_name, customer_phone=row.customer_phone, customer_email=row.customer_email,
        contact_consent=row.contact_consent, status=row.status,
    )


class AppointmentStore:
    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the table on first use

    def booked_in_hour(self, branch: str, hour_start: datetime) -> int:
        with session_scope(self.database_url) as session:
            return self._count(session, branch, _utc(hour_start))

    @staticmethod
    def _count(session: Session, branch: str, hour_start: datetime, besides: Optional[int] = None) -> int:
        query = select(func.count(Appointment.id)).where(
            Appointment.branch == branch, Appointment.status == BOOKED,
            Appointment.starts_at >= hour_start, Appointment.starts_at < hour_start + timedelta(hours=1),
        )
        if besides is not None:
            query = query.where(Appointment.id != besides)
        return session.execute(query).scalar_one()

    def book(self, booking: Booking, capacity: int, now: datetime) -> Booking:
        """Store a new appointment; SlotTaken when its hour is full."""
        start = _utc(booking.starts_at)
        hour = start.replace(minute=0, second=0, microsecond=0)
        with session_scope(self.database_url) as session:
            if self._count(session, booking.branch, hour) >= capacity:
                raise SlotTaken(booking.branch)
            row = Appointment(
                customer_id=booking.customer_id, channel=booking.channel, kind=booking.kind,
                stock_id=booking.stock_id, car_label=booking.car_label, branch=booking.branch, starts_at=start,
                status=BOOKED, customer_name=booking.customer_name, customer_phone=booking.customer_phone,
                customer_email=booking.customer_email, contact_consent=booking.contact_consent,
                created_at=_utc(now), updated_at=_utc(now),
            )
            session.add(row)
            session.flush()
            if self._count(session, booking.branch, hour) > capacity:
                raise SlotTaken(booking.branch)  # rolls the insert back
            return replace(booking, id=row.id, starts_at=start)

    def upcoming(self, customer_id: str, now: datetime) -> Optional[Booking]:
        """The customer's next booked appointment (the soonest not yet past), or None."""
        with session_scope(self.database_url) as session:
            row = session.execute(
                select(Appointment).where(
                    Appointment.customer_id == customer_id, Appointment.status == BOOKED,
                    Appointment.starts_at >= _utc(now) - timedelta(hours=1),
                ).order_by(Appointment.starts_at).limit(1)
            ).scalar_one_or_none()
            return _booking(row) if row else None

    def move(self, appointment_id: int, starts_at: datetime, capacity: int, now: datetime,
             branch: Optional[str] = None) -> Booking:
        """Move an appointment to another time (and branch); SlotTaken when that hour is full."""
        start = _utc(starts_at)
        hour = start.replace(minute=0, second=0, microsecond=0)
        with session_scope(self.database_url) as session:
            row = session.get(Appointment, appointment_id)
            if row is None or row.status != BOOKED:
                raise LookupError(appointment_id)
            target = branch or row.branch
            if self._count(session, target, hour, besides=row.id) >= capacity:
                raise SlotTaken(target)
            row.starts_at, row.branch, row.updated_at = start, target, _utc(now)
            session.flush()
            return _booking(row)

    def cancel(self, appointment_id: int, now: datetime) -> Booking:
        with session_scope(self.database_url) as session:
            row = session.get(Appointment, appointment_id)
            if row is None or row.status != BOOKED:
                raise LookupError(appointment_id)
            row.status, row.updated_at = CANCELLED, _utc(now)
            session.flush()
            return _booking(row)

    def for_customer(self, customer_id: str) -> list[Booking]:
        with session_scope(self.database_url) as session:
            rows = session.execute(
                select(Appointment).where(Appointment.customer_id == customer_id).order_by(Appointment.id)
            ).scalars().all()
            return [_booking(row) for row in rows]
