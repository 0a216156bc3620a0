"""The real bot: the action server and the Rasa server from the trained model, on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from testing.fake_openai import FakeOpenAI
from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL, FakeTwilioApi
from testing.receivers import WebhookReceiver
from testing.servers import DEFAULT_MODEL, LOAD_GENERATOR_LIMITS, BotServers, free_port, logged_bot, running_environment


@pytest.fixture(scope="session")
def lead_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def llm_server() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bot_environment(tmp_path_factory, seeded_sqlite_url, lead_receiver, twilio_api, llm_server) -> dict[str, str]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: `make test` trains it; run `make train`", pytrace=False)
    tracker_db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    return running_environment({
        "DATABASE_URL": seeded_sqlite_url,
        "TRACKER_STORE_URL": f"sqlite:///{tracker_db}",
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "NOTIFY_WEBHOOK_URL": lead_receiver.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
        "TWILIO_API_BASE_URL": twilio_api.url,
        "PUBLIC_URL": PUBLIC_URL,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": llm_server.base_url,
        # Tests write faster than customers; the limits have their own tests (tests/security).
        **LOAD_GENERATOR_LIMITS,
    })


@pytest.fixture(scope="session")
def bot_log(tmp_path_factory) -> Path:
    """Both servers' output (the per-turn JSON lines among it)."""
    return tmp_path_factory.mktemp("logs") / "servers.log"


@pytest.fixture(scope="session")
def bot(bot_environment, bot_log) -> Iterator[BotServers]:
    with logged_bot(bot_environment, bot_log) as servers:
        yield servers


def say(servers: BotServers, sender: str, message: str) -> str:
    reply = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    reply.raise_for_status()
    return "\n".join(item.get("text", "") for item in reply.json())
