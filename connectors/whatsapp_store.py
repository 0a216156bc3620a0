"""What the WhatsApp channel keeps in DATABASE_URL: every accepted inbound message (the key to exactly-once
handling, across restarts too) and every delivery status Twilio reports for our replies."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, insert, select, update
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

    __table_args__ = (Index("ix_whatsapp_inbound_state", "state", "received_at"),)


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


class WhatsAppStore:
    """Blocking calls: the channel runs them in a worker thread. Plain SQL statements, no ORM unit of work:
    they sit on the path of Twilio's acknowledgement."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.engine = get_engine(database_url)

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

    def pending(self) -> list[InboundMessage]:
        """Messages accepted but never handled (the server stopped mid-turn), oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(_INBOUND.c.message_sid, _INBOUND.c.sender, _INBOUND.c.message)
                .where(_INBOUND.c.state == PENDING).order_by(_INBOUND.c.received_at)
            ).all()
        return [InboundMessage.from_record(sid, sender, record) for sid, sender, record in rows]

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
