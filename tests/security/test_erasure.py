"""Erasure that lasts (late statuses, a turn in flight, ids of any length), pseudonyms, and the retention job."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from sqlalchemy import insert

from connectors.tracker_store import CustomerTrackerStore
from connectors.whatsapp_messages import InboundMessage
from connectors.whatsapp_store import WhatsAppDeliveryStatus, WhatsAppInbound, WhatsAppStore
from dealer.customer_data import erase_customer
from dealer.database import get_engine
from dealer.erasures import erased_at
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.leads.store import LeadStore, NewLead
from dealer.privacy import erasure_key, pseudonym
from dealer.retention import apply_retention
from tests.channels.conftest import DOMAIN, conversation

ANA, LUIS = "whatsapp:+5215511112222", "whatsapp:+5215533334444"


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'project.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    url = request.getfixturevalue("postgres_url")
    return url, url


def test_a_late_delivery_status_of_an_erased_customer_is_not_stored_again(urls):
    database_url, tracker_url = urls
    store = WhatsAppStore(database_url)
    store.record_status("SMbye", "sent", ANA, None)
    erase_customer(ANA, database_url, tracker_url)
    assert store.statuses("SMbye") == []
    assert store.record_status("SMbye", "delivered", ANA, None) is False  # «listo, borré tus datos» arriving
    assert store.record_status("SMbye", "read", ANA, None) is False
    assert store.statuses("SMbye") == []
    assert store.record_status("SMluis", "delivered", LUIS, None) is True
    assert store.statuses("SMluis") == ["delivered"]


async def test_a_turn_in_flight_during_make_forget_cannot_resurrect_the_conversation(urls):
    database_url, tracker_url = urls
    store = CustomerTrackerStore(host=tracker_url, domain=DOMAIN, erasures_url=database_url)
    await store.save(conversation(ANA))
    in_flight = await store.retrieve(ANA)  # the Rasa server loaded the tracker for a new message...
    in_flight.update(UserUttered("¿y el financiamiento?"))
    erase_customer(ANA, database_url, tracker_url)  # ...the staff ran `make forget`...
    in_flight.update(BotUttered("Claro"))
    await store.save(in_flight)  # ...and the turn ends
    assert await store.retrieve(ANA) is None
    time.sleep(0.01)
    await store.save(conversation(ANA))  # the customer writes again later: a new conversation is kept
    assert (await store.retrieve(ANA)).get_slot("search_filters") == {"make": "Mazda"}


async def test_ids_of_any_length_are_erasable(urls):
    database_url, tracker_url = urls
    long_id = "rest-" + "x" * 300
    plan = compute_plan(Decimal("250000"), Decimal("50000"), 4, FinancingTerms())
    LeadStore(database_url).record(NewLead(long_id, "rest", "ALM-10001", "Mazda 3 2020", [plan]), notify=False)
    store = CustomerTrackerStore(host=tracker_url, domain=DOMAIN, erasures_url=database_url)
    if tracker_url.startswith("sqlite"):  # PostgreSQL's sender_id column holds 255 characters: Rasa cannot store it
        await store.save(conversation(long_id))
    report = erase_customer(long_id, database_url, tracker_url)
    assert report.leads == 1
    assert report.conversation_events == (6 if tracker_url.startswith("sqlite") else 0)
    assert erased_at(long_id, database_url) is not None


def test_pseudonyms_are_stable_keyed_and_carry_no_digits_of_the_number():
    assert pseudonym(ANA) == pseudonym(ANA) != pseudonym(LUIS)
    assert pseudonym(ANA, key=b"other-key-0123456789") != pseudonym(ANA)
    assert pseudonym(ANA).startswith("c-") and len(pseudonym(ANA)) == 18 and "5511112222" not in pseudonym(ANA)
    assert ANA not in erasure_key(ANA) and len(erasure_key(ANA)) == 64


async def test_the_retention_job_deletes_what_is_old_and_keeps_what_is_recent(urls):
    database_url, tracker_url = urls
    now = time.time()
    old, recent = datetime.now(timezone.utc) - timedelta(days=200), datetime.now(timezone.utc) - timedelta(days=2)
    WhatsAppStore(database_url)  # creates its tables
    with get_engine(database_url).begin() as connection:
        for sid, state, moment in (("SMold", "done", old), ("SMoldpending", "pending", old), ("SMnew", "done", recent)):
            connection.execute(insert(WhatsAppInbound.__table__).values(
                message_sid=sid, sender=ANA, message=InboundMessage(sid, ANA, "hola").as_record(), state=state,
                received_at=moment))
        for sid, moment in (("SMold", old), ("SMnew", recent)):
            connection.execute(insert(WhatsAppDeliveryStatus.__table__).values(
                message_sid=sid, recipient=ANA, status="delivered", received_at=moment))
    store = CustomerTrackerStore(host=tracker_url, domain=DOMAIN, erasures_url=database_url)
    closed, active = conversation("closed-customer"), conversation("active-customer")
    for event in closed.events:
        event.timestamp = now - 200 * 86400
    for index, event in enumerate(active.events):  # began long ago, still going: kept whole
        event.timestamp = now - 200 * 86400 if index < 3 else now - 60
    await store.save(closed)
    await store.save(active)

    report = apply_retention(database_url, tracker_url, days=180, now=now)

    assert (report.whatsapp_messages, report.whatsapp_statuses, report.conversation_events) == (1, 1, 6)
    assert await store.retrieve("closed-customer") is None
    assert len((await store.retrieve("active-customer")).events) >= 6
    whatsapp = WhatsAppStore(database_url)
    assert whatsapp.state_of("SMold") is None and whatsapp.state_of("SMoldpending") == "pending"
    assert whatsapp.state_of("SMnew") == "done" and whatsapp.statuses("SMnew") == ["delivered"]
    assert apply_retention(database_url, tracker_url, days=180, now=now).conversation_events == 0


def test_erasure_markers_expire_with_the_retention_job(urls):
    database_url, tracker_url = urls
    erase_customer(ANA, database_url, tracker_url)
    assert apply_retention(database_url, tracker_url, days=180).erasure_markers == 0
    assert apply_retention(database_url, tracker_url, days=180, now=time.time() + 8 * 86400).erasure_markers >= 1
    assert erased_at(ANA, database_url) is None


async def test_the_action_server_runs_the_retention_job_on_a_schedule(tmp_path, monkeypatch):
    import asyncio

    import rasa_sdk_plugins
    from actions import services

    database_url, tracker_url = f"sqlite:///{tmp_path / 'p.db'}", f"sqlite:///{tmp_path / 't.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    monkeypatch.setenv("RETENTION_DAYS", "1")
    monkeypatch.setattr(rasa_sdk_plugins, "RETENTION_FIRST_RUN_SECONDS", 0)
    services.reset()
    WhatsAppStore(database_url).record_status("SMancient", "delivered", LUIS, None)
    with get_engine(database_url).begin() as connection:
        connection.execute(WhatsAppDeliveryStatus.__table__.update().values(
            received_at=datetime.now(timezone.utc) - timedelta(days=3)))
    task = asyncio.create_task(rasa_sdk_plugins.run_retention_daily())
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            if WhatsAppStore(database_url).statuses("SMancient") == []:
                break
        assert WhatsAppStore(database_url).statuses("SMancient") == []
    finally:
        task.cancel()
        services.reset()
