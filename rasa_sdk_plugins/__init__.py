"""rasa-sdk's plugin hook: `python -m rasa_sdk` imports this package (found on PYTHONPATH) and lets it extend the
action server's Sanic app. We use it to run the lead notifier beside the actions, build the knowledge index and the
open-answer client at start-up rather than on the first question, and serve Prometheus metrics at /metrics."""

import asyncio
import logging
import sys

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import services

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


async def metrics(_: Request) -> HTTPResponse:
    return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)


async def start_lead_notifier(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    notifier = services.lead_notifier()
    if notifier is None:
        logger.info("NOTIFY_WEBHOOK_URL is not set: leads are stored and logged, not announced")
        return
    app.ctx.lead_notifier = asyncio.create_task(notifier.run())


async def stop_lead_notifier(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    task = getattr(app.ctx, "lead_notifier", None)
    if task is None:
        return
    # Deliveries under way finish (within the HTTP timeout); leads not claimed yet stay for the other replicas.
    notifier = services.lead_notifier()
    notifier.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=notifier.timeout + 2)
    except asyncio.TimeoutError:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    app.register_listener(start_lead_notifier, "after_server_start")
    app.register_listener(stop_lead_notifier, "before_server_stop")
    services.open_answerer()
    app.add_route(metrics, "/metrics", methods=["GET"])
