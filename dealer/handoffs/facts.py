"""What the database knows about a customer for the hand-off summary: the plans they were quoted (leads) and their
appointment. The appointments table belongs to the bookings flow; where it does not exist yet, or its columns are
not the expected ones, there is simply no appointment to tell."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Optional

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from dealer.database import get_engine, session_scope
from dealer.leads.models import Lead

logger = logging.getLogger(__name__)

MAX_PLANS = 3
_APPOINTMENT_TABLE = "appointments"
_CUSTOMER_COLUMNS = ("customer_id", "customer", "sender_id")
_SHOWN_COLUMNS = ("starts_at", "scheduled_for", "when", "branch", "branch_name", "car_label", "stock_id", "status")


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


def appointment(database_url: str, customer: str) -> Optional[str]:
    """The customer's latest appointment as one line, or None (no table, no row, or a shape this does not know)."""
    engine = get_engine(database_url)
    try:
        if not inspect(engine).has_table(_APPOINTMENT_TABLE):
            return None
        table = Table(_APPOINTMENT_TABLE, MetaData(), autoload_with=engine)
        customer_column = next((table.c[name] for name in _CUSTOMER_COLUMNS if name in table.c), None)
        if customer_column is None:
            return None
        order = table.c.id.desc() if "id" in table.c else customer_column
        with engine.connect() as connection:
            row = connection.execute(select(table).where(customer_column == customer).order_by(order).limit(1)).first()
    except SQLAlchemyError:
        logger.warning("the appointments table could not be read for a hand-off summary", exc_info=True)
        return None
    if row is None:
        return None
    values = row._mapping
    return ", ".join(f"{name}: {values[name]}" for name in _SHOWN_COLUMNS if name in values and values[name] is not None) \
        or "tiene una cita registrada"
