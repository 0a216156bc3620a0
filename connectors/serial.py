"""Jobs run one at a time per key (a customer), in the order they were submitted; different keys run concurrently."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


# A customer with this many messages waiting is flooding: later ones are dropped (the rate limit answers them).
MAX_QUEUED_PER_KEY = 20


class SerialQueues:
    def __init__(self, max_queued_per_key: int = MAX_QUEUED_PER_KEY) -> None:
        self.max_queued_per_key = max_queued_per_key
        self._queues: dict[str, deque[Job]] = {}
        self._workers: dict[str, asyncio.Task] = {}

    def has_room(self, key: str) -> bool:
        return len(self._queues.get(key, ())) < self.max_queued_per_key

    def submit(self, key: str, job: Job) -> None:
        """Queue `job` behind the key's earlier jobs; must be called from the event loop."""
        self._queues.setdefault(key, deque()).append(job)
        if key not in self._workers:
            self._workers[key] = asyncio.get_running_loop().create_task(self._drain(key))

    async def _drain(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except Exception:  # one failed job must not stall the customer's later messages
                    logger.exception("a queued job for %s failed", key)
        finally:
            # No await between the last emptiness check and here, so no job can slip in unnoticed.
            del self._queues[key], self._workers[key]

    @property
    def busy_keys(self) -> int:
        return len(self._workers)

    async def join(self) -> None:
        """Wait until every queued job has run (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
