"""`GET /metrics` on the Rasa server (Prometheus text), as an input channel: Rasa mounts every channel's blueprint
under /webhooks/<url_prefix>, but joins the prefix like a URL, so an absolute prefix ("/metrics") lands at the root.
Loading it also installs the turn observer (connectors/turn_observer.py) unless METRICS=off.
Listed in rasa_project/credentials.yml as `connectors.metrics_channel.MetricsInput:`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from connectors import turn_observer, whatsapp_metrics
from dealer import metrics
from dealer.settings import get_settings

logger = logging.getLogger(__name__)


class MetricsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "metrics"

    def __init__(self) -> None:
        if metrics.enabled():
            turn_observer.install()

    def url_prefix(self) -> str:
        return "/metrics"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("prometheus_metrics", __name__)

        @page.route("", methods=["GET"])
        async def serve(_: Request) -> HTTPResponse:
            if metrics.enabled():
                try:
                    queued = await asyncio.to_thread(whatsapp_metrics.pending_messages, get_settings().database_url)
                    metrics.WHATSAPP_QUEUE_DEPTH.set(queued)
                except SQLAlchemyError:
                    logger.exception("the WhatsApp queue could not be read for /metrics")
            body, content_type = metrics.exposition()
            return response.raw(body, content_type=content_type)

        return page
