"""Times each turn on the Rasa server and writes its log line and metrics (dealer/observability, dealer/metrics).

Rasa 3.6 open source has no per-stage hooks, so `install()` wraps five coroutines of its MessageProcessor with
timers: handle_message (the turn), fetch_tracker_and_update_session (load, session start included), parse_message
(NLU), predict_next_with_tracker_if_should (policy, once per action), _run_action (the action, the action server's
HTTP round trip included) and save_tracker (save; it also hands us the finished tracker). The times go into the
turn's record, which lives in a context variable: one per turn, as one turn runs in one task.

The WhatsApp channel opens the record itself (`channel_turn`) around the turn and the sending of its replies, so
the line also has the time spent sending; every other channel's line is written when Rasa has the replies ready.
Installed by the metrics channel (connectors/metrics_channel.py) unless METRICS=off.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Optional

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from dealer import metrics
from dealer.observability.turns import log_turn, session_id, summarize_turn

logger = logging.getLogger(__name__)


@dataclass
class TurnRecord:
    channel: Optional[str] = None
    message_id: Optional[str] = None
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> time spent
    actions: list[tuple[str, float]] = field(default_factory=list)
    tracker: Optional[DialogueStateTracker] = None

    def add(self, stage: str, spent: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + spent

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)


_current: contextvars.ContextVar[Optional[TurnRecord]] = contextvars.ContextVar("dealer_turn", default=None)
_installed = False


def install() -> None:
    """Wrap the processor's stages with timers (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    MessageProcessor.handle_message = _turn(MessageProcessor.handle_message)
    MessageProcessor.fetch_tracker_and_update_session = _stage("load", MessageProcessor.fetch_tracker_and_update_session)
    MessageProcessor.parse_message = _stage("nlu", MessageProcessor.parse_message)
    MessageProcessor.predict_next_with_tracker_if_should = _policy(MessageProcessor.predict_next_with_tracker_if_should)
    MessageProcessor._run_action = _action(MessageProcessor._run_action)
    MessageProcessor.save_tracker = _save(MessageProcessor.save_tracker)


@contextmanager
def channel_turn(channel: str, message_id: Optional[str] = None) -> Iterator[Optional[TurnRecord]]:
    """A turn the channel finishes itself (it sends the replies): time the sending with `record.timing("send")`.
    Yields None when the observer is not installed (METRICS=off), or inside another turn."""
    if not _installed or _current.get() is not None:
        yield None
        return
    record = TurnRecord(channel=channel, message_id=message_id)
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)
        _finish(record)


def _turn(original: Callable) -> Callable:
    @functools.wraps(original)
    async def handle_message(self: MessageProcessor, message: Any, *args: Any, **kwargs: Any) -> Any:
        opened_by_channel = _current.get()
        record = opened_by_channel or TurnRecord(channel=message.input_channel, message_id=message.message_id)
        token = None if opened_by_channel else _current.set(record)
        try:
            with record.timing("total"):
                return await original(self, message, *args, **kwargs)
        finally:
            if token is not None:
                _current.reset(token)
                _finish(record)

    return handle_message


def _stage(stage: str, original: Callable) -> Callable:
    @functools.wraps(original)
    async def timed(self: MessageProcessor, *args: Any, **kwargs: Any) -> Any:
        record = _current.get()
        if record is None:
            return await original(self, *args, **kwargs)
        with record.timing(stage):
            return await original(self, *args, **kwargs)

    return timed


def _policy(original: Callable) -> Callable:
    @functools.wraps(original)
    def timed(self: MessageProcessor, *args: Any, **kwargs: Any) -> Any:
        record = _current.get()
        if record is None:
            return original(self, *args, **kwargs)
        with record.timing("policy"):
            return original(self, *args, **kwargs)

    return timed


def _action(original: Callable) -> Callable:
    @functools.wraps(original)
    async def timed(self: MessageProcessor, action: Any, *args: Any, **kwargs: Any) -> Any:
        record = _current.get()
        if record is None:
            return await original(self, action, *args, **kwargs)
        started = time.perf_counter()
        try:
            return await original(self, action, *args, **kwargs)
        finally:
            spent = time.perf_counter() - started
            record.add("actions", spent)
            record.actions.append((action.name(), spent))

    return timed


def _save(original: Callable) -> Callable:
    @functools.wraps(original)
    async def timed(self: MessageProcessor, tracker: DialogueStateTracker, *args: Any, **kwargs: Any) -> Any:
        record = _current.get()
        if record is None:
            return await original(self, tracker, *args, **kwargs)
        record.tracker = tracker
        with record.timing("save"):
            return await original(self, tracker, *args, **kwargs)

    return timed


def _finish(record: TurnRecord) -> None:
    """Write the turn's line and metrics; never lets a problem here reach the customer's turn."""
    if record.tracker is None:
        return  # no Rasa turn ran (a location or a media message on WhatsApp, or the turn failed)
    try:
        events, session_started_at = _latest_turn(record.tracker)
        summary = summarize_turn((event.as_dict() for event in events), default_channel=record.channel or "unknown")
        if summary is None:
            return
        stages = {stage: spent for stage, spent in record.seconds.items() if stage != "total"}
        total = record.seconds.get("total", 0.0)
        metrics.record_turn(summary.channel, summary.intent, total, stages, record.actions, summary.fallback)
        log_turn(summary, record.tracker.sender_id, session_id(session_started_at), record.message_id,
                 {"total": total * 1000, **{stage: spent * 1000 for stage, spent in stages.items()}})
    except Exception:  # observability must not break a turn
        logger.exception("the turn's log line and metrics could not be written")


def _latest_turn(tracker: DialogueStateTracker) -> tuple[list, Optional[float]]:
    """The events from the latest user message on, and when the session began."""
    events = list(tracker.events)
    start = None
    for index in range(len(events) - 1, -1, -1):
        if start is None and isinstance(events[index], UserUttered):
            start = index
        if isinstance(events[index], SessionStarted):
            return (events[start:] if start is not None else []), events[index].timestamp
    return (events[start:] if start is not None else []), None
