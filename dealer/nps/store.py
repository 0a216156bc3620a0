"""Recording NPS questions and answers, and whether a customer is due for the question. Synchronous SQLAlchemy;
async callers use a thread."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import select, update

from dealer.database import get_engine, session_scope
from dealer.nps.answers import HIGHEST, LOWEST
from dealer.nps.models import NpsResponse


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class NpsStore:
    def __init__(self, database_url: str):
        self.database_url = database_url
        get_engine(database_url)  # creates the table on first use

    def is_due(self, customer_id: str, cooldown_days: int, now: Optional[datetime] = None) -> bool:
        """True when the customer was not asked within the last `cooldown_days` (answered or not)."""
        since = (now or utc_now()) - timedelta(days=cooldown_days)
        with session_scope(self.database_url) as session:
            asked = session.execute(
                select(NpsResponse.id)
                .where(NpsResponse.customer_id == customer_id[:128], NpsResponse.asked_at > since)
                .limit(1)
            ).first()
        return asked is None

    def record_question(self, customer_id: str, channel: str, now: Optional[datetime] = None) -> int:
        with session_scope(self.database_url) as session:
            row = NpsResponse(customer_id=customer_id[:128], channel=(channel or "unknown")[:40], asked_at=now or utc_now())
            session.add(row)
            session.flush()
            return row.id

    def record_score(self, survey_id: int, score: int, now: Optional[datetime] = None) -> None:
        if not LOWEST <= score <= HIGHEST:
            raise ValueError(f"an NPS score is between {LOWEST} and {HIGHEST}, got {score}")
        self._update(survey_id, score=score, answered_at=now or utc_now())

    def record_comment(self, survey_id: int, comment: str) -> None:
        self._update(survey_id, comment=comment)

    def _update(self, survey_id: int, **values) -> None:
        with session_scope(self.database_url) as session:
            session.execute(update(NpsResponse).where(NpsResponse.id == survey_id).values(**values))

    def responses(self, customer_id: str) -> list[NpsResponse]:
        with session_scope(self.database_url) as session:
            return list(
                session.scalars(
                    select(NpsResponse).where(NpsResponse.customer_id == customer_id).order_by(NpsResponse.asked_at)
                )
            )
