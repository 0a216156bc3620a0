"""Reading and writing leads and their notification state. Synchronous SQLAlchemy; callers in async code use a thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import func, select

from dealer.database import get_engine, session_scope
from dealer.financing.plans import Plan
from dealer.leads.models import FAILED, PENDING, SENT, UNCONFIGURED, Lead


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class NewLead:
    customer_id: str
    channel: str
    stock_id: str
    car_label: str
    plans: Sequence[Plan]  # one or several terms for the same car and down payment


@dataclass(frozen=True)
class LeadNotice:
    """What the notifier needs of one stored lead."""

    id: int
    attempts: int
    created_at: datetime
    payload: dict[str, Any]


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


class LeadStore:
    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the table on first use

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
            created_at=utc_now(),
            notification_status=PENDING if notify else UNCONFIGURED,
            notification_attempts=0,
            next_attempt_at=utc_now() if notify else None,
        )
        with session_scope(self.database_url) as session:
            session.add(row)
            session.flush()
            return row.id

    def claim_due(self, now: datetime, lease_seconds: float = 60.0, limit: int = 20) -> list[LeadNotice]:
        """Leads due now, claimed for `lease_seconds`: their next attempt moves to the end of the lease, so no other
        notifier takes them meanwhile, and one that dies holding them leaves them due again afterwards. On
        PostgreSQL, rows another notifier is claiming at this moment are skipped (FOR UPDATE SKIP LOCKED); SQLite
        takes no row locks and is for a single action server."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(Lead)
                .where(Lead.notification_status == PENDING, Lead.next_attempt_at <= now)
                .order_by(Lead.next_attempt_at, Lead.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.next_attempt_at = now + timedelta(seconds=lease_seconds)
            return [LeadNotice(row.id, row.notification_attempts, _utc(row.created_at), notification_payload(row))
                    for row in rows]

    def backlog(self) -> int:
        """Leads whose announcement is still to be delivered."""
        with session_scope(self.database_url) as session:
            return session.scalar(select(func.count()).select_from(Lead).where(Lead.notification_status == PENDING))

    def next_attempt_at(self) -> Optional[datetime]:
        with session_scope(self.database_url) as session:
            moment = session.scalar(select(func.min(Lead.next_attempt_at)).where(Lead.notification_status == PENDING))
        return _utc(moment) if moment is not None else None

    def mark_sent(self, lead_id: int) -> None:
        self._update(lead_id, status=SENT, next_attempt_at=None, error=None)

    def mark_failed_attempt(self, lead_id: int, error: str, retry_at: Optional[datetime]) -> None:
        """Count a failed attempt; with no `retry_at` the lead stays stored but is no longer sent."""
        self._update(lead_id, status=PENDING if retry_at else FAILED, next_attempt_at=retry_at, error=error[:300])

    def _update(self, lead_id: int, status: str, next_attempt_at: Optional[datetime], error: Optional[str]) -> None:
        with session_scope(self.database_url) as session:
            row = session.get(Lead, lead_id)
            if row is None:  # deleted meanwhile (a customer's data deletion): nothing left to announce
                return
            row.notification_attempts += 1
            row.notification_status = status
            row.next_attempt_at = next_attempt_at
            row.last_error = error


def slack_escape(text: str) -> str:
    """Text as Slack shows it literally: no <!channel> mentions, <url|links> or user pings from customer input."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


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
