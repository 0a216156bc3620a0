"""The WhatsApp channel in a real Sanic server (testing/whatsapp_standin.py) talking to a real local stand-in for
Twilio's API; requests signed with the twilio SDK as Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.fake_twilio import FakeTwilioApi
from testing.whatsapp_standin import StandinServer

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
BOT_NUMBER = "whatsapp:+14155238886"
PUBLIC_URL = "https://bot.example.mx"
WEBHOOK_PATH = "/webhooks/whatsapp/webhook"
STATUS_PATH = "/webhooks/whatsapp/status"


def inbound(sid: str, sender: str, body: str = "", **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": BOT_NUMBER,
        "Body": body, "NumMedia": "0", "ProfileName": "Cliente", "WaId": sender.split("+")[-1], **extra,
    }


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


def standin_environment(database_url: str, twilio_api: FakeTwilioApi, log: Path, turn_seconds: float) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER, "TWILIO_API_BASE_URL": twilio_api.url, "PUBLIC_URL": PUBLIC_URL,
        "STANDIN_TURN_SECONDS": str(turn_seconds), "STANDIN_LOG": str(log),
    }


@pytest.fixture(scope="module")
def channel(tmp_path_factory, twilio_api) -> Iterator[StandinServer]:
    folder = tmp_path_factory.mktemp("whatsapp")
    log = folder / "turns.jsonl"
    server = StandinServer(
        standin_environment(f"sqlite:///{folder / 'bot.db'}", twilio_api, log, turn_seconds=1.0),
        log, folder / "server.log",
    ).start()
    yield server
    server.stop()
