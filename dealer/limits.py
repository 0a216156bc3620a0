"""Limits applied before any work: messages per customer and minute, model calls per customer and hour, and the
bot's model spend per day.

`RateLimiter` is the interface; `MemoryRateLimiter` counts within one process, `RedisRateLimiter` across every
process that shares a Redis (RASA_WORKERS > 1, replicas). Both are fixed windows: cheap (one counter per customer
and window) and good enough to stop a flood; a burst at a window's edge can reach twice the limit at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Protocol

from dealer.privacy import erasure_key

RATE_LIMITED_REPLY = (
    "¡Vas muy rápido! 😅 Dame un momento para ponerme al día y escríbeme de nuevo en un minuto, por favor."
)
# Beyond this many distinct customers in one window the oldest windows are dropped first (memory stays bounded).
MAX_TRACKED_KEYS = 100_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # this request's position in the window (1 = first)
    limit: int

    @property
    def first_refusal(self) -> bool:
        """The first request over the limit in this window: the one worth a polite reply."""
        return self.count == self.limit + 1


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        """Count one request for `key`; allowed while the window's count is within `limit`."""


class MemoryRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window number, count)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        window = int(self.clock() // window_seconds)
        with self._lock:
            current, count = self._windows.get(key, (window, 0))
            count = count + 1 if current == window else 1
            self._windows.pop(key, None)  # re-inserted last: the dict stays ordered oldest first
            self._windows[key] = (window, count)
            if len(self._windows) > MAX_TRACKED_KEYS:
                del self._windows[next(iter(self._windows))]
        return Decision(count <= limit, count, limit)


class RedisRateLimiter:
    """One INCR per request on `<prefix><key hash>:<window>`, expiring with its window."""

    def __init__(self, client, prefix: str = "ratelimit:", clock: Callable[[], float] = time.time):
        self.client = client
        self.prefix = prefix
        self.clock = clock

    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        window = int(self.clock() // window_seconds)
        name = f"{self.prefix}{erasure_key(key)[:32]}:{window}"
        with self.client.pipeline() as pipeline:
            count, _ = pipeline.incr(name).expire(name, int(window_seconds) + 1).execute()
        return Decision(count <= limit, int(count), limit)


def message_limit(limiter: RateLimiter, customer_id: str, per_minute: int) -> Decision:
    return limiter.hit(f"messages:{customer_id}", per_minute, 60)


def llm_call_limit(limiter: RateLimiter, customer_id: str, per_hour: int) -> Decision:
    return limiter.hit(f"llm:{customer_id}", per_hour, 3600)


class DailySpend:
    """The model spend of the current UTC day in this process; past the budget, no more model calls today."""

    def __init__(self, budget_usd: float, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.budget_usd = budget_usd
        self.clock = clock
        self._day: Optional[str] = None
        self._spent = 0.0
        self._lock = threading.Lock()

    def _today(self) -> None:
        day = self.clock().date().isoformat()
        if day != self._day:
            self._day, self._spent = day, 0.0

    def exhausted(self) -> bool:
        with self._lock:
            self._today()
            return self._spent >= self.budget_usd

    def add(self, usd: float) -> None:
        with self._lock:
            self._today()
            self._spent += max(0.0, usd)

    @property
    def spent_usd(self) -> float:
        with self._lock:
            self._today()
            return self._spent
