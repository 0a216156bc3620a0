"""Every Prometheus metric of the assistant, in one place, and the `/metrics` page of either server.

Both servers import this module; each serves the metrics it updates (a metric a server never touches shows no
samples there). With PROMETHEUS_MULTIPROC_DIR set (several worker processes) prometheus_client keeps the values in
files in that directory and the page sums them over the workers; it must be set before this module is imported,
which the process environment guarantees (testing/servers.py, the container's environment).
With METRICS=off the record_* functions return at once (the bench compares both settings).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Optional

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from dealer.settings import get_settings

SECONDS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13)
TURN_STAGES = ("load", "nlu", "policy", "actions", "save", "send")

# Rasa server: turns and their stages (connectors/turn_observer.py)
TURN_SECONDS = Histogram("dealer_turn_seconds", "Time the Rasa server spent on a turn, message in to replies ready",
                         ["channel", "intent"], buckets=SECONDS)
TURN_STAGE_SECONDS = Histogram("dealer_turn_stage_seconds", "Time of each stage of a turn (load, nlu, policy, "
                               "actions, save; send on WhatsApp)", ["stage"], buckets=SECONDS)
ACTION_SECONDS = Histogram("dealer_action_seconds", "Time to run one action, seen from the Rasa server",
                           ["action"], buckets=SECONDS)
FALLBACKS = Counter("dealer_fallbacks_total", "Turns answered by the open-answer fallback", ["channel"])

# Rasa server: the WhatsApp channel (connectors/whatsapp.py, connectors/twilio_sender.py)
WHATSAPP_ACK_SECONDS = Histogram("dealer_whatsapp_ack_seconds", "Time to answer Twilio's webhook request",
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15))
WHATSAPP_QUEUE_DEPTH = Gauge("dealer_whatsapp_queue_depth", "WhatsApp messages accepted and not yet answered",
                             multiprocess_mode="livesum")
WHATSAPP_SEND_RETRIES = Counter("dealer_whatsapp_send_retries_total", "WhatsApp replies retried after a failure")
WHATSAPP_SEND_FAILURES = Counter("dealer_whatsapp_send_failures_total", "WhatsApp replies given up on")

# Action server: the chat model (actions/fallback_actions.py)
MODEL_CALLS = Counter("dealer_model_calls_total", "Chat completion requests", ["model"])
MODEL_TOKENS = Counter("dealer_model_tokens_total", "Tokens billed", ["model", "kind"])
MODEL_COST = Counter("dealer_model_cost_usd_total", "Model cost in USD", ["model"])
MODEL_ERRORS = Counter("dealer_model_errors_total", "Open answers whose model reply was not used, but timeouts",
                       ["reason"])
MODEL_TIMEOUTS = Counter("dealer_model_timeouts_total", "Open answers the model did not give in LLM_TIMEOUT_SECONDS")
MODEL_SECONDS = Histogram("dealer_model_seconds", "Time the model took for one open answer (tool rounds included)",
                          buckets=SECONDS)

# Action server: outcomes (hand-offs and appointments: counted by those flows when they arrive)
HANDOFFS = Counter("dealer_handoffs_total", "Conversations handed to a person", ["channel"])
LEADS = Counter("dealer_leads_total", "Leads stored for the sales team", ["channel"])
PLANS = Counter("dealer_plans_total", "Financing plans shown", ["channel"])
APPOINTMENTS = Counter("dealer_appointments_total", "Appointments booked", ["channel"])
NPS_RESPONSES = Counter("dealer_nps_responses_total", "NPS answers, by score 0-10", ["score"])
LEAD_NOTIFIER_BACKLOG = Gauge("dealer_lead_notifier_backlog", "Leads waiting to be announced to the sales team",
                              multiprocess_mode="max")


@lru_cache(maxsize=1)
def enabled() -> bool:
    return get_settings().observability.enabled


def exposition(registry: Optional[CollectorRegistry] = None) -> tuple[bytes, str]:
    """The /metrics page (body, content type): this process's metrics, or every worker's when they share a directory."""
    if registry is None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        else:
            registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def record_turn(channel: str, intent: str, seconds: float, stages: dict[str, float], actions: list[tuple[str, float]],
                fallback: bool) -> None:
    if not enabled():
        return
    TURN_SECONDS.labels(channel, intent).observe(seconds)
    for stage, spent in stages.items():
        TURN_STAGE_SECONDS.labels(stage).observe(spent)
    for action, spent in actions:
        ACTION_SECONDS.labels(action).observe(spent)
    if fallback:
        FALLBACKS.labels(channel).inc()


def record_model_answer(model: str, calls: int, prompt_tokens: int, completion_tokens: int, cost_usd: float,
                        seconds: float, outcome: str) -> None:
    if not enabled():
        return
    MODEL_CALLS.labels(model).inc(calls)
    MODEL_TOKENS.labels(model, "prompt").inc(prompt_tokens)
    MODEL_TOKENS.labels(model, "completion").inc(completion_tokens)
    MODEL_COST.labels(model).inc(cost_usd)
    MODEL_SECONDS.observe(seconds)
    if outcome == "timeout":
        MODEL_TIMEOUTS.inc()
    elif outcome != "ok":
        MODEL_ERRORS.labels(outcome.split(":")[0]).inc()


def count(counter: Counter, *labels: str, amount: float = 1) -> None:
    """counter(labels) += amount, unless METRICS=off."""
    if enabled():
        (counter.labels(*labels) if labels else counter).inc(amount)


def set_gauge(gauge: Gauge, value: float) -> None:
    if enabled():
        gauge.set(value)


def observe(histogram: Histogram, seconds: float) -> None:
    if enabled():
        histogram.observe(seconds)
