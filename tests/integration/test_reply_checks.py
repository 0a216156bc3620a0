"""Every reply of every test story, and of the chat-model fixture, through the real servers, passes the reply checks
(dealer/reply_checks.py): Spanish, one WhatsApp message long at most, no price the catalog or the financing formula
does not give, the informal "tú"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CatalogRepository
from dealer.financing.plans import FinancingTerms
from dealer.reply_checks import reply_problems
from tests.integration.conftest import say

pytestmark = pytest.mark.integration

STORIES = Path(__file__).parents[1] / "stories"


def story_messages() -> list[tuple[str, list[str]]]:
    stories = []
    for path in sorted(STORIES.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            messages = [step["user"].strip() for step in story["steps"] if "user" in step]
            stories.append((f"{path.stem}: {story['story']}", messages))
    return stories


@pytest.fixture(scope="module")
def check(bot_environment):
    repository = CatalogRepository(bot_environment["DATABASE_URL"])
    cars = repository.search(CarFilters(), 1, 1000).cars
    prices = {Decimal(car.price) for car in cars}
    by_id = {car.stock_id: Decimal(car.price) for car in cars}
    return lambda text, said="": reply_problems(text, prices, by_id.get, FinancingTerms(), said)


def test_every_test_story_reply_passes_the_checks(bot, llm_server, check):
    llm_server.reset({"text": "Claro, con gusto te cuento: todos nuestros autos pasan una inspección de 150 puntos."})
    stories = story_messages()
    assert len(stories) >= 40
    failures = []
    replies = 0
    for number, (name, messages) in enumerate(stories):
        said = ""
        for message in messages:
            said += message + "\n"
            reply = say(bot, f"reply-check-{number}", message)
            replies += 1
            failures += [f"{name} / {message!r}: {problem}\n  {reply[:200]!r}" for problem in check(reply, said)]
    assert replies >= 3 * len(stories)
    assert not failures, "\n".join(failures)


def test_the_model_fixture_replies_pass_the_checks_and_an_invented_price_never_reaches_the_customer(bot, llm_server, check):
    for scripted in ("Nuestros autos tienen garantía de 6 meses o 10,000 km. ¿Te cuento más?",
                     "Te lo dejo en $99,999, solo hoy.", "Sure! How can I help you today?"):
        llm_server.reset({"text": scripted})
        reply = say(bot, "reply-check-model", "¿tienen garantía?")
        assert check(reply) == [], reply
