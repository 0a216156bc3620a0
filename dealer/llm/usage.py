"""What the chat model cost: tokens of every completion of one open answer, their price, and one `llm_usage` row
per answer that reached the model, so the report can sum cost per conversation and per lead.

Prices are USD per 1,000 tokens: LLM_PRICE_INPUT_PER_1K / LLM_PRICE_OUTPUT_PER_1K when set, else the list below
for the model's name (a dated snapshot such as gpt-4o-mini-2024-07-18 takes its family's price), else the
dearest listed price."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, String
from sqlalchemy.exc import SQLAlchemyError

from dealer import metrics
from dealer.database import Base, session_scope
from dealer.settings import LlmSettings

logger = logging.getLogger(__name__)

# (input, output) USD per 1,000 tokens, from the providers' price pages (November 2026).
KNOWN_PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o-mini": (Decimal("0.00015"), Decimal("0.0006")),
    "gpt-4o": (Decimal("0.0025"), Decimal("0.01")),
    "gpt-4.1-nano": (Decimal("0.0001"), Decimal("0.0004")),
    "gpt-4.1-mini": (Decimal("0.0004"), Decimal("0.0016")),
    "gpt-4.1": (Decimal("0.002"), Decimal("0.008")),
    "gpt-3.5-turbo": (Decimal("0.0005"), Decimal("0.0015")),
}


def prices(llm: LlmSettings) -> tuple[Decimal, Decimal]:
    """(input, output) USD per 1,000 tokens for the configured model. A model not listed is priced as the dearest
    listed one, so the daily budget (LLM_DAILY_BUDGET_USD) errs on the safe side; set the LLM_PRICE_* variables
    (0 for a server of your own) to price it exactly."""
    listed = max(KNOWN_PRICES.values())
    # The longest listed name the model starts with: gpt-4o-mini-2024-07-18 is gpt-4o-mini, not gpt-4o.
    for name in sorted(KNOWN_PRICES, key=len, reverse=True):
        if llm.model == name or llm.model.startswith(name + "-"):
            listed = KNOWN_PRICES[name]
            break
    return (
        llm.price_input_per_1k if llm.price_input_per_1k is not None else listed[0],
        llm.price_output_per_1k if llm.price_output_per_1k is not None else listed[1],
    )


@dataclass
class ModelUsage:
    """Every completion one open answer asked for (tool rounds included); filled in as they come back."""

    model: str
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    outcome: str = "ok"  # ok, or why the answer was not used (timeout, rate_limited, not_spanish...)

    def add_completion(self, usage: Any) -> None:
        """One more completion; `usage` is the response's usage object (None when the server sent none)."""
        self.calls += 1
        self.prompt_tokens += getattr(usage, "prompt_tokens", None) or 0
        self.completion_tokens += getattr(usage, "completion_tokens", None) or 0

    def cost_usd(self, llm: LlmSettings) -> float:
        price_in, price_out = prices(llm)
        return float((self.prompt_tokens * price_in + self.completion_tokens * price_out) / 1000)

    def as_metadata(self, llm: LlmSettings) -> dict[str, Any]:
        """The form the Rasa server reads back from the reply's metadata (dealer/observability/turns.py)."""
        return {
            "model": self.model, "calls": self.calls, "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "cost_usd": round(self.cost_usd(llm), 8),
            "latency_ms": round(self.seconds * 1000, 1), "outcome": self.outcome,
        }


class LlmUsage(Base):
    """One row per open answer that called the model. Erased with the customer (dealer/customer_data.py)."""

    __tablename__ = "llm_usage"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)  # Rasa's sender id, as leads.customer_id
    session_id = Column(String(32), nullable=False)  # dealer.observability.turns.session_id
    channel = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    model = Column(String(100), nullable=False)
    calls = Column(Integer, nullable=False)
    prompt_tokens = Column(Integer, nullable=False)
    completion_tokens = Column(Integer, nullable=False)
    cost_usd = Column(Float, nullable=False)
    latency_ms = Column(Integer, nullable=False)
    outcome = Column(String(40), nullable=False)


def record_usage(database_url: str, usage: ModelUsage, llm: LlmSettings, conversation_id: str, session_id: str,
                 channel: str) -> None:
    with session_scope(database_url) as session:
        session.add(LlmUsage(
            conversation_id=conversation_id, session_id=session_id, channel=channel[:40],
            created_at=datetime.now(timezone.utc), model=usage.model[:100], calls=usage.calls,
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
            cost_usd=usage.cost_usd(llm), latency_ms=round(usage.seconds * 1000), outcome=usage.outcome[:40],
        ))


def account(usage: ModelUsage, llm: LlmSettings, database_url: str, conversation_id: str, session_id: str,
            channel: str) -> dict[str, Any]:
    """Store the answer's usage, count it in the metrics; what the Rasa server's turn line shows of it."""
    cost = usage.cost_usd(llm)
    metrics.record_model_answer(usage.model, usage.calls, usage.prompt_tokens, usage.completion_tokens, cost,
                                usage.seconds, usage.outcome)
    try:
        record_usage(database_url, usage, llm, conversation_id, session_id, channel)
    except SQLAlchemyError:
        logger.exception("the model's usage could not be stored; the reply goes out anyway")
    return usage.as_metadata(llm)
