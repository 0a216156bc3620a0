"""`GET /metrics` on the Rasa server (Prometheus text), as an input channel: Rasa mounts every channel's blueprint
under /webhooks/<url_prefix>, but joins the prefix like a URL, so an absolute prefix ("/metrics") lands at the root.
Loading it also installs the turn observer (connectors/turn_observer.py) unless METRICS=off.
Listed in rasa_project/credentials.yml as `connectors.metrics_channel.MetricsInput:`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import turn_observer
from dealer import metrics


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
            body, content_type = metrics.exposition()
            return response.raw(body, content_type=content_type)

        return page
