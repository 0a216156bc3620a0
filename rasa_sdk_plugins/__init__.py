"""rasa-sdk's plugin hook: `python -m rasa_sdk` imports this package (found on PYTHONPATH) and lets it extend the
action server's Sanic app. We use it to run the lead notifier beside the actions, build the knowledge index and the
open-answer client at start-up rather than on the first question, and serve Prometheus metrics at /metrics."""

import asyncio
import logging
import sys

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from dealer import metrics as dealer_metrics
from dealer.observability.lead_backlog import pending_leads
from dealer.retention import apply_retention

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


async def metrics(_: Request) -> HTTPResponse:
    if dealer_metrics.enabled():
        try:  # read at scrape time: every worker sees the same database
            backlog = await asyncio.to_thread(pending_leads, services.settings().database_url)
            dealer_metrics.LEAD_NOTIFIER_BACKLOG.set(backlog)
        except SQLAlchemyError:
            logger.exception("the lead notifier's backlog could not be read for /metrics")
    body, content_type = dealer_metrics.exposition()
    return response.raw(body, content_type=content_type)


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


RETENTION_FIRST_RUN_SECONDS = 300  # after start-up, out of the way of the first conversations
RETENTION_INTERVAL_SECONDS = 24 * 3600


async def run_retention_daily() -> None:
    """The retention job (dealer/retention.py, also `make retention`) once a day; a failure waits for the next day."""
    await asyncio.sleep(RETENTION_FIRST_RUN_SECONDS)
    while True:
        current = services.settings()
        try:
            report = await asyncio.to_thread(
                apply_retention, current.database_url, current.tracker_store_url, current.limits.retention_days
            )
            logger.info("retention: deleted %s", ", ".join(report.lines()))
        except SQLAlchemyError:
            logger.exception("retention: the stores could not be cleaned; trying again tomorrow")
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)


async def start_retention(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    app.ctx.retention = asyncio.create_task(run_retention_daily())


async def stop_retention(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    task = getattr(app.ctx, "retention", None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    app.register_listener(start_lead_notifier, "after_server_start")
    app.register_listener(stop_lead_notifier, "before_server_stop")
    app.register_listener(start_retention, "after_server_start")
    app.register_listener(stop_retention, "before_server_stop")
    services.open_answerer()
    app.add_route(metrics, "/metrics", methods=["GET"])
