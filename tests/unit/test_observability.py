"""The pure parts of observability: pseudonyms, model prices and cost, the turn summary, the metrics switch."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry, Counter

from dealer import metrics
from dealer.llm.usage import ModelUsage, prices
from dealer.observability.turns import MODEL_USAGE_KEY, session_id, summarize_turn
from dealer.privacy import pseudonym
from dealer.settings import PROJECT_ROOT, Settings, SettingsError


def llm(**values: str):
    return Settings.from_mapping(values).llm


def test_a_pseudonym_is_keyed_stable_and_hides_the_number():
    number = "whatsapp:+5215511112222"
    first = pseudonym(number, b"key-a")
    assert first == pseudonym(number, b"key-a") and len(first) == 18 and first.startswith("c-")
    assert first != pseudonym(number, b"key-b") != pseudonym("whatsapp:+5215511112223", b"key-a")
    assert "5511112222" not in first and all(char in "0123456789abcdef" for char in first[2:])


@pytest.mark.parametrize("model, expected", [
    ("gpt-4o-mini", (Decimal("0.00015"), Decimal("0.0006"))),
    ("gpt-4o-mini-2024-07-18", (Decimal("0.00015"), Decimal("0.0006"))),  # a snapshot takes its family's price
    ("gpt-4o", (Decimal("0.0025"), Decimal("0.01"))),
    ("llama3.1:8b", (Decimal("0.0025"), Decimal("0.01"))),  # unknown: the dearest listed unless priced in settings
])
def test_known_models_have_a_price_per_thousand_tokens(model, expected):
    assert prices(llm(OPENAI_MODEL=model)) == expected


def test_prices_in_settings_override_the_list():
    settings = llm(OPENAI_MODEL="gpt-4o-mini", LLM_PRICE_INPUT_PER_1K="0.001", LLM_PRICE_OUTPUT_PER_1K="0.002")
    usage = ModelUsage("gpt-4o-mini")
    usage.add_completion(SimpleNamespace(prompt_tokens=1500, completion_tokens=200))
    usage.add_completion(SimpleNamespace(prompt_tokens=500, completion_tokens=None))  # a server without usage
    usage.add_completion(None)
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (3, 2000, 200)
    assert usage.cost_usd(settings) == pytest.approx(2000 * 0.001 / 1000 + 200 * 0.002 / 1000)
    assert usage.as_metadata(settings)["cost_usd"] == pytest.approx(0.0024)


@pytest.mark.parametrize("name, value", [
    ("LLM_PRICE_INPUT_PER_1K", "barato"), ("LLM_PRICE_OUTPUT_PER_1K", "-0.1"), ("LLM_PRICE_INPUT_PER_1K", "5"),
    ("LLM_PRICE_OUTPUT_PER_1K", "nan"),
    ("METRICS", "maybe"),
])
def test_bad_observability_settings_are_refused_with_their_name(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_mapping({name: value})


def test_metrics_are_on_unless_switched_off():
    assert Settings.from_mapping({}).observability.enabled
    assert not Settings.from_mapping({"METRICS": "OFF"}).observability.enabled


TURN = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "¿tienen garantía?", "input_channel": "whatsapp",
     "parse_data": {"intent": {"name": "ask_dealer", "confidence": 0.87654321},
                    "entities": [{"entity": "brand", "value": "Mazda"}, {"entity": "year", "value": 2020}]}},
    {"event": "bot", "text": "Sí, 6 meses.", "metadata": {MODEL_USAGE_KEY: {
        "model": "gpt-4o-mini", "calls": 2, "prompt_tokens": 900, "completion_tokens": 40, "cost_usd": 0.000159,
        "latency_ms": 812.5, "outcome": "ok"}}},
    {"event": "action", "name": "action_fallback"},
    {"event": "user_featurization"},
    {"event": "bot", "text": "¿Algo más?"},
    {"event": "action", "name": "action_listen"},
]


def test_a_turn_is_summarized_from_its_events():
    summary = summarize_turn(TURN)
    assert (summary.channel, summary.intent, summary.confidence) == ("whatsapp", "ask_dealer", 0.8765)
    assert summary.entities == ["brand", "year"]  # names only: a value can be personal
    assert summary.actions == ["action_fallback"] and summary.fallback
    assert (summary.replies, summary.reply_chars) == (2, len("Sí, 6 meses.") + len("¿Algo más?"))
    assert summary.model == {"called": True, "name": "gpt-4o-mini", "calls": 2, "prompt_tokens": 900,
                             "completion_tokens": 40, "cost_usd": 0.000159, "outcome": "ok"}
    assert summary.model_ms == 812.5


def test_a_turn_without_the_model_or_a_user_message():
    summary = summarize_turn([{"event": "user", "parse_data": {}}, {"event": "action", "name": "utter_greet"}], "rest")
    assert summary.channel == "rest" and summary.intent == "none" and summary.confidence is None
    assert summary.model == {"called": False} and not summary.fallback and summary.model_ms == 0
    assert summarize_turn([{"event": "action", "name": "action_session_start"}]) is None


def test_a_session_id_is_its_start_in_milliseconds():
    assert session_id(1764078055.5) == format(1764078055500, "x")
    assert session_id(None) == "0"


def test_metrics_off_leaves_every_counter_untouched(monkeypatch):
    counter = Counter("dealer_test_switch_total", "test", registry=CollectorRegistry())
    monkeypatch.setattr(metrics, "enabled", lambda: False)
    metrics.count(counter, amount=3)
    assert counter._value.get() == 0
    monkeypatch.setattr(metrics, "enabled", lambda: True)
    metrics.count(counter, amount=3)
    assert counter._value.get() == 3


def test_the_page_lists_the_metrics_other_modules_use():
    page = metrics.exposition()[0].decode()
    for name in ("dealer_turn_seconds", "dealer_nps_responses_total", "dealer_lead_notifier_backlog",
                 "dealer_whatsapp_queue_depth", "dealer_model_cost_usd_total", "dealer_appointments_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in page


def test_worker_processes_sharing_a_directory_are_summed_on_one_page(tmp_path):
    """Several workers of one server (RASA_WORKERS): each counts in its own files, any of them serves the sum."""
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}
    count_one = "from dealer import metrics; metrics.count(metrics.LEADS, 'whatsapp')"
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", count_one], env=environment, check=True, timeout=60)
    page = subprocess.run(
        [sys.executable, "-c", "from dealer import metrics; print(metrics.exposition()[0].decode())"],
        env=environment, check=True, timeout=60, capture_output=True, text=True,
    ).stdout
    assert 'dealer_leads_total{channel="whatsapp"} 2.0' in page
