"""The real bot: the action server and the Rasa server from the trained model, on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scripts.servers import DEFAULT_MODEL, BotServers, free_port, running_environment


@pytest.fixture(scope="session")
def bot_environment(tmp_path_factory, seeded_sqlite_url) -> dict[str, str]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: `make test` trains it; run `make train`", pytrace=False)
    tracker_db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    return running_environment({
        "DATABASE_URL": seeded_sqlite_url,
        "TRACKER_STORE_URL": f"sqlite:///{tracker_db}",
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
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
