"""What the WhatsApp channel keeps in DATABASE_URL: every accepted inbound message (the key to exactly-once
handling, across restarts and replicas) with its attempt count, one row per customer's conversation (who is
handling it now, under a lease, the numbered options of the last reply, whether a person must step in), and every
delivery status Twilio reports for our replies.

Replicas share the work through the conversation row: one process at a time holds a customer's lease and runs
that customer's pending messages, oldest first; a lease that is not renewed (its process died) lapses and
another process picks the customer up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, func, insert, inspect, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from connectors.whatsapp_messages import InboundMessage
from dealer.database import Base, get_engine
from dealer.erasures import recently_erased

# Inbound states: pending (accepted, turn not finished), done, failed (the turn raised; the customer was told).
PENDING, DONE, FAILED = "pending", "done", "failed"


class WhatsAppInbound(Base):
    __tablename__ = "whatsapp_inbound"

    message_sid = Column(String(64), primary_key=True)  # the primary key is what refuses a retried delivery
    sender = Column(String(64), nullable=False, index=True)
    message = Column(JSON, nullable=False)
    state = Column(String(16), nullable=False)
    received_at = Column(DateTime(timezone=True), nullable=False)
    handled_at = Column(DateTime(timezone=True), nullable=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")  # turns started for this message
    replies_sent = Column(Integer, nullable=False, default=0, server_default="0")  # of its turn's replies, sent so far

    __table_args__ = (Index("ix_whatsapp_inbound_state", "state", "received_at"),)


class WhatsAppConversation(Base):
    __tablename__ = "whatsapp_conversation"

    sender = Column(String(64), primary_key=True)
    lease_owner = Column(String(80), nullable=True)  # the process running this customer's messages now
    lease_until = Column(DateTime(timezone=True), nullable=True)
    options = Column(JSON, nullable=True)  # number -> what it answers, from the last reply with choices
    needs_human = Column(Boolean, nullable=False, default=False, server_default="false")
    needs_human_reason = Column(String(200), nullable=True)


class WhatsAppDeliveryStatus(Base):
    __tablename__ = "whatsapp_delivery_status"

    id = Column(Integer, primary_key=True, autoincrement=True)
    message_sid = Column(String(64), nullable=False, index=True)
    recipient = Column(String(64), nullable=True)
    status = Column(String(32), nullable=False)
    error_code = Column(String(16), nullable=True)
    received_at = Column(DateTime(timezone=True), nullable=False)


_INBOUND = WhatsAppInbound.__table__
_STATUS = WhatsAppDeliveryStatus.__table__
_CONVERSATION = WhatsAppConversation.__table__


@dataclass(frozen=True)
class ClaimedMessage:
    message: InboundMessage
    attempt: int  # 1 for the first try; more after a process died in the middle of its turn
    replies_sent: int = 0  # how many of its replies went out before that


class WhatsAppStore:
    """Blocking calls: the channel runs them in a worker thread. Plain SQL statements, no ORM unit of work:
    they sit on the path of Twilio's acknowledgement."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.engine = get_engine(database_url)
        self._add_counting_columns()

    def _add_counting_columns(self) -> None:
        # Databases made before attempts and replies were counted: the columns are added in place.
        present = {column["name"] for column in inspect(self.engine).get_columns("whatsapp_inbound")}
        for name in ("attempts", "replies_sent"):
            if name not in present:
                with self.engine.begin() as connection:
                    connection.execute(text(f"ALTER TABLE whatsapp_inbound ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0"))

    def after_fork(self) -> None:
        """In a forked Sanic worker: new connections of its own, never the parent's."""
        self.engine.dispose(close=False)

    def accept(self, message: InboundMessage) -> bool:
        """Store a new inbound message; False when its MessageSid was accepted before (a retried delivery)."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(_INBOUND).values(
                    message_sid=message.sid, sender=message.sender, message=message.as_record(),
                    state=PENDING, received_at=_now(),
                ))
        except IntegrityError:
            return False
        return True

    def finish(self, sid: str, state: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(_INBOUND).where(_INBOUND.c.message_sid == sid).values(state=state, handled_at=_now())
            )

    def claim_customer(self, sender: str, owner: str, lease_seconds: float) -> bool:
        """Take (or extend) the lease on one customer's conversation; False while another process holds it."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(_CONVERSATION).values(sender=sender, needs_human=False))
        except IntegrityError:
            pass  # the customer's row is there already
        now = _now()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(_CONVERSATION)
                .where(_CONVERSATION.c.sender == sender, or_(
                    _CONVERSATION.c.lease_owner.is_(None), _CONVERSATION.c.lease_until < now,
                    _CONVERSATION.c.lease_owner == owner,
                ))
                .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
            ).rowcount
        return taken == 1

    def release_customer(self, sender: str, owner: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(_CONVERSATION).where(_CONVERSATION.c.sender == sender, _CONVERSATION.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )

    def next_pending(self, sender: str) -> Optional[ClaimedMessage]:
        """The customer's oldest unhandled message, its attempt counted; call only while holding the customer's lease."""
        with self.engine.begin() as connection:
            row = connection.execute(
                select(_INBOUND.c.message_sid, _INBOUND.c.message, _INBOUND.c.attempts, _INBOUND.c.replies_sent)
                .where(_INBOUND.c.sender == sender, _INBOUND.c.state == PENDING)
                .order_by(_INBOUND.c.received_at, _INBOUND.c.message_sid).limit(1)
            ).first()
            if row is None:
                return None
            sid, record, attempts, replies_sent = row
            connection.execute(update(_INBOUND).where(_INBOUND.c.message_sid == sid).values(attempts=attempts + 1))
        return ClaimedMessage(InboundMessage.from_record(sid, sender, record), attempts + 1, replies_sent)

    def count_reply_sent(self, sid: str, replies_sent: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(_INBOUND).where(_INBOUND.c.message_sid == sid).values(replies_sent=replies_sent))

    def customers_waiting(self, limit: int = 100) -> list[str]:
        """Customers with unhandled messages whom no live process is handling (at start, or after a crash)."""
        with self.engine.connect() as connection:
            return list(connection.execute(
                select(_INBOUND.c.sender).distinct()
                .select_from(_INBOUND.outerjoin(_CONVERSATION, _CONVERSATION.c.sender == _INBOUND.c.sender))
                .where(_INBOUND.c.state == PENDING, or_(
                    _CONVERSATION.c.lease_owner.is_(None), _CONVERSATION.c.lease_until < _now(),
                ))
                .limit(limit)
            ).scalars())

    def pending_count(self, sender: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.count()).select_from(_INBOUND).where(_INBOUND.c.sender == sender, _INBOUND.c.state == PENDING)
            ).scalar_one()

    def has_pending(self, sender: str) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(
                select(_INBOUND.c.message_sid).where(_INBOUND.c.sender == sender, _INBOUND.c.state == PENDING).limit(1)
            ).first() is not None

    def take_options(self, sender: str) -> dict[str, str]:
        """The numbered options of the customer's last reply, forgotten once read: they answer one message only."""
        with self.engine.begin() as connection:
            options = connection.execute(
                select(_CONVERSATION.c.options).where(_CONVERSATION.c.sender == sender)
            ).scalar()
            if options:
                connection.execute(update(_CONVERSATION).where(_CONVERSATION.c.sender == sender).values(options=None))
        return dict(options or {})

    def save_options(self, sender: str, options: dict[str, str]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(_CONVERSATION).where(_CONVERSATION.c.sender == sender).values(options=options or None)
            )

    def flag_for_human(self, sender: str, reason: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(_CONVERSATION).where(_CONVERSATION.c.sender == sender)
                .values(needs_human=True, needs_human_reason=reason[:200])
            )

    def needs_human(self, sender: str) -> bool:
        with self.engine.connect() as connection:
            return bool(connection.execute(
                select(_CONVERSATION.c.needs_human).where(_CONVERSATION.c.sender == sender)
            ).scalar())

    def state_of(self, sid: str) -> Optional[str]:
        with self.engine.connect() as connection:
            return connection.execute(select(_INBOUND.c.state).where(_INBOUND.c.message_sid == sid)).scalar()

    def record_status(self, sid: str, status: str, recipient: Optional[str], error_code: Optional[str]) -> bool:
        """Store a delivery status; False (not stored) when Twilio's callback was replayed (same message, same
        status) or when the recipient asked for their data to be erased since (a late status of our last reply)."""
        if recipient and recently_erased(recipient, self.database_url):
            return False
        with self.engine.begin() as connection:
            seen = connection.execute(select(_STATUS.c.id).where(
                _STATUS.c.message_sid == sid[:64], _STATUS.c.status == status[:32]).limit(1)).first()
            if seen is not None:
                return False
            connection.execute(insert(_STATUS).values(
                message_sid=sid[:64], status=status[:32], recipient=(recipient or None) and recipient[:64],
                error_code=(error_code or None) and error_code[:16], received_at=_now(),
            ))
        return True

    def statuses(self, sid: str) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(
                select(_STATUS.c.status).where(_STATUS.c.message_sid == sid).order_by(_STATUS.c.id)
            ).scalars())


def _now() -> datetime:
    return datetime.now(timezone.utc)
