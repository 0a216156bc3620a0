"""One JSON log line per turn, built from the turn's Rasa events (as dicts) and the time each stage took.

The line carries no phone number and no message text: the customer is a keyed pseudonym (dealer/privacy.py),
entities are named without their values (a name or a phone number can be one). Written with structlog to the
`dealer.turns` logger, one JSON object per line on standard error, beside (not through) Rasa's own log format.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import structlog

from dealer.privacy import pseudonym

FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback"})
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
MODEL_USAGE_KEY = "model_usage"  # a reply's metadata key where the action server puts what the model cost


def session_id(session_started_at: Optional[float]) -> str:
    """A session's id within its conversation: its start time in milliseconds, hexadecimal ("0": none yet)."""
    return format(int((session_started_at or 0) * 1000), "x")


@dataclass
class TurnSummary:
    channel: str
    intent: str
    confidence: Optional[float]
    entities: list[str]
    actions: list[str]
    replies: int
    reply_chars: int
    model_usage: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def fallback(self) -> bool:
        return self.intent in FALLBACK_INTENTS or any(action in FALLBACK_ACTIONS for action in self.actions)

    @property
    def model(self) -> dict[str, Any]:
        if not self.model_usage:
            return {"called": False}
        return {
            "called": True,
            "name": self.model_usage[-1].get("model"),
            "calls": sum(_number(usage, "calls") for usage in self.model_usage),
            "prompt_tokens": sum(_number(usage, "prompt_tokens") for usage in self.model_usage),
            "completion_tokens": sum(_number(usage, "completion_tokens") for usage in self.model_usage),
            "cost_usd": round(sum(_number(usage, "cost_usd") for usage in self.model_usage), 8),
            "outcome": self.model_usage[-1].get("outcome"),
        }

    @property
    def model_ms(self) -> float:
        return sum(_number(usage, "latency_ms") for usage in self.model_usage)


def summarize_turn(events: Iterable[Mapping[str, Any]], default_channel: str = "unknown") -> Optional[TurnSummary]:
    """The turn's summary from its events (the user message and what followed), None without a user message."""
    summary: Optional[TurnSummary] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            summary = TurnSummary(
                channel=event.get("input_channel") or default_channel,
                intent=intent.get("name") or "none",
                confidence=round(float(intent["confidence"]), 4) if intent.get("confidence") is not None else None,
                entities=[entity.get("entity", "?") for entity in parse.get("entities") or []],
                actions=[], replies=0, reply_chars=0,
            )
        elif summary is None:
            continue
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            summary.actions.append(event["name"])
        elif kind == "bot":
            summary.replies += 1
            summary.reply_chars += len(event.get("text") or "")
            usage = (event.get("metadata") or {}).get(MODEL_USAGE_KEY)
            if isinstance(usage, Mapping):
                summary.model_usage.append(usage)
    return summary


def _number(values: Mapping[str, Any], key: str) -> float:
    value = values.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _turn_logger() -> structlog.BoundLogger:
    # A logger of its own, not Rasa's structlog configuration: one JSON object per line, nothing around it.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    stdlib = logging.getLogger("dealer.turns")
    stdlib.handlers[:] = [handler]
    stdlib.setLevel(logging.INFO)
    stdlib.propagate = False
    return structlog.wrap_logger(
        stdlib,
        processors=[structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
                    structlog.processors.JSONRenderer(ensure_ascii=False)],
        wrapper_class=structlog.BoundLogger,
    )


_LOGGER: Optional[structlog.BoundLogger] = None


def log_turn(summary: TurnSummary, sender_id: str, session: str, message_id: Optional[str],
             milliseconds: Mapping[str, float]) -> None:
    global _LOGGER
    if _LOGGER is None:
        _LOGGER = _turn_logger()
    _LOGGER.info(
        "turn",
        channel=summary.channel,
        customer=pseudonym(sender_id),
        session=session,
        message_id=message_id,
        intent=summary.intent,
        confidence=summary.confidence,
        entities=summary.entities,
        actions=summary.actions,
        fallback=summary.fallback,
        model=summary.model,
        replies=summary.replies,
        reply_chars=summary.reply_chars,
        ms={**{stage: round(spent, 1) for stage, spent in milliseconds.items()}, "model": round(summary.model_ms, 1)},
    )
