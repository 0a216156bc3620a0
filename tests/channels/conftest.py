"""The WhatsApp channel in a real Sanic server (testing/whatsapp_standin.py) talking to a real local stand-in for
Twilio's API; requests signed with the twilio SDK as Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testing.fake_twilio import FakeTwilioApi
from testing.whatsapp_standin import StandinServer, standin_environment


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


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
