"""Cheaper equivalents of two Rasa 3.6 internals that every turn runs several times (same results, same errors).

Profiled on a short REST turn (scripts/turn_cpu.py), these took about a tenth of the Rasa server's CPU:
- Every answer of the action server is validated with `jsonschema.validate`, which first re-checks Rasa's own
  (constant) response schema against the JSON-Schema meta-schema and builds a new validator. Here the schema is
  checked once and its validator kept; each answer is still validated in full, with the same error and message.
- Every event read from the tracker store or the action server is resolved from its type name by walking all of
  `Event`'s subclasses (and `inspect.isabstract` on each). Here the class found for a name is remembered; a name
  not seen yet takes Rasa's own path, so event classes imported later are still found.

Installed once per process by the tracker store (connectors/tracker_store.py), which every Rasa server loads.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
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
    """RemoteAction._validate_action_result with the validator built once (jsonschema.validate's steps otherwise)."""
    error: Optional[ValidationError] = exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own wording, so logs and tests that read it see no difference.
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


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
