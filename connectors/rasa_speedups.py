"""Cheaper equivalents of two Rasa 3.6 internals that every turn runs several times (same results, same errors).

Profiled on a short REST turn (scripts/turn_cpu.py), these took about a tenth of the Rasa server's CPU:
- Every answer of the action server is validated with `jsonschema.validate`, which first re-checks Rasa's own
  (constant) response schema against the JSON-Schema meta-schema and builds a new validator. Here the schema is
  checked once and its validator kept; each answer is still validated in full, and one that fails goes through
  Rasa's own method, so the error is Rasa's.
- Every event read from the tracker store or the action server is resolved from its type name by walking all of
  `Event`'s subclasses (and `inspect.isabstract` on each). Here the class found for a name is remembered; a name
  not seen yet takes Rasa's own path, so event classes imported later are still found.

- Every call to the action server opens a new HTTP session and TCP connection (Rasa's `EndpointConfig.request`
  enters `self.session()` and closes it after one request), which costs CPU on both servers. Here `session()`
  hands out one session per endpoint and event loop that stays open, so connections are kept alive between
  calls. Idle connections are dropped by the client after KEEPALIVE_SECONDS, before the server's own keep-alive
  timeout (Sanic's default, 5 s) could close one under a request being sent.

Installed once per process by the tracker store (connectors/tracker_store.py), which every Rasa server loads.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Optional

import aiohttp
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

_installed = False
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result  # Rasa's own, kept for the equivalence tests
KEEPALIVE_SECONDS = 2.0


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type(Event.resolve_by_type))
    EndpointConfig.session = _kept_session


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once; an invalid answer goes through Rasa's
    own method, so it fails with Rasa's own error."""
    if _action_result_validator().is_valid(result):
        return True
    return RASA_VALIDATE_ACTION_RESULT(self, result)


def _resolve_by_type(original: Any) -> Any:
    known: dict[str, type[Event]] = {}

    @functools.wraps(original)
    def resolve_by_type(type_name: str, default: Optional[type[Event]] = None) -> Optional[type[Event]]:
        found = known.get(type_name)
        if found is None:
            try:
                found = original(type_name, None)
            except ValueError:  # not an event name: Rasa's own answer (the default, or the same error)
                return original(type_name, default)
            if found is None:  # "topic", which Rasa maps to no event
                return None
            known[type_name] = found
        return found

    return resolve_by_type


class _KeptSession:
    """What `EndpointConfig.session()` returns for `async with`: the endpoint's open session for the running event
    loop (one per Sanic worker), made on first use with the endpoint's headers, basic auth and timeout; leaving
    the block does not close it."""

    def __init__(self, endpoint: EndpointConfig):
        self.endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = self.endpoint.__dict__.setdefault(
            "_kept_sessions", {})
        loop = asyncio.get_running_loop()
        session = sessions.get(loop)
        if session is None or session.closed:
            auth = self.endpoint.basic_auth
            session = sessions[loop] = aiohttp.ClientSession(
                headers=self.endpoint.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return session

    async def __aexit__(self, *_: object) -> None:
        return None


def _kept_session(self: EndpointConfig) -> _KeptSession:
    return _KeptSession(self)
