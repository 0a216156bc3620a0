"""The retention job: what is older than RETENTION_DAYS goes. WhatsApp message bodies (inbound messages already
handled), delivery statuses, conversations (every event of a conversation whose latest event is older: closed ones;
an active conversation is kept whole), and erasure markers past their use. Leads stay: they are the sales record.

Run by `make retention` and once a day inside the action server (rasa_sdk_plugins)."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, delete, func, inspect, select

from dealer.database import get_engine
from dealer.erasures import MARKER_DAYS, CustomerErasure

_TABLES = MetaData()
_INBOUND = Table("whatsapp_inbound", _TABLES, Column("state", String), Column("received_at", DateTime(timezone=True)))
_STATUS = Table("whatsapp_delivery_status", _TABLES, Column("received_at", DateTime(timezone=True)))
_EVENTS = Table("events", MetaData(), Column("sender_id", String), Column("timestamp", Float))
_ERASURES = CustomerErasure.__table__


@dataclass(frozen=True)
class RetentionReport:
    whatsapp_messages: int
    whatsapp_statuses: int
    conversation_events: int
    erasure_markers: int

    def lines(self) -> list[str]:
        return [f"{field.name.replace('_', ' ')}: {getattr(self, field.name)}" for field in fields(self)]


def apply_retention(database_url: str, tracker_store_url: str, days: int, now: Optional[float] = None) -> RetentionReport:
    now = time.time() if now is None else now
    cutoff = datetime.fromtimestamp(now, timezone.utc) - timedelta(days=days)
    # SQLite stores these naive (in UTC); compare like with like.
    database_cutoff = cutoff.replace(tzinfo=None) if database_url.startswith("sqlite") else cutoff
    with get_engine(database_url).begin() as connection:
        tables = set(inspect(connection).get_table_names())
        messages = connection.execute(delete(_INBOUND).where(
            _INBOUND.c.received_at < database_cutoff, _INBOUND.c.state != "pending")).rowcount \
            if "whatsapp_inbound" in tables else 0
        statuses = connection.execute(delete(_STATUS).where(_STATUS.c.received_at < database_cutoff)).rowcount \
            if "whatsapp_delivery_status" in tables else 0
        markers = connection.execute(delete(_ERASURES).where(_ERASURES.c.erased_at < now - MARKER_DAYS * 86400)).rowcount
    from dealer.customer_data import tracker_engine

    with tracker_engine(tracker_store_url).begin() as connection:
        events = 0
        if inspect(connection).has_table("events"):
            closed = select(_EVENTS.c.sender_id).group_by(_EVENTS.c.sender_id).having(
                func.max(_EVENTS.c.timestamp) < cutoff.timestamp())
            events = connection.execute(delete(_EVENTS).where(_EVENTS.c.sender_id.in_(closed))).rowcount
    return RetentionReport(messages, statuses, events, markers)
