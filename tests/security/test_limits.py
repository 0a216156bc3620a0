"""Rate limits (in memory and in Redis), the per-customer model-call limit, the daily spend cap, bounded tool
arguments."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import redis

from dealer.catalog.query import CarFilters
from dealer.financing.plans import FinancingTerms
from dealer.knowledge.passages import knowledge_index
from dealer.limits import DailySpend, MemoryRateLimiter, RedisRateLimiter
from dealer.llm.grounding import GroundedFacts
from dealer.llm.responder import OpenAnswerer
from dealer.llm.tools import CatalogTools
from dealer.llm.usage import ModelUsage
from dealer.settings import Settings
from testing.fake_openai import FakeOpenAI


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_memory_limiter_counts_per_key_and_window():
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    decisions = [limiter.hit("ana", 3, 60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.first_refusal for d in decisions] == [False, False, False, True, False]
    assert limiter.hit("luis", 3, 60).allowed
    clock.now += 60
    assert limiter.hit("ana", 3, 60).allowed


@pytest.fixture()
def redis_client():
    client = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    try:
        client.ping()
    except redis.ConnectionError as problem:
        pytest.fail(f"Redis is required for this test (TEST_REDIS_URL): {problem}", pytrace=False)
    yield client
    client.close()


def test_the_redis_limiter_is_shared_by_every_process(redis_client):
    clock = Clock()
    prefix = f"test-ratelimit-{uuid.uuid4().hex[:8]}:"
    first, second = RedisRateLimiter(redis_client, prefix, clock), RedisRateLimiter(redis_client, prefix, clock)
    assert [first.hit("ana", 2, 60).allowed, second.hit("ana", 2, 60).allowed, first.hit("ana", 2, 60).allowed] == [
        True, True, False]
    keys = redis_client.keys(prefix + "*")
    assert keys and all(b"ana" not in key for key in keys)  # the customer id is hashed
    assert 0 < redis_client.ttl(keys[0]) <= 61
    redis_client.delete(*keys)


def cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    usage = ModelUsage(model, calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
    return usage.cost_usd(Settings.from_mapping({"OPENAI_MODEL": model}).llm)


def test_the_daily_spend_resets_each_utc_day():
    today = [datetime(2026, 11, 25, 23, 0, tzinfo=timezone.utc)]
    spend = DailySpend(0.01, clock=lambda: today[0])
    spend.add(cost("gpt-4o-mini", 40_000, 10_000))
    assert spend.exhausted() and spend.spent_usd == pytest.approx(0.012)
    today[0] += timedelta(hours=2)
    assert not spend.exhausted()
    assert cost("some-unknown-model", 1_000_000, 0) == 2.5  # priced as the dearest


@pytest.fixture(scope="module")
def llm_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def answerer(repository, llm_server, **overrides: str) -> OpenAnswerer:
    llm_server.reset()
    return OpenAnswerer(Settings.from_mapping({
        "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": llm_server.base_url, "LLM_MAX_RETRIES": "0",
        "DATABASE_URL": repository.database_url, **overrides,
    }), knowledge_index(), repository)


async def test_model_calls_per_customer_are_capped_and_answered_offline(repository, llm_server):
    capped = answerer(repository, llm_server, LLM_CALLS_PER_HOUR="2")
    sources = [(await capped.answer("¿tienen garantía?", customer_id="ana")).source for _ in range(3)]
    assert sources == ["llm", "llm", "knowledge"]
    third = await capped.answer("¿tienen garantía?", customer_id="ana")
    assert third.failure == "customer_rate_limited" and "garant" in third.text.lower()
    assert (await capped.answer("¿tienen garantía?", customer_id="luis")).source == "llm"
    assert len(llm_server.requests) == 3


async def test_past_the_daily_budget_answers_are_offline(repository, llm_server):
    nothing = answerer(repository, llm_server, LLM_DAILY_BUDGET_USD="0")
    answer = await nothing.answer("¿tienen garantía?", customer_id="ana")
    assert answer.failure == "daily_budget" and answer.source == "knowledge" and llm_server.requests == []
    tiny = answerer(repository, llm_server, LLM_DAILY_BUDGET_USD="0.0000005")  # the fake reports 1+1 tokens
    assert (await tiny.answer("¿tienen garantía?", customer_id="ana")).source == "llm"
    assert (await tiny.answer("¿tienen garantía?", customer_id="luis")).failure == "daily_budget"


@pytest.mark.parametrize("name, arguments", [
    ("buscar_autos", '{"precio_max": 1e999}'),
    ("buscar_autos", '{"km_max": ' + "9" * 400 + "}"),
    ("buscar_autos", '{"anio_min": ' + "9" * 5000 + "}"),
    ("buscar_autos", '{"anio_min": -5}'),
    ("buscar_autos", '{"marca": {"a": 1}}'),
    ("buscar_autos", "[" * 5000 + "]" * 5000),
    ("calcular_financiamiento", '{"stock_id": "ALM-10001", "enganche": 1e999}'),
    ("calcular_financiamiento", '{"stock_id": "ALM-10001", "enganche": NaN}'),
    ("calcular_financiamiento", '{"stock_id": "ALM-10001", "enganche": 50000, "anios": 99999999999999999999999}'),
    ("calcular_financiamiento", '{"stock_id": "ALM-10001"}'),
    ("ver_auto", '{"stock_id": "' + "x" * 5000 + '"}'),
])
def test_bad_tool_arguments_are_errors_the_model_reads_never_exceptions(repository, name, arguments):
    tools = CatalogTools(repository, FinancingTerms(), GroundedFacts())
    result = json.loads(tools.run(name, arguments))
    assert "error" in result


def test_bounded_arguments_still_work(repository):
    tools = CatalogTools(repository, FinancingTerms(), GroundedFacts())
    found = json.loads(tools.run("buscar_autos", '{"precio_max": "350000", "anio_min": 2018.0}'))
    assert found["total"] == repository.search(CarFilters(price_max=350_000, year_min=2018), 1, 5).total > 0
