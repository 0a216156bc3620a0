"""The WhatsApp channel run by two replicas over one database: each message once, each customer's in order, numbered
options shared, and a message that keeps killing its process handed to a person."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from connectors.whatsapp import GAVE_UP_REPLY, MAX_ATTEMPTS
from connectors.whatsapp_messages import InboundMessage
from connectors.whatsapp_store import FAILED, WhatsAppStore
from testing.fake_twilio import WEBHOOK_PATH, inbound
from testing.polling import wait_until
from testing.whatsapp_standin import StandinServer, standin_environment

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, twilio_api):
    folder = tmp_path_factory.mktemp("replicas")
    log = folder / "turns.jsonl"  # both replicas append every turn they run to the same log
    environment = standin_environment(f"sqlite:///{folder / 'bot.db'}", twilio_api, log, turn_seconds=0.05)
    servers = [StandinServer(environment, log, folder / f"server{number}.log").start() for number in (1, 2)]
    yield servers
    for server in servers:
        server.stop()


def test_messages_sent_alternately_to_two_replicas_run_once_each_in_order(replicas, twilio_api):
    customers = [f"whatsapp:+52155222200{number:02d}" for number in range(8)]

    def converse(customer: str) -> None:
        for turn in range(6):
            replica = replicas[turn % 2]
            reply = replica.post(WEBHOOK_PATH, inbound(f"SMrep-{customer[-4:]}-{turn}", customer, f"mensaje {turn}"))
            assert reply.status_code == 200

    with ThreadPoolExecutor(len(customers)) as pool:
        list(pool.map(converse, customers))
    wait_until(lambda: all(len(twilio_api.to(customer)) == 6 for customer in customers), timeout=60)

    handled = replicas[0].handled()
    for customer in customers:
        sids = [turn["sid"] for turn in handled if turn["sender"] == customer]
        assert sids == [f"SMrep-{customer[-4:]}-{turn}" for turn in range(6)]  # once each, in arrival order
        assert [sent.body for sent in twilio_api.to(customer)] == [f"eco: mensaje {turn}" for turn in range(6)]


def test_numbered_options_given_by_one_replica_are_understood_by_the_other(replicas, twilio_api):
    customer = "whatsapp:+5215522230001"
    replicas[0].post(WEBHOOK_PATH, inbound("SMrep-opt1", customer, "opciones"))
    wait_until(lambda: twilio_api.to(customer))
    replicas[1].post(WEBHOOK_PATH, inbound("SMrep-opt2", customer, "2"))
    wait_until(lambda: len(twilio_api.to(customer)) == 2)
    assert twilio_api.to(customer)[1].body == "eco: quiero hablar con un asesor"


def test_a_message_started_too_often_gets_an_apology_and_a_person_instead_of_another_turn(tmp_path: Path, twilio_api):
    customer = "whatsapp:+5215522240001"
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = WhatsAppStore(database_url)
    store.accept(InboundMessage(sid="SMcrash", sender=customer, body="mensaje que tumba el servidor"))
    for _ in range(MAX_ATTEMPTS):  # as if three processes had died in the middle of its turn
        assert store.claim_customer(customer, "a process that died", lease_seconds=0)
        assert store.next_pending(customer) is not None

    log = tmp_path / "turns.jsonl"
    server = StandinServer(standin_environment(database_url, twilio_api, log, 0), log, tmp_path / "server.log").start()
    try:
        wait_until(lambda: twilio_api.to(customer))
        assert [sent.body for sent in twilio_api.to(customer)] == [GAVE_UP_REPLY]
        assert server.handled() == []  # not run a fourth time
        assert store.state_of("SMcrash") == FAILED and store.needs_human(customer)
    finally:
        server.stop()


def test_a_customers_lease_is_held_by_one_process_and_lapses_when_it_is_not_renewed(tmp_path: Path):
    store = WhatsAppStore(f"sqlite:///{tmp_path / 'bot.db'}")
    customer = "whatsapp:+5215522250001"
    assert store.claim_customer(customer, "replica-1", lease_seconds=60)
    assert not store.claim_customer(customer, "replica-2", lease_seconds=60)
    assert store.claim_customer(customer, "replica-1", lease_seconds=60)  # renewal
    store.release_customer(customer, "replica-2")  # only the holder can let go
    assert not store.claim_customer(customer, "replica-2", lease_seconds=60)
    store.release_customer(customer, "replica-1")
    assert store.claim_customer(customer, "replica-2", lease_seconds=0)  # a lease that lapses at once
    assert store.claim_customer(customer, "replica-1", lease_seconds=60)


def test_pending_messages_come_oldest_first_with_their_attempts_counted(tmp_path: Path):
    store = WhatsAppStore(f"sqlite:///{tmp_path / 'bot.db'}")
    customer = "whatsapp:+5215522260001"
    for number in range(3):
        assert store.accept(InboundMessage(sid=f"SMorder{number}", sender=customer, body=str(number)))
    assert store.customers_waiting() == [customer]
    store.claim_customer(customer, "replica-1", lease_seconds=60)
    assert store.customers_waiting() == []  # someone is on it
    first = store.next_pending(customer)
    assert (first.message.sid, first.attempt) == ("SMorder0", 1)
    assert store.next_pending(customer).attempt == 2  # not finished: the same message, one more attempt
    store.finish("SMorder0", "done")
    assert store.next_pending(customer).message.sid == "SMorder1"


def test_a_turn_whose_process_died_while_replying_sends_only_the_replies_still_missing(tmp_path: Path, twilio_api):
    customer = "whatsapp:+5215522270001"
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = WhatsAppStore(database_url)
    store.accept(InboundMessage(sid="SMhalf", sender=customer, body="texto largo"))  # a reply in two pieces
    assert store.claim_customer(customer, "a process that died", lease_seconds=0)
    assert store.next_pending(customer).attempt == 1
    store.count_reply_sent("SMhalf", 1)  # it died after sending the first piece

    log = tmp_path / "turns.jsonl"
    server = StandinServer(standin_environment(database_url, twilio_api, log, 0), log, tmp_path / "server.log").start()
    try:
        wait_until(lambda: store.state_of("SMhalf") == "done")
        [second_piece] = twilio_api.to(customer)
        assert second_piece.body.endswith(".") and len(second_piece.body) > 100
    finally:
        server.stop()
