"""Actions run against the real seeded SQLite catalog, with trackers built the way Rasa sends them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from dealer.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def catalog_on_test_database(monkeypatch, seeded_sqlite_url):
    monkeypatch.setenv("DATABASE_URL", seeded_sqlite_url)
    services.reset()
    yield
    services.reset()


def _domain() -> dict[str, Any]:
    """The forms and slots of the real domain (rasa_project/domain/*.yml), as a form validation action reads them."""
    domain: dict[str, Any] = {"forms": {}, "slots": {}}
    for path in Path(PROJECT_ROOT, "rasa_project", "domain").glob("*.yml"):
        part = yaml.safe_load(path.read_text())
        domain["forms"].update(part.get("forms") or {})
        domain["slots"].update(part.get("slots") or {})
    return domain


DOMAIN = _domain()


def make_tracker(text: str, intent: str, slots: Optional[dict[str, Any]] = None,
                 active_loop: Optional[str] = None) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "test-customer",
        "slots": slots or {},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    })


async def run_action(action, text: str, intent: str, slots: Optional[dict[str, Any]] = None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(text, intent, slots), {})
    return dispatcher.messages, events


def slots_from(events) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
