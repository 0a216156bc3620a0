"""Sends WhatsApp messages through Twilio's Messages API with the twilio SDK's asynchronous client.

Never blocks the event loop and retries, with exponential backoff, only a send that cannot have gone out: a 429
(Twilio refused it) or a connection that could not be opened. A 5xx, a timeout or a connection lost after the
request was sent may have created the message already: retrying it could text the customer twice, so it is logged
and given up. Never raises into the channel.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Optional

import aiohttp

# The SDK imports its API modules on the client's first `.messages`, which takes about a second and would stall
# the event loop (and every acknowledgement) under the first customer's reply: import them with the server instead.
import twilio.rest.api  # noqa: F401
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from dealer import metrics
from dealer.settings import TwilioSettings

logger = logging.getLogger(__name__)

TWILIO_API_HOST = "https://api.twilio.com"


class _RebasedHttpClient(AsyncTwilioHttpClient):
    """The SDK's aiohttp client, pointed at TWILIO_API_BASE_URL (a region, a proxy or a local test server)."""

    def __init__(self, base_url: str, timeout_seconds: float):
        super().__init__(timeout=timeout_seconds)
        self.base_url = base_url.rstrip("/")

    async def request(self, method: str, url: str, *args, timeout: Optional[float] = None, **kwargs) -> Response:
        if url.startswith(TWILIO_API_HOST):
            url = self.base_url + url[len(TWILIO_API_HOST):]
        return await super().request(method, url, *args, timeout=timeout or self.timeout, **kwargs)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    first_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.max_delay_seconds, self.first_delay_seconds * 2 ** (attempt - 1))


class TwilioSender:
    def __init__(
        self,
        settings: TwilioSettings,
        status_callback_url: Optional[str] = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout_seconds: float = 10.0,
    ):
        self.settings = settings
        self.status_callback_url = status_callback_url
        self.retry = retry
        self.timeout_seconds = timeout_seconds
        self._client: Optional[Client] = None

    def _twilio(self) -> Client:
        # Made inside the running event loop that its aiohttp session belongs to.
        if self._client is None:
            self._client = Client(
                self.settings.account_sid,
                self.settings.auth_token,
                http_client=_RebasedHttpClient(self.settings.api_base_url, self.timeout_seconds),
            )
        return self._client

    async def send(self, to: str, body: str, media_url: Optional[str] = None) -> Optional[str]:
        """The new message's SID, or None when it could not be sent (logged)."""
        if not self.settings.can_send:
            logger.warning("WhatsApp reply to %s not sent: TWILIO_ACCOUNT_SID/AUTH_TOKEN/WHATSAPP_FROM are not set", to)
            return None
        options = {"from_": self.settings.whatsapp_from, "to": to, "body": body}
        if media_url:
            options["media_url"] = [media_url]
        if self.status_callback_url:
            options["status_callback"] = self.status_callback_url
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                message = await self._twilio().messages.create_async(**options)
                return message.sid
            except TwilioRestException as problem:
                retriable = problem.status == 429
                reason = f"HTTP {problem.status}: {problem.msg}"
            except aiohttp.ClientConnectorError as problem:  # no connection: nothing was sent
                retriable, reason = True, f"{type(problem).__name__}: {problem}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
                retriable, reason = False, f"{type(problem).__name__}: {problem}"
            if not retriable or attempt == self.retry.max_attempts:
                metrics.count(metrics.WHATSAPP_SEND_FAILURES)
                logger.error("WhatsApp reply to %s given up after %d attempt(s): %s", to, attempt, reason)
                return None
            delay = self.retry.delay(attempt)
            metrics.count(metrics.WHATSAPP_SEND_RETRIES)
            logger.warning("WhatsApp reply to %s failed (%s); retry %d in %.1f s", to, reason, attempt, delay)
            await asyncio.sleep(delay)
        return None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None
