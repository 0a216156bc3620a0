"""Erasing one customer's data from every store: their conversation in Rasa's SQL tracker store (all sessions),
their leads, sales notices, appointments, trade-ins and hand-offs, their NPS answers, their WhatsApp messages
and delivery statuses, and the record of what their model answers cost. Used by the conversation ("borra mis datos")
and by the staff's command (scripts/forget_customer.py). Plain SQLAlchemy Core: no Rasa import."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from sqlalchemy import Column, MetaData, String, Table, create_engine, delete, inspect
from sqlalchemy.engine import Connection, Engine

from dealer.bookings.models import Appointment
from dealer.database import get_engine
from dealer.erasures import mark_erased
from dealer.handoffs.models import Handoff, StaffReply
from dealer.leads.models import Lead, SalesNoticeRecord
from dealer.llm.usage import LlmUsage
from dealer.nps.models import NpsResponse
from dealer.tradeins.models import TradeIn

# Columns that cut ids short: leads keep 128 characters, WhatsApp senders 64 and Rasa's events 255, so a longer id
# is looked up in its cut forms as well.
_STORED_ID_LENGTHS = (64, 128, 255)
# Set by action_delete_customer_data once the customer's data is gone; the Rasa server's tracker store
# (connectors/tracker_store.py) then erases that conversation instead of saving the turn.
ERASED_SLOT = "data_erased"

# Rasa's SQL tracker store keeps every event of every conversation in one table, keyed by the conversation id.
_TRACKER_EVENTS = Table("events", MetaData(), Column("sender_id", String))
# The WhatsApp channel's tables (connectors/whatsapp_store.py) live in the project's database; declared here by
# name so the action server need not import the channel.
_WHATSAPP = MetaData()
_WHATSAPP_INBOUND = Table("whatsapp_inbound", _WHATSAPP, Column("sender", String))
_WHATSAPP_STATUS = Table("whatsapp_delivery_status", _WHATSAPP, Column("recipient", String))
_WHATSAPP_CONVERSATION = Table("whatsapp_conversation", _WHATSAPP, Column("sender", String))  # options, lease, flag


@dataclass(frozen=True)
class ErasureReport:
    conversation_events: int
    leads: int
    sales_notices: int
    whatsapp_messages: int
    whatsapp_statuses: int
    model_usage: int
    nps_responses: int
    appointments: int = 0
    trade_ins: int = 0
    handoffs: int = 0  # hand-offs and the staff replies kept for the customer

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))

    def lines(self) -> list[str]:
        return [f"{field.name.replace('_', ' ')}: {getattr(self, field.name)}" for field in fields(self)]


def erase_customer(customer_id: str, database_url: str, tracker_store_url: str) -> ErasureReport:
    """Delete everything stored about `customer_id` (the Rasa conversation id: "whatsapp:+52…" on WhatsApp).
    Each database is changed in one transaction; a table that does not exist yet holds nothing to delete. An erasure
    marker (dealer/erasures.py) keeps what arrives late for this customer from being stored again."""
    if not isinstance(customer_id, str) or not customer_id.strip():
        raise ValueError("a customer id is a non-empty text")
    ids = sorted({customer_id, *(customer_id[:length] for length in _STORED_ID_LENGTHS)})
    with get_engine(database_url).begin() as connection:
        mark_erased(connection, customer_id)
        leads = connection.execute(delete(Lead.__table__).where(Lead.customer_id.in_(ids))).rowcount
        notices = connection.execute(
            delete(SalesNoticeRecord.__table__).where(SalesNoticeRecord.customer_id.in_(ids))).rowcount
        messages = _delete_if_present(connection, _WHATSAPP_INBOUND.c.sender, ids)
        statuses = _delete_if_present(connection, _WHATSAPP_STATUS.c.recipient, ids)
        _delete_if_present(connection, _WHATSAPP_CONVERSATION.c.sender, ids)
        usage = connection.execute(delete(LlmUsage.__table__).where(LlmUsage.conversation_id.in_(ids))).rowcount
        surveys = connection.execute(delete(NpsResponse.__table__).where(NpsResponse.customer_id.in_(ids))).rowcount
        appointments = connection.execute(
            delete(Appointment.__table__).where(Appointment.customer_id.in_(ids))).rowcount
        trade_ins = connection.execute(delete(TradeIn.__table__).where(TradeIn.customer_id.in_(ids))).rowcount
        handoffs = sum(connection.execute(delete(table.__table__).where(table.customer.in_(ids))).rowcount
                       for table in (Handoff, StaffReply))
    with tracker_engine(tracker_store_url).begin() as connection:
        events = _delete_if_present(connection, _TRACKER_EVENTS.c.sender_id, ids)
    return ErasureReport(events, leads, notices, messages, statuses, usage, surveys, appointments, trade_ins,
                         handoffs)


@cache
def tracker_engine(url: str) -> Engine:
    # Not dealer.database.get_engine: that one creates the project's tables in whatever database it is given.
    return create_engine(url, future=True)


def _delete_if_present(connection: Connection, column: Column, ids: list[str]) -> int:
    if not inspect(connection).has_table(column.table.name):
        return 0
    return connection.execute(delete(column.table).where(column.in_(ids))).rowcount
