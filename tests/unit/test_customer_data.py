"""Erasing one customer from every store, on SQLite and PostgreSQL, with the stores' own writers."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.whatsapp_messages import InboundMessage
from connectors.whatsapp_store import WhatsAppStore
from dealer.bookings.store import AppointmentStore, Booking
from dealer.customer_data import ErasureReport, erase_customer
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.leads.notices import NoticeStore, SalesNotice
from dealer.leads.store import LeadStore, NewLead
from dealer.llm.usage import ModelUsage, record_usage
from dealer.nps.store import NpsStore
from dealer.settings import get_settings
from scripts import forget_customer

ANA, LUIS = "whatsapp:+5215511112222", "whatsapp:+5215533334444"


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request, tmp_path):
    """(project database, tracker store database): two SQLite files, or one PostgreSQL database for both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'project.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    url = request.getfixturevalue("postgres_url")
    return url, url


async def store_customer(urls, customer: str, conversations: int = 2) -> None:
    database_url, tracker_url = urls
    tracker_store = SQLTrackerStore(host=tracker_url, domain=Domain.empty())
    for number in range(conversations):  # sessions of one conversation id
        tracker = await tracker_store.retrieve_full_tracker(customer) or DialogueStateTracker(customer, [])
        for event in (SessionStarted(), UserUttered(f"hola {number}"), BotUttered("¡Hola!")):
            tracker.update(event)
        await tracker_store.save(tracker)
    plan = compute_plan(Decimal("250000"), Decimal("50000"), 4, FinancingTerms())
    LeadStore(database_url).record(NewLead(customer, "whatsapp", "ALM-10001", "Mazda 3 2020", [plan]), notify=False)
    NoticeStore(database_url).record(SalesNotice("handoff", customer, "whatsapp", "quiere un asesor"), notify=True)
    now = datetime.now(timezone.utc)
    AppointmentStore(database_url).book(Booking(customer, "whatsapp", "visit", "Autos Alameda Polanco",
                                                now + timedelta(days=2)), capacity=10, now=now)
    whatsapp = WhatsAppStore(database_url)
    whatsapp.accept(InboundMessage(sid=f"SM{customer[-4:]}", sender=customer, body="hola"))
    whatsapp.record_status(f"SM-out-{customer[-4:]}", "delivered", customer, None)
    usage = ModelUsage("gpt-4o-mini", calls=1, prompt_tokens=900, completion_tokens=120, seconds=1.2)
    record_usage(database_url, usage, get_settings().llm, customer, "18c0ffee", "whatsapp")
    surveys = NpsStore(database_url)
    surveys.record_score(surveys.record_question(customer, "whatsapp"), 9)


async def test_one_customer_is_erased_from_every_store_and_nobody_else(urls):
    await store_customer(urls, ANA)
    await store_customer(urls, LUIS)
    report = erase_customer(ANA, *urls)
    assert report == ErasureReport(
        conversation_events=6, leads=1, sales_notices=1, whatsapp_messages=1, whatsapp_statuses=1, model_usage=1, nps_responses=1,
        appointments=1,
    )
    assert report.total == 13
    assert NpsStore(urls[0]).responses(ANA) == [] and len(NpsStore(urls[0]).responses(LUIS)) == 1
    assert erase_customer(ANA, *urls).total == 0
    assert erase_customer(LUIS, *urls) == report


def test_fresh_databases_hold_nothing_to_erase(tmp_path):
    report = erase_customer(ANA, f"sqlite:///{tmp_path / 'p.db'}", f"sqlite:///{tmp_path / 't.db'}")
    assert report.total == 0
    assert report.lines() == ["conversation events: 0", "leads: 0", "sales notices: 0", "whatsapp messages: 0",
                              "whatsapp statuses: 0", "model usage: 0", "nps responses: 0", "appointments: 0",
                              "trade ins: 0", "handoffs: 0"]


@pytest.mark.parametrize("customer_id", ["", "   ", None, 42])
def test_an_impossible_customer_id_is_refused(customer_id, tmp_path):
    with pytest.raises(ValueError, match="customer id"):
        erase_customer(customer_id, f"sqlite:///{tmp_path / 'p.db'}", f"sqlite:///{tmp_path / 't.db'}")


@pytest.fixture()
def configured(monkeypatch, tmp_path):
    urls = f"sqlite:///{tmp_path / 'project.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("DATABASE_URL", urls[0])
    monkeypatch.setenv("TRACKER_STORE_URL", urls[1])
    get_settings.cache_clear()
    yield urls
    get_settings.cache_clear()


async def test_the_staff_command_prints_what_it_deleted(configured, capsys):
    await store_customer(configured, ANA)
    assert forget_customer.main([ANA, "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"deleted for {ANA}:" in out and "conversation events: 6" in out and "leads: 1" in out
    assert "model usage: 1" in out and "nps responses: 1" in out and "total: 13" in out


async def test_the_staff_command_deletes_nothing_unless_the_id_is_typed_again(configured, monkeypatch, capsys):
    await store_customer(configured, ANA)
    monkeypatch.setattr("builtins.input", lambda _: "whatsapp:+520000")
    assert forget_customer.main([ANA]) == 1
    assert "nothing deleted" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda _: ANA)
    assert forget_customer.main([ANA]) == 0
    assert "total: 13" in capsys.readouterr().out


def test_the_staff_command_explains_a_missing_id_and_an_unreachable_database(configured, monkeypatch, capsys):
    assert forget_customer.main([""]) == 2
    assert "give the customer id" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    assert forget_customer.main([ANA, "--yes"]) == 1
    assert "could not be reached" in capsys.readouterr().err
