"""The WhatsApp channel in a real Sanic server (testing/whatsapp_standin.py) talking to a real local stand-in for
Twilio's API; requests signed with the twilio SDK as Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.tracker_store import ERASED_SLOT
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


# A small domain and conversation for the tracker-store tests.
DOMAIN = Domain.from_dict({
    "intents": ["greet"],
    "slots": {name: {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}
              for name in ("search_filters", ERASED_SLOT)},
    "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": False},
})


def conversation(sender_id: str, *extra) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("hola", {"name": "greet", "confidence": 1.0}), BotUttered("¡Hola!"),
        SlotSet("search_filters", {"make": "Mazda"}), *extra,
    ], slots=DOMAIN.slots)
