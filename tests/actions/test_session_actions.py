"""Session start, reset and data deletion through the Rasa SDK, with real trackers and real SQLite stores."""

from decimal import Decimal

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.session_actions import (
    DATA_DELETED_REPLY,
    RESTARTED_REPLY,
    ActionDeleteCustomerData,
    ActionRestart,
    ActionSessionStart,
)
from connectors.whatsapp_messages import InboundMessage
from connectors.whatsapp_store import WhatsAppStore
from dealer.financing.plans import compute_plan
from dealer.leads.store import LeadStore, NewLead
from dealer.settings import get_settings
from tests.actions.conftest import run_action

CUSTOMER = "whatsapp:+5215511112222"


def tracker_with(slots: dict, metadata=None, sender_id: str = CUSTOMER) -> Tracker:
    return Tracker.from_dict({
        "sender_id": sender_id, "slots": {**slots, "session_started_metadata": metadata}, "latest_message": {},
        "events": [], "paused": False, "followup_action": None, "active_loop": {"name": "financing_form"},
        "latest_action_name": "action_listen",
    })


async def test_a_new_session_keeps_name_brand_and_budget_and_nothing_else():
    previous = {"search_filters": {"make": "Mazda", "price_max": 300000}, "listing_page": 3.0,
                "listing_stock_ids": ["ALM-10001"], "selected_car": "ALM-10001", "down_payment": "50000.00",
                "finance_term": 4}
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker_with(previous, {"profile_name": "Ana"}), {})
    assert events == [
        {"event": "session_started", "timestamp": None},
        {"event": "slot", "timestamp": None, "name": "customer_name", "value": "Ana"},
        {"event": "slot", "timestamp": None, "name": "preferred_brand", "value": "Mazda"},
        {"event": "slot", "timestamp": None, "name": "budget", "value": 300000},
        {"event": "slot", "timestamp": None, "name": "nps_due", "value": True},  # never asked: due for the survey
        {"event": "action", "timestamp": None, "name": "action_listen", "policy": None, "confidence": None},
    ]


async def test_a_first_session_starts_empty():
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker_with({}), {})
    assert [(event["event"], event.get("name")) for event in events] == [
        ("session_started", None), ("slot", "nps_due"), ("action", "action_listen")
    ]


async def test_restart_confirms_and_restarts():
    messages, events = await run_action(ActionRestart(), "reiniciar", "restart", {"search_filters": {"make": "Kia"}})
    assert messages[0]["text"] == RESTARTED_REPLY
    assert events == [{"event": "restart", "timestamp": None}]


@pytest.fixture()
def stores(monkeypatch, tmp_path, seeded_sqlite_url):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    get_settings.cache_clear()
    return seeded_sqlite_url, tracker_url


def rows(database_url: str, table: str, column: str, value: str) -> int:
    with create_engine(database_url).connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :value"), {"value": value}).scalar()


def plan():
    return compute_plan(Decimal("250000"), Decimal("50000"), 4, get_settings().financing)


async def test_deletion_removes_leads_and_whatsapp_messages_and_flags_the_conversation(stores):
    database_url, tracker_url = stores
    tracker_store = SQLTrackerStore(host=tracker_url, domain=Domain.empty())
    for sender in (CUSTOMER, "whatsapp:+5215599998888"):
        await tracker_store.save(DialogueStateTracker.from_events(sender, [UserUttered("hola")]))
        LeadStore(database_url).record(NewLead(sender, "whatsapp", "ALM-10001", "Mazda 3 2020", [plan()]), notify=False)
        WhatsAppStore(database_url).accept(InboundMessage(sid=f"SM-{sender}", sender=sender, body="hola"))

    dispatcher = CollectingDispatcher()
    events = await ActionDeleteCustomerData().run(dispatcher, tracker_with({}), {})

    assert dispatcher.messages[0]["text"] == DATA_DELETED_REPLY
    assert events == [{"event": "slot", "timestamp": None, "name": "data_erased", "value": True}]
    assert await tracker_store.retrieve(CUSTOMER) is None
    assert await tracker_store.retrieve("whatsapp:+5215599998888") is not None
    assert rows(database_url, "leads", "customer_id", CUSTOMER) == 0
    assert rows(database_url, "leads", "customer_id", "whatsapp:+5215599998888") == 1
    assert rows(database_url, "whatsapp_inbound", "sender", CUSTOMER) == 0
    assert rows(database_url, "whatsapp_inbound", "sender", "whatsapp:+5215599998888") == 1
    again = await ActionDeleteCustomerData().run(CollectingDispatcher(), tracker_with({}), {})
    assert again == events  # nothing left to delete is still a done deletion


async def test_a_failed_deletion_says_so_and_flags_nothing(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    messages, events = await run_action(ActionDeleteCustomerData(), "sí", "affirm")
    assert "no pude borrar" in messages[0]["text"]
    assert events == []

