"""Reading and writing hand-offs and pending staff replies. Synchronous SQLAlchemy; async callers use a thread.

A hand-off is open from `started_at` until staff release it or `timeout` passes; an expired one needs no write to
end (the Rasa server's policy ends the silence by the same clock), so the list of open ones filters by age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import select, update

from dealer.database import get_engine, session_scope
from dealer.handoffs.models import Handoff, StaffReply

MAX_STAFF_REPLY_CHARS = 1600  # one WhatsApp message


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class OpenHandoff:
    id: int
    customer: str
    channel: str
    reason: str
    started_at: datetime

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "customer": self.customer, "channel": self.channel, "reason": self.reason,
                "started_at": self.started_at.isoformat()}


class HandoffStore:
    def __init__(self, database_url: str, timeout: timedelta):
        self.database_url = database_url
        self.timeout = timeout
        get_engine(database_url)  # creates the tables on first use

    def open(self, customer: str, channel: str, reason: str, now: Optional[datetime] = None) -> tuple[OpenHandoff, bool]:
        """The customer's open hand-off, or a new one: (hand-off, created now)."""
        now = now or utc_now()
        current = self.current(customer, now)
        if current is not None:
            return current, False
        row = Handoff(customer=customer[:128], channel=channel[:40], reason=reason[:16], started_at=now)
        with session_scope(self.database_url) as session:
            session.add(row)
            session.flush()
            return _open(row), True

    def current(self, customer: str, now: Optional[datetime] = None) -> Optional[OpenHandoff]:
        now = now or utc_now()
        with session_scope(self.database_url) as session:
            row = session.scalars(
                select(Handoff)
                .where(Handoff.customer == customer[:128], Handoff.released_at.is_(None),
                       Handoff.started_at > now - self.timeout)
                .order_by(Handoff.started_at.desc()).limit(1)
            ).first()
            return _open(row) if row is not None else None

    def open_handoffs(self, now: Optional[datetime] = None) -> list[OpenHandoff]:
        now = now or utc_now()
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(Handoff)
                .where(Handoff.released_at.is_(None), Handoff.started_at > now - self.timeout)
                .order_by(Handoff.started_at)
            ).all()
            return [_open(row) for row in rows]

    def release(self, customer: str, now: Optional[datetime] = None) -> int:
        """Close the customer's open hand-offs; how many were open."""
        now = now or utc_now()
        with session_scope(self.database_url) as session:
            return session.execute(
                update(Handoff)
                .where(Handoff.customer == customer[:128], Handoff.released_at.is_(None))
                .values(released_at=now)
            ).rowcount


class StaffReplyStore:
    """Staff replies to customers on a channel that cannot be pushed to (REST): kept until their next message."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)

    def queue(self, customer: str, text: str, now: Optional[datetime] = None) -> int:
        with session_scope(self.database_url) as session:
            row = StaffReply(customer=customer[:128], text=text[:MAX_STAFF_REPLY_CHARS], created_at=now or utc_now())
            session.add(row)
            session.flush()
            return row.id

    def take(self, customer: str, now: Optional[datetime] = None) -> list[str]:
        """Staff replies not yet delivered to this customer, oldest first, marked delivered."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(StaffReply)
                .where(StaffReply.customer == customer[:128], StaffReply.delivered_at.is_(None))
                .order_by(StaffReply.id)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.delivered_at = now or utc_now()
            return [row.text for row in rows]


def _open(row: Handoff) -> OpenHandoff:
    return OpenHandoff(row.id, row.customer, row.channel, row.reason, _utc(row.started_at))
