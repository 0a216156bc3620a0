"""Announces stored leads and sales notices to NOTIFY_WEBHOOK_URL in the background, with retries and backoff.

The customer's turn only stores the row (see store.py, notices.py); this worker, running inside each action server,
sends whatever is due, so a slow or failing receiver never touches a reply, and rows still pending when a server
stopped are sent after it starts again. Several action servers share the work: each row is claimed before it is
sent (outbox.OutboxStore.claim_due), so one replica announces it. Retries back off up to `max_retry_delay` and go on
at that pace until the receiver takes the row or the row is older than `max_age` (then it stays stored, marked
failed). The receiver should still treat the row's kind and id as its key: a server that dies between the
receiver's 2xx and marking the row sent announces it again once its claim lapses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Optional

import aiohttp
from prometheus_client import Gauge

from dealer.leads.outbox import OutboxNotice, OutboxStore, utc_now

logger = logging.getLogger(__name__)

BACKLOG = Gauge(
    "dealer_lead_notifications_pending", "Leads and sales notices whose announcement to the sales team is not delivered yet",
    multiprocess_mode="livemax",
)


class LeadNotifier:
    def __init__(
        self,
        stores: Sequence[OutboxStore],
        webhook_url: str,
        *,
        timeout: float = 5.0,
        first_retry_delay: float = 2.0,
        max_retry_delay: float = 600.0,
        max_age: timedelta = timedelta(hours=72),
        idle_poll: float = 60.0,
        claim_seconds: float = 60.0,
    ):
        self.stores = tuple(stores)
        self.webhook_url = webhook_url
        self.timeout = timeout
        self.first_retry_delay = first_retry_delay
        self.max_retry_delay = max_retry_delay
        self.max_age = max_age
        self.idle_poll = idle_poll
        self.claim_seconds = max(claim_seconds, timeout * 2)  # a claim outlives the send it covers
        self._wake: Optional[asyncio.Event] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stopping = False

    def wake(self) -> None:
        """Ask the worker to look for due rows now; safe from any thread."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        """Finish the deliveries under way, claim nothing more, and let run() return."""
        self._stopping = True
        self.wake()

    def retry_delay(self, attempts_made: int) -> float:
        return min(self.max_retry_delay, self.first_retry_delay * 2 ** (attempts_made - 1))

    async def run(self) -> None:
        """Deliver due rows until stop() or cancellation."""
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self.deliver_due(http)
                    pause = await self._pause_until_next_due()
                    BACKLOG.set(await asyncio.to_thread(self._backlog))
                except Exception:  # the database away, a bug: log it and keep the worker alive
                    logger.exception("lead notifier: a round failed; trying again in %.0f s", self.idle_poll)
                    pause = self.idle_poll
                if self._stopping:
                    break
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=pause)
                except asyncio.TimeoutError:
                    pass

    async def deliver_due(self, http: aiohttp.ClientSession) -> int:
        """Claim and send every row that is due now, in every store; returns how many were delivered."""
        sending = []
        for store in self.stores:
            notices = await asyncio.to_thread(store.claim_due, utc_now(), self.claim_seconds)
            sending += [self._deliver(http, store, notice) for notice in notices]
        return sum(await asyncio.gather(*sending))

    def _backlog(self) -> int:
        return sum(store.backlog() for store in self.stores)

    def _next_attempt_at(self) -> Optional[datetime]:
        moments = [moment for moment in (store.next_attempt_at() for store in self.stores) if moment is not None]
        return min(moments, default=None)

    async def _pause_until_next_due(self) -> float:
        next_at = await asyncio.to_thread(self._next_attempt_at)
        if next_at is None:
            return self.idle_poll
        return min(self.idle_poll, max(0.0, (next_at - utc_now()).total_seconds()))

    async def _deliver(self, http: aiohttp.ClientSession, store: OutboxStore, notice: OutboxNotice) -> bool:
        try:
            async with http.post(self.webhook_url, json=notice.payload) as response:
                if 200 <= response.status < 300:
                    await asyncio.to_thread(store.mark_sent, notice.id)
                    logger.info("%s %s announced to the sales team", store.label, notice.id)
                    return True
                error = f"HTTP {response.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
            error = f"{type(failure).__name__}: {failure}".rstrip(": ")
        attempts = notice.attempts + 1
        if utc_now() - notice.created_at > self.max_age:
            logger.error("%s %s: giving up on its notification after %d attempts over %s (%s); it stays stored",
                         store.label, notice.id, attempts, self.max_age, error)
            retry_at = None
        else:
            delay = self.retry_delay(attempts)
            logger.warning("%s %s: notification attempt %d failed (%s); retrying in %.1f s",
                           store.label, notice.id, attempts, error, delay)
            retry_at = utc_now() + timedelta(seconds=delay)
        await asyncio.to_thread(store.mark_failed_attempt, notice.id, error, retry_at)
        return False
