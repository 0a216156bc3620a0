"""Cheaper equivalents of two Rasa 3.6 internals that every turn runs several times (same results, same errors).

Profiled on a short REST turn (scripts/turn_cpu.py), these took about a tenth of the Rasa server's CPU:
- Every answer of the action server is validated with `jsonschema.validate`, which first re-checks Rasa's own
  (constant) response schema against the JSON-Schema meta-schema and builds a new validator. Here the schema is
  checked once and its validator kept; each answer is still validated in full, and one that fails goes through
  Rasa's own method, so the error is Rasa's.
- Every event read from the tracker store or the action server is resolved from its type name by walking all of
  `Event`'s subclasses (and `inspect.isabstract` on each). Here the class found for a name is remembered; a name
  not seen yet takes Rasa's own path, so event classes imported later are still found.

Not done on purpose: keeping the HTTP connection to the action server alive between calls (Rasa opens one per
call). Tried; on a starved event loop (64 users on a busy machine) a kept connection the action server had
already closed was written to ("Cannot write to closing transport") and the action's turn failed.

Installed once per process by the tracker store (connectors/tracker_store.py), which every Rasa server loads.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_installed = False
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result  # Rasa's own, kept for the equivalence tests


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type(Event.resolve_by_type))


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

