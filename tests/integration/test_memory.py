"""Conversation memory through the real servers and the real SQLite stores: reset, session expiry with the
customer's profile carried over, and deletion of a customer's data on request."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import create_engine, text

from actions.session_actions import DATA_DELETED_REPLY, RESTARTED_REPLY
from tests.integration.conftest import say

pytestmark = pytest.mark.integration


def stored_events(bot_environment, sender: str) -> list[dict]:
    engine = create_engine(bot_environment["TRACKER_STORE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender})
        events = [json.loads(row.data) for row in rows]
    engine.dispose()
    return events


def count(bot_environment, url_name: str, sql: str, sender: str) -> int:
    engine = create_engine(bot_environment[url_name])
    with engine.connect() as connection:
        number = connection.execute(text(sql), {"sender": sender}).scalar_one()
    engine.dispose()
    return number


def age_conversation(bot_environment, sender: str, seconds: float) -> None:
    """Move a stored conversation back in time, as if the customer had last written `seconds` ago."""
    engine = create_engine(bot_environment["TRACKER_STORE_URL"])
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE events SET timestamp = timestamp - :age, data = json_set(data, '$.timestamp', "
            "json_extract(data, '$.timestamp') - :age) WHERE sender_id = :sender"
        ), {"age": seconds, "sender": sender})
    engine.dispose()


@pytest.mark.parametrize("command", ["reiniciar", "/restart"])
def test_reset_clears_listing_and_form_but_keeps_the_history(bot, bot_environment, command):
    customer = f"cliente-reinicio-{command.strip('/')}"
    say(bot, customer, "busco un aveo")
    assert "enganche" in say(bot, customer, "cuánto pagaría al mes por el 2")
    assert say(bot, customer, command) == RESTARTED_REPLY
    # No listing to page through and no form waiting for a down payment any more.
    assert "página" not in say(bot, customer, "50 mil").lower()
    assert "página 2" not in say(bot, customer, "siguiente").lower()
    texts = [event.get("text") for event in stored_events(bot_environment, customer) if event["event"] == "user"]
    assert texts[:2] == ["busco un aveo", "cuánto pagaría al mes por el 2"]  # kept for analytics


def test_reset_empties_the_llm_context(bot, llm_server):
    customer = "cliente-contexto"
    say(bot, customer, "quiero un mazda")
    say(bot, customer, "reiniciar")
    llm_server.reset({"text": "Claro, te cuento de la garantía."})
    say(bot, customer, "¿qué garantía tienen?")
    [request] = llm_server.requests
    contents = " ".join(message["content"] for message in request["messages"][1:])
    assert "mazda" not in contents.lower()


def test_an_expired_session_drops_the_listing_and_keeps_brand_and_budget(bot, bot_environment, llm_server):
    customer = "cliente-regresa"
    listing = say(bot, customer, "busco un mazda de menos de 400 mil")
    assert "página 1 de" in listing
    age_conversation(bot_environment, customer, 2 * 3600)  # SESSION_TTL_MINUTES is 60 by default

    assert "página 2" not in say(bot, customer, "más").lower()  # the old listing is gone
    llm_server.reset({"text": "Con gusto te ayudo."})
    say(bot, customer, "¿tienen garantía?")
    [request] = llm_server.requests
    system = request["messages"][0]["content"]
    assert "le interesa Mazda" in system and "presupuesto hasta $400,000" in system
    sessions = [event for event in stored_events(bot_environment, customer) if event["event"] == "session_started"]
    assert len(sessions) == 2


def test_deleting_my_data_asks_first_then_erases_every_store(bot, bot_environment, lead_receiver):
    customer = "cliente-privado"
    say(bot, customer, "busco un aveo")
    say(bot, customer, "quiero financiar el 1 con 60 mil a 4 años")
    deadline = time.monotonic() + 10
    leads_sql = "SELECT count(*) FROM leads WHERE customer_id = :sender"
    while count(bot_environment, "DATABASE_URL", leads_sql, customer) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count(bot_environment, "DATABASE_URL", leads_sql, customer) == 1

    assert "¿Seguro" in say(bot, customer, "borra mis datos")  # asked first: nothing deleted yet
    assert count(bot_environment, "DATABASE_URL", leads_sql, customer) == 1
    assert say(bot, customer, "sí, bórralos") == DATA_DELETED_REPLY

    assert count(bot_environment, "DATABASE_URL", leads_sql, customer) == 0
    assert stored_events(bot_environment, customer) == []
    assert "asesor virtual" in say(bot, customer, "hola")  # a fresh start
    assert len(stored_events(bot_environment, customer)) > 0


def test_declining_the_deletion_keeps_everything(bot, bot_environment):
    customer = "cliente-indeciso"
    say(bot, customer, "quiero un chebrolet")
    assert "Seguro" in say(bot, customer, "quiero que borren mis datos")
    assert "no borré nada" in say(bot, customer, "no")
    assert "página 2" in say(bot, customer, "siguiente").lower()
