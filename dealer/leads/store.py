"""Writing plan leads and what the sales team is told of them. Synchronous SQLAlchemy; async callers use a thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dealer.database import session_scope
from dealer.financing.plans import Plan
from dealer.leads.models import Lead
from dealer.leads.outbox import OutboxStore, slack_escape


@dataclass(frozen=True)
class NewLead:
    customer_id: str
    channel: str
    stock_id: str
    car_label: str
    plans: Sequence[Plan]  # one or several terms for the same car and down payment


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _plan_fields(plan: Plan) -> dict[str, Any]:
    return {
        "years": plan.years,
        "payments": plan.payments,
        "monthly_payment": _money(plan.monthly_payment),
        "total_paid": _money(plan.total_paid),
        "total_interest": _money(plan.total_interest),
    }


class LeadStore(OutboxStore):
    model = Lead
    label = "lead"

    def record(self, lead: NewLead, notify: bool) -> int:
        """Store the lead with its notification pending (or unconfigured when there is nowhere to send it)."""
        first = lead.plans[0]
        row = Lead(
            customer_id=lead.customer_id[:128],
            channel=lead.channel[:40],
            stock_id=lead.stock_id,
            car_label=lead.car_label[:200],
            price_cents=_cents(first.price),
            down_payment_cents=_cents(first.down_payment),
            annual_rate_bp=int((first.annual_rate * 10000).to_integral_value()),
            plans=[_plan_fields(plan) for plan in lead.plans],
            **self.initial_state(notify),
        )
        with session_scope(self.database_url) as session:
            session.add(row)
            session.flush()
            return row.id

    def payload(self, row: Lead) -> dict[str, Any]:
        return notification_payload(row)


def notification_payload(row: Lead) -> dict[str, Any]:
    """Slack-compatible message: a readable `text`, plus the same facts as fields for other receivers."""
    plans = row.plans or []
    price, down_payment = _from_cents(row.price_cents), _from_cents(row.down_payment_cents)
    terms = ", ".join(f"{plan['years']} años: ${Decimal(plan['monthly_payment']):,.2f}/mes" for plan in plans)
    text = (
        f"🚗 Nuevo lead #{row.id}: {slack_escape(row.car_label)} ({slack_escape(row.stock_id)}), precio ${price:,.2f}, "
        f"enganche ${down_payment:,.2f}; {terms}. Cliente {slack_escape(row.customer_id)} por {slack_escape(row.channel)}."
    )
    return {
        "text": text,
        "lead": {
            "id": row.id,
            "customer_id": row.customer_id,
            "channel": row.channel,
            "created_at": row.created_at.isoformat(),
            "car": {"stock_id": row.stock_id, "label": row.car_label, "price": _money(price)},
            "down_payment": _money(down_payment),
            "annual_rate": str(Decimal(row.annual_rate_bp) / 10000),
            "plans": plans,
        },
    }
