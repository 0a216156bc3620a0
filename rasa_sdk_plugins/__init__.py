"""rasa-sdk's plugin hook: `python -m rasa_sdk` imports this package (found on PYTHONPATH) and lets it extend the
action server's Sanic app. We use it to run the lead notifier beside the actions."""

import sys

import pluggy
from sanic import Sanic

from actions.leads.notifier import attach_to_action_server

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    attach_to_action_server(app)
