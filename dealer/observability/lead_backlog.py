"""How many stored leads still wait to be announced to the sales team (the lead notifier's backlog)."""

from __future__ import annotations

from sqlalchemy import func, select

from dealer.database import session_scope
from dealer.leads.models import PENDING, Lead


def pending_leads(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(Lead).where(Lead.notification_status == PENDING)) or 0
