"""Announces stored leads to NOTIFY_WEBHOOK_URL in the background, with retries and exponential backoff.

The customer's turn only stores the lead (see store.py); this worker, running inside the action server, sends
whatever is due, so a slow or failing receiver never touches a reply, and leads still pending when the server
stopped are sent after it starts again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Optional

import aiohttp
from sqlalchemy.exc import SQLAlchemyError

from dealer.leads.store import LeadNotice, LeadStore, utc_now

logger = logging.getLogger(__name__)


class LeadNotifier:
    def __init__(
        self,
        store: LeadStore,
        webhook_url: str,
        *,
        timeout: float = 5.0,
        max_attempts: int = 8,
        first_retry_delay: float = 2.0,
        max_retry_delay: float = 600.0,
        idle_poll: float = 60.0,
    ):
        self.store = store
        self.webhook_url = webhook_url
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.first_retry_delay = first_retry_delay
        self.max_retry_delay = max_retry_delay
        self.idle_poll = idle_poll
        self._wake: Optional[asyncio.Event] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def wake(self) -> None:
        """Ask the worker to look for due leads now; safe from any thread."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def retry_delay(self, attempts_made: int) -> float:
        return min(self.max_retry_delay, self.first_retry_delay * 2 ** (attempts_made - 1))

    async def run(self) -> None:
        """Deliver due leads until cancelled."""
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http:
            while True:
                self._wake.clear()
                try:
                    await self.deliver_due(http)
                    pause = await self._pause_until_next_due()
                except SQLAlchemyError:
                    logger.exception("lead notifier could not read the lead store; retrying in %.0f s", self.idle_poll)
                    pause = self.idle_poll
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=pause)
                except asyncio.TimeoutError:
                    pass

    async def deliver_due(self, http: aiohttp.ClientSession) -> int:
        """Send every lead that is due now; returns how many were delivered."""
        notices = await asyncio.to_thread(self.store.due, utc_now())
        delivered = await asyncio.gather(*(self._deliver(http, notice) for notice in notices))
        return sum(delivered)

    async def _pause_until_next_due(self) -> float:
        next_at = await asyncio.to_thread(self.store.next_attempt_at)
        if next_at is None:
            return self.idle_poll
        return min(self.idle_poll, max(0.0, (next_at - utc_now()).total_seconds()))

    async def _deliver(self, http: aiohttp.ClientSession, notice: LeadNotice) -> bool:
        try:
            async with http.post(self.webhook_url, json=notice.payload) as response:
                if 200 <= response.status < 300:
                    await asyncio.to_thread(self.store.mark_sent, notice.id)
                    logger.info("lead %s announced to the sales team", notice.id)
                    return True
                error = f"HTTP {response.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
            error = f"{type(failure).__name__}: {failure}".rstrip(": ")
        attempts = notice.attempts + 1
        if attempts >= self.max_attempts:
            logger.error("lead %s: giving up on its notification after %d attempts (%s); it stays stored",
                         notice.id, attempts, error)
            retry_at = None
        else:
            delay = self.retry_delay(attempts)
            logger.warning("lead %s: notification attempt %d failed (%s); retrying in %.1f s", notice.id, attempts, error, delay)
            retry_at = utc_now() + timedelta(seconds=delay)
        await asyncio.to_thread(self.store.mark_failed_attempt, notice.id, error, retry_at)
        return False
