"""The real bot: the action server and the Rasa server from the trained model, on free loopback ports."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from testing.fake_openai import FakeOpenAI
from testing.fake_twilio import FakeTwilioApi
from testing.servers import DEFAULT_MODEL, BotServers, free_port, running_environment
from tests.channels.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL


class LeadReceiver(ThreadingHTTPServer):
    """The sales team's webhook: a real HTTP server on loopback that keeps every JSON body it receives."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", free_port()), _RecordingHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/leads"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: LeadReceiver

    def do_POST(self) -> None:  # noqa: N802 - the name http.server expects
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="session")
def lead_receiver() -> Iterator[LeadReceiver]:
    receiver = LeadReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    yield receiver
    receiver.shutdown()


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
        "RATE_LIMIT_PER_MINUTE": "10000", "LLM_CALLS_PER_HOUR": "100000",
    })


@pytest.fixture(scope="session")
def bot(bot_environment, tmp_path_factory) -> Iterator[BotServers]:
    log: Path = tmp_path_factory.mktemp("logs") / "servers.log"
    with log.open("w") as output:
        servers = BotServers(bot_environment, output=output)
        try:
            servers.start()
        except Exception:
            print(log.read_text()[-5000:])
            raise
        yield servers
        servers.stop()


def say(servers: BotServers, sender: str, message: str) -> str:
    reply = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    reply.raise_for_status()
    return "\n".join(item.get("text", "") for item in reply.json())
