"""rasa-sdk's plugin hook: `python -m rasa_sdk` imports this package (found on PYTHONPATH) and lets it extend the
action server's Sanic app. We use it to run the lead notifier beside the actions, build the knowledge index and the
open-answer client at start-up rather than on the first question, and serve Prometheus metrics at /metrics."""

import sys

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.fallback_actions import open_answerer
from actions.leads.notifier import attach_to_action_server

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


async def metrics(_: Request) -> HTTPResponse:
    return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    attach_to_action_server(app)
    open_answerer()
    app.add_route(metrics, "/metrics", methods=["GET"])
