"""The action server's shared instances, built once per process on first use: the catalog, the open answerer, the
lead notifier and the NPS store. `reset()` forgets them (and the settings) so a test can point them at another
database."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Optional

from dealer.bookings.store import AppointmentStore
from dealer.catalog.repository import CatalogRepository
from dealer.knowledge.passages import knowledge_index
from dealer.leads.notices import NoticeStore
from dealer.leads.notifier import LeadNotifier
from dealer.leads.store import LeadStore
from dealer.limits import shared_limiter
from dealer.llm.responder import OpenAnswerer
from dealer.nps.store import NpsStore
from dealer.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def catalog() -> CatalogRepository:
    return CatalogRepository(get_settings().database_url)


@lru_cache(maxsize=1)
def open_answerer() -> OpenAnswerer:
    current = get_settings()
    return OpenAnswerer(current, knowledge_index(), catalog(), limiter=shared_limiter(current.redis_url))


@lru_cache(maxsize=1)
def lead_notifier() -> Optional[LeadNotifier]:
    """None when NOTIFY_WEBHOOK_URL is unset: leads and sales notices are then stored and logged, not announced."""
    current = get_settings()
    if not current.notify_webhook_url:
        return None
    return LeadNotifier([LeadStore(current.database_url), NoticeStore(current.database_url)], current.notify_webhook_url,
                        max_age=timedelta(hours=current.notify_max_age_hours))


@lru_cache(maxsize=1)
def nps_store() -> NpsStore:
    return NpsStore(get_settings().database_url)


@lru_cache(maxsize=1)
def appointment_store() -> AppointmentStore:
    return AppointmentStore(get_settings().database_url)


def reset() -> None:
    for cached in (get_settings, catalog, open_answerer, lead_notifier, nps_store, appointment_store):
        cached.cache_clear()
