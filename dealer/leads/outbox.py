"""Claiming and updating the notification state of announced rows (leads and sales notices alike), so one
notifier sends each row once even with several action servers. Synchronous SQLAlchemy; async callers use a thread."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Optional

from sqlalchemy import func, select

from dealer.database import get_engine, session_scope
from dealer.leads.models import FAILED, PENDING, SENT, UNCONFIGURED, Outbox


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def slack_escape(text: str) -> str:
    """Text as Slack shows it literally: no <!channel> mentions, <url|links> or user pings from customer input."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class OutboxNotice:
    """What the notifier needs of one stored row."""

    id: int
    attempts: int
    created_at: datetime
    payload: dict[str, Any]


class OutboxStore(abc.ABC):
    """One table of announced rows. Subclasses name the table (`model`), how a row reads in logs (`label`) and the
    payload sent for it."""

    model: ClassVar[type[Outbox]]
    label: ClassVar[str]

    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the table on first use

    @abc.abstractmethod
    def payload(self, row: Any) -> dict[str, Any]:
        """What the webhook receives for one row."""

    def claim_due(self, now: datetime, lease_seconds: float = 60.0, limit: int = 20) -> list[OutboxNotice]:
        """Rows due now, claimed for `lease_seconds`: their next attempt moves to the end of the lease, so no other
        notifier takes them meanwhile, and one that dies holding them leaves them due again afterwards. On
        PostgreSQL, rows another notifier is claiming at this moment are skipped (FOR UPDATE SKIP LOCKED); SQLite
        takes no row locks and is for a single action server."""
        model = self.model
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(model)
                .where(model.notification_status == PENDING, model.next_attempt_at <= now)
                .order_by(model.next_attempt_at, model.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.next_attempt_at = now + timedelta(seconds=lease_seconds)
            return [OutboxNotice(row.id, row.notification_attempts, as_utc(row.created_at), self.payload(row))
                    for row in rows]

    def backlog(self) -> int:
        """Rows whose announcement is still to be delivered."""
        model = self.model
        with session_scope(self.database_url) as session:
            return session.scalar(select(func.count()).select_from(model).where(model.notification_status == PENDING))

    def next_attempt_at(self) -> Optional[datetime]:
        model = self.model
        with session_scope(self.database_url) as session:
            moment = session.scalar(select(func.min(model.next_attempt_at)).where(model.notification_status == PENDING))
        return as_utc(moment) if moment is not None else None

    def mark_sent(self, row_id: int) -> None:
        self._update(row_id, status=SENT, next_attempt_at=None, error=None)

    def mark_failed_attempt(self, row_id: int, error: str, retry_at: Optional[datetime]) -> None:
        """Count a failed attempt; with no `retry_at` the row stays stored but is no longer sent."""
        self._update(row_id, status=PENDING if retry_at else FAILED, next_attempt_at=retry_at, error=error[:300])

    def _update(self, row_id: int, status: str, next_attempt_at: Optional[datetime], error: Optional[str]) -> None:
        with session_scope(self.database_url) as session:
            row = session.get(self.model, row_id)
            if row is None:  # deleted meanwhile (a customer's data deletion): nothing left to announce
                return
            row.notification_attempts += 1
            row.notification_status = status
            row.next_attempt_at = next_attempt_at
            row.last_error = error

    @staticmethod
    def initial_state(notify: bool) -> dict[str, Any]:
        """The notification columns of a new row: pending now, or unconfigured when there is nowhere to send it."""
        now = utc_now()
        return {"created_at": now, "notification_status": PENDING if notify else UNCONFIGURED,
                "notification_attempts": 0, "next_attempt_at": now if notify else None}
