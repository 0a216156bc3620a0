"""What the database knows about a customer for the hand-off summary: the plans they were quoted (leads) and their
next appointment (dealer/bookings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from dealer.bookings.presenter import kind_text, when_text
from dealer.bookings.store import AppointmentStore
from dealer.database import session_scope
from dealer.leads.models import Lead

MAX_PLANS = 3


def quoted_plans(database_url: str, customer: str) -> list[str]:
    """The customer's latest plans, newest first: «Nissan Versa 2020: enganche $50,000.00; 4 años $4,512.30/mes»."""
    with session_scope(database_url) as session:
        leads = session.scalars(select(Lead).where(Lead.customer_id == customer[:128])
                                .order_by(Lead.created_at.desc()).limit(MAX_PLANS)).all()
        lines = []
        for lead in leads:
            terms = ", ".join(f"{plan['years']} años ${Decimal(plan['monthly_payment']):,.2f}/mes"
                              for plan in lead.plans or [])
            lines.append(f"{lead.car_label} ({lead.stock_id}): enganche ${Decimal(lead.down_payment_cents) / 100:,.2f}; "
                         f"{terms}")
        return lines


def appointment(database_url: str, customer: str, now: datetime) -> Optional[str]:
    """The customer's next booked appointment as one line («Prueba de manejo: sábado 28 de noviembre a las 11:00,
    Autos Alameda Polanco, Mazda 3 2020»), or None."""
    booking = AppointmentStore(database_url).upcoming(customer, now)
    if booking is None:
        return None
    parts = [f"{kind_text(booking.kind).capitalize()}: {when_text(booking.starts_at)}", booking.branch]
    return ", ".join(parts + ([booking.car_label] if booking.car_label else []))
