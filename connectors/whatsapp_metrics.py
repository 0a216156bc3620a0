"""The WhatsApp channel's metrics: how fast Twilio gets its answer, how many messages wait, how long replies take
to send (dealer/metrics.py). Kept apart so connectors/whatsapp.py only calls three functions."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from typing import Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.turn_observer import TurnRecord
from dealer import metrics

WEBHOOK_PATH_END = "/webhook"


def time_acknowledgements(webhook: Blueprint) -> None:
    """Observe the time from Twilio's request to our answer, on the message webhook only (Sanic runs a
    blueprint's middleware for its own routes)."""

    @webhook.middleware("request")
    async def started(request: Request) -> None:
        request.ctx.received_at = time.perf_counter()

    @webhook.middleware("response")
    async def answered(request: Request, _: HTTPResponse) -> None:
        received_at: Optional[float] = getattr(request.ctx, "received_at", None)
        if received_at is not None and request.path.endswith(WEBHOOK_PATH_END):
            metrics.observe(metrics.WHATSAPP_ACK_SECONDS, time.perf_counter() - received_at)


def queued(change: int) -> None:
    """+1 when a message is accepted, -1 once its turn ran."""
    metrics.count(metrics.WHATSAPP_QUEUE_DEPTH, amount=change)


def sending(turn: Optional[TurnRecord]) -> AbstractContextManager[None]:
    """Time the sending of a turn's replies into its record (and so into its log line and metrics)."""
    return turn.timing("send") if turn is not None else nullcontext()

