"""Storing trade-in leads; their announcement goes through the sales notices (dealer/leads/notices.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from dealer.database import get_engine, session_scope
from dealer.tradeins.models import TradeIn


@dataclass(frozen=True)
class NewTradeIn:
    customer_id: str
    channel: str
    make: str
    model: str
    year: int
    km: int


class TradeInStore:
    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the table on first use

    def record(self, trade_in: NewTradeIn) -> int:
        row = TradeIn(customer_id=trade_in.customer_id[:128], channel=trade_in.channel[:40],
                      make=trade_in.make[:40], model=trade_in.model[:40], year=trade_in.year, km=trade_in.km,
                      created_at=datetime.now(timezone.utc))
        with session_scope(self.database_url) as session:
            session.add(row)
            session.flush()
            return row.id
