"""The report's figures, computed from plain records (no database, no Rasa): conversations, funnel, latency, the
model's share and cost, unanswered questions, NPS and leads."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Optional

from dealer.text import fold

# Funnel stages and the actions that mean a session reached them. Booking and hand-off actions do not exist yet;
# their names are listed so the report counts them as soon as they do.
FUNNEL_STAGES: tuple[tuple[str, frozenset[str]], ...] = (
    ("búsqueda", frozenset({"action_search_cars", "action_list_brands"})),
    ("detalles", frozenset({"action_car_details"})),
    ("plan", frozenset({"action_financing_plan"})),
    ("cita", frozenset({"action_book_appointment", "action_book_test_drive", "appointment_form"})),
    ("asesor", frozenset({"action_handoff", "action_hand_off", "action_human_handoff"})),
)
MODEL_ACTION = "action_fallback"  # the open answer: the only action that may call the model
_IGNORED_ACTIONS = frozenset({"action_listen", "action_session_start"})


@dataclass(frozen=True)
class Event:
    """One row of Rasa's tracker store, reduced to what the report reads."""

    sender_id: str
    type_name: str  # "user", "bot", "action", "session_started", ...
    timestamp: float  # seconds since the epoch
    action_name: Optional[str] = None
    text: Optional[str] = None


@dataclass(frozen=True)
class LeadRecord:
    customer_id: str
    brand: str
    created_at: datetime


@dataclass(frozen=True)
class NpsRecord:
    customer_id: str
    channel: str
    asked_at: datetime
    score: Optional[int]
    comment: Optional[str]


@dataclass(frozen=True)
class UsageRecord:
    """One model call, from the `llm_usage` table when the project records it."""

    customer_id: str
    at: datetime
    cost_usd: float
    prompt_tokens: int
    completion_tokens: int


@dataclass
class Turn:
    sender_id: str
    session: int
    at: float
    text: str
    actions: list[str] = field(default_factory=list)
    last_reply_at: Optional[float] = None

    @property
    def latency_ms(self) -> Optional[float]:
        return None if self.last_reply_at is None else (self.last_reply_at - self.at) * 1000

    @property
    def reached_model(self) -> bool:
        return MODEL_ACTION in self.actions


def turns_of(events: Iterable[Event]) -> list[Turn]:
    """Each user message with the actions and replies that followed it, by conversation and session."""
    by_sender: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_sender[event.sender_id].append(event)
    turns: list[Turn] = []
    for sender, sender_events in by_sender.items():
        session, current = 0, None
        for event in sorted(sender_events, key=lambda item: item.timestamp):
            if event.type_name == "session_started":
                session, current = session + 1, None
            elif event.type_name == "user":
                current = Turn(sender, session, event.timestamp, event.text or "")
                turns.append(current)
            elif current is not None and event.type_name == "bot":
                current.last_reply_at = event.timestamp
            elif current is not None and event.type_name == "action" and event.action_name not in _IGNORED_ACTIONS:
                current.actions.append(event.action_name or "")
    return sorted(turns, key=lambda turn: turn.at)


def day_of(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, timezone.utc).date()


def conversations_per_day(turns: Sequence[Turn]) -> dict[date, int]:
    """Sessions with at least one customer message, by the day of their first message (UTC)."""
    first: dict[tuple[str, int], float] = {}
    for turn in turns:
        first.setdefault((turn.sender_id, turn.session), turn.at)
    return dict(sorted(Counter(day_of(at) for at in first.values()).items()))


def funnel(turns: Sequence[Turn]) -> list[tuple[str, int]]:
    """How many sessions reached each stage (a session counts at every stage it reached)."""
    reached: dict[str, set[tuple[str, int]]] = {stage: set() for stage, _ in FUNNEL_STAGES}
    for turn in turns:
        for stage, actions in FUNNEL_STAGES:
            if actions.intersection(turn.actions):
                reached[stage].add((turn.sender_id, turn.session))
    return [(stage, len(reached[stage])) for stage, _ in FUNNEL_STAGES]


def percentile(values: Sequence[float], share: float) -> Optional[float]:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def latency_ms(turns: Sequence[Turn]) -> tuple[Optional[float], Optional[float]]:
    """p50 and p95 of user message → last bot reply, over the turns that got a reply."""
    values = [turn.latency_ms for turn in turns if turn.latency_ms is not None]
    return percentile(values, 0.5), percentile(values, 0.95)


def latency_by_day(turns: Sequence[Turn]) -> dict[date, tuple[float, float]]:
    values: dict[date, list[float]] = defaultdict(list)
    for turn in turns:
        if turn.latency_ms is not None:
            values[day_of(turn.at)].append(turn.latency_ms)
    return {day: (percentile(v, 0.5), percentile(v, 0.95)) for day, v in sorted(values.items())}


def model_share(turns: Sequence[Turn]) -> float:
    return sum(turn.reached_model for turn in turns) / len(turns) if turns else 0.0


@dataclass(frozen=True)
class UnansweredQuestion:
    text: str  # the folded form the questions were grouped by
    count: int
    examples: tuple[str, ...]


def unanswered_questions(turns: Sequence[Turn], top: int = 10, examples: int = 3) -> list[UnansweredQuestion]:
    """The messages that went to the fallback (no intent covered them), grouped by their folded text."""
    groups: dict[str, list[str]] = defaultdict(list)
    for turn in turns:
        if turn.reached_model and turn.text.strip():
            groups[fold(turn.text)].append(turn.text.strip())
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    return [
        UnansweredQuestion(key, len(texts), tuple(dict.fromkeys(texts))[:examples]) for key, texts in ranked
    ]


def nps_score(scores: Sequence[int]) -> Optional[float]:
    """% promoters (9-10) minus % detractors (0-6), from -100 to 100; None without answers."""
    if not scores:
        return None
    promoters = sum(score >= 9 for score in scores)
    detractors = sum(score <= 6 for score in scores)
    return 100 * (promoters - detractors) / len(scores)


def nps_by_week(records: Sequence[NpsRecord]) -> dict[date, tuple[float, int]]:
    """NPS and the number of answers, by the Monday of the week the question was asked."""
    weeks: dict[date, list[int]] = defaultdict(list)
    for record in records:
        if record.score is not None:
            day = record.asked_at.date()
            weeks[date.fromordinal(day.toordinal() - day.weekday())].append(record.score)
    return {week: (nps_score(scores), len(scores)) for week, scores in sorted(weeks.items())}


def leads_by_brand(leads: Sequence[LeadRecord]) -> list[tuple[str, int]]:
    return sorted(Counter(lead.brand for lead in leads).items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Cost:
    total_usd: float
    calls: int
    per_conversation_usd: Optional[float]
    per_lead_usd: Optional[float]


def model_cost(usage: Optional[Sequence[UsageRecord]], conversations: int, leads: int) -> Optional[Cost]:
    """None when the model's usage is not recorded at all (no `llm_usage` table)."""
    if usage is None:
        return None
    total = sum(record.cost_usd for record in usage)
    return Cost(
        total_usd=total,
        calls=len(usage),
        per_conversation_usd=total / conversations if conversations else None,
        per_lead_usd=total / leads if leads else None,
    )
