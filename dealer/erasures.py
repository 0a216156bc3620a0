"""Erasure markers: which customers asked to be forgotten, and when, under a keyed hash of their id (never the id).

Data that belongs to the time before an erasure and arrives after it (a delivery status of the «listo, borré tus
datos» message, the save of a turn that was in flight during `make forget`) is checked against these markers and
not stored again. A customer who writes again afterwards starts a new conversation, which is stored as usual.
Markers older than MARKER_DAYS are deleted by the retention job: by then nothing from before can still arrive.
"""

from __future__ import annotations

import time
from typing import Optional

from sqlalchemy import Column, Float, String, delete, insert, select
from sqlalchemy.engine import Connection

from dealer.database import Base, get_engine
from dealer.privacy import erasure_key

MARKER_DAYS = 7


class CustomerErasure(Base):
    __tablename__ = "customer_erasures"

    key = Column(String(64), primary_key=True)  # HMAC-SHA256 of the customer id (dealer.privacy.erasure_key)
    erased_at = Column(Float, nullable=False)  # seconds since the epoch, like Rasa's event timestamps


_ERASURES = CustomerErasure.__table__


def mark_erased(connection: Connection, customer_id: str, moment: Optional[float] = None) -> None:
    key = erasure_key(customer_id)
    connection.execute(delete(_ERASURES).where(_ERASURES.c.key == key))
    connection.execute(insert(_ERASURES).values(key=key, erased_at=time.time() if moment is None else moment))


def erased_at(customer_id: str, database_url: str) -> Optional[float]:
    """When the customer was last erased (seconds since the epoch), or None."""
    with get_engine(database_url).connect() as connection:
        return connection.execute(
            select(_ERASURES.c.erased_at).where(_ERASURES.c.key == erasure_key(customer_id))
        ).scalar()


def recently_erased(customer_id: str, database_url: str, days: float = MARKER_DAYS) -> bool:
    moment = erased_at(customer_id, database_url)
    return moment is not None and moment > time.time() - days * 86400


def holds_erased_events(tracker, database_url: str) -> bool:
    """A conversation (Rasa tracker) whose first event is older than the customer's erasure: a turn that was in
    flight when the data was erased. Saving it would write the erased history back."""
    events = getattr(tracker, "events", None)
    if not events:
        return False
    moment = erased_at(tracker.sender_id, database_url)
    return moment is not None and events[0].timestamp <= moment
