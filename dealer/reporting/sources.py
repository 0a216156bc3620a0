"""Reading the report's records for a period from the project's database (leads, NPS answers, the catalog's brands,
model usage) and Rasa's SQL tracker store (the `events` table). Plain SQLAlchemy Core; a table that does not
exist holds nothing (or, for `llm_usage`, means the model's usage is not recorded)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any, Optional

from sqlalchemy import MetaData, Table, and_, create_engine, inspect, select
from sqlalchemy.engine import Engine

from dealer.catalog.models import Car
from dealer.database import get_engine
from dealer.leads.models import Lead
from dealer.nps.models import NpsResponse
from dealer.reporting.analysis import Event, LeadRecord, NpsRecord, UsageRecord

_EVENT_TYPES = ("user", "bot", "action", "session_started")
# The model-usage table is written by the metrics work; these are the names its columns may have.
_USAGE_CUSTOMER = ("sender_id", "customer_id", "sender")
_USAGE_TIME = ("created_at", "at", "time", "timestamp")


@dataclass(frozen=True)
class Period:
    since: datetime  # inclusive, aware (UTC)
    until: datetime  # exclusive


@dataclass(frozen=True)
class Records:
    events: list[Event]
    leads: list[LeadRecord]
    nps: list[NpsRecord]
    usage: Optional[list[UsageRecord]]  # None: not recorded


def load_records(database_url: str, tracker_store_url: str, period: Period) -> Records:
    project = get_engine(database_url)
    return Records(
        events=_events(_plain_engine(tracker_store_url), period),
        leads=_leads(project, period),
        nps=_nps(project, period),
        usage=_usage(project, period),
    )


@cache
def _plain_engine(url: str) -> Engine:
    # Not get_engine: that one creates the project's tables in whatever database it is given.
    return create_engine(url, future=True)


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    # SQLite gives naive datetimes back; every time stored here is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _events(engine: Engine, period: Period) -> list[Event]:
    if not inspect(engine).has_table("events"):
        return []
    table = Table("events", MetaData(), autoload_with=engine)
    query = (
        select(table.c.sender_id, table.c.type_name, table.c.timestamp, table.c.action_name, table.c.data)
        .where(and_(
            table.c.timestamp >= period.since.timestamp(),
            table.c.timestamp < period.until.timestamp(),
            table.c.type_name.in_(_EVENT_TYPES),
        ))
        .order_by(table.c.timestamp)
    )
    with engine.connect() as connection:
        return [
            Event(sender, kind, float(stamp), action, _user_text(data) if kind == "user" else None)
            for sender, kind, stamp, action, data in connection.execute(query)
        ]


def _user_text(data: Any) -> Optional[str]:
    try:
        text = json.loads(data).get("text") if isinstance(data, str) else None
    except (ValueError, AttributeError):
        return None
    return text if isinstance(text, str) else None


def _leads(engine: Engine, period: Period) -> list[LeadRecord]:
    query = (
        select(Lead.customer_id, Lead.car_label, Lead.created_at, Car.make)
        .join(Car, Car.stock_id == Lead.stock_id, isouter=True)
        .where(Lead.created_at >= period.since, Lead.created_at < period.until)
    )
    with engine.connect() as connection:
        return [
            # A car sold since has left the catalog: its label starts with the brand.
            LeadRecord(customer, make or (label.split() or ["?"])[0], _aware(created))
            for customer, label, created, make in connection.execute(query)
        ]


def _nps(engine: Engine, period: Period) -> list[NpsRecord]:
    table = NpsResponse.__table__
    query = select(table).where(table.c.asked_at >= period.since, table.c.asked_at < period.until)
    with engine.connect() as connection:
        return [
            NpsRecord(row.customer_id, row.channel, _aware(row.asked_at), row.score, row.comment)
            for row in connection.execute(query)
        ]


def _usage(engine: Engine, period: Period) -> Optional[list[UsageRecord]]:
    if not inspect(engine).has_table("llm_usage"):
        return None
    table = Table("llm_usage", MetaData(), autoload_with=engine)
    customer = next((table.c[name] for name in _USAGE_CUSTOMER if name in table.c), None)
    moment = next((table.c[name] for name in _USAGE_TIME if name in table.c), None)
    if customer is None or moment is None or "cost_usd" not in table.c:
        return None
    with engine.connect() as connection:
        rows = connection.execute(select(table)).mappings().all()
    records = []
    for row in rows:
        at = row[moment.name]
        at = datetime.fromtimestamp(float(at), timezone.utc) if isinstance(at, (int, float)) else _aware(at)
        if at is not None and period.since <= at < period.until:
            records.append(UsageRecord(
                str(row[customer.name]), at, float(row["cost_usd"] or 0),
                int(row.get("prompt_tokens") or 0), int(row.get("completion_tokens") or 0),
            ))
    return records
