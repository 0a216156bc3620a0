"""The faster stand-ins for Rasa internals (connectors/rasa_speedups.py) answer exactly as Rasa's own code does."""

from __future__ import annotations

import copy

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from connectors import rasa_speedups

# Rasa's own code, whether or not another test installed the stand-ins first.
ORIGINAL_RESOLVE = getattr(Event.resolve_by_type, "__wrapped__", Event.resolve_by_type)
ORIGINAL_VALIDATE = rasa_speedups.RASA_VALIDATE_ACTION_RESULT

VALID_RESULTS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "listing", "value": {"page": 2}, "timestamp": None}],
     "responses": [{"text": "Aquí tienes 🚗", "buttons": [{"title": "Ver", "payload": "/ver"}]}]},
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
    {},
]
INVALID_RESULTS = [
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": "not a list"},
    {"responses": [42]},
    {"events": [{"event": "no_such_event", "name": 3}]},
]


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    rasa_speedups.install()


def remote_action() -> RemoteAction:
    return RemoteAction("action_show_cars", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.mark.parametrize("result", VALID_RESULTS)
def test_valid_action_results_pass_as_with_rasa(result: dict) -> None:
    validate(result, RemoteAction.action_response_format_spec())  # Rasa's own check accepts it too
    assert remote_action()._validate_action_result(copy.deepcopy(result)) is True


@pytest.mark.parametrize("result", INVALID_RESULTS)
def test_invalid_action_results_fail_with_rasas_error(result: dict) -> None:
    with pytest.raises(ValidationError) as rasas:
        ORIGINAL_VALIDATE(remote_action(), copy.deepcopy(result))
    with pytest.raises(ValidationError) as ours:
        remote_action()._validate_action_result(copy.deepcopy(result))
    assert ours.value.message == rasas.value.message
    assert list(ours.value.path) == list(rasas.value.path)


def test_every_event_name_resolves_to_rasas_class() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)} | {"topic"}
    for name in sorted(names):
        assert Event.resolve_by_type(name) is ORIGINAL_RESOLVE(name)
        assert Event.resolve_by_type(name) is ORIGINAL_RESOLVE(name)  # from the cache the second time


def test_unknown_event_names_behave_as_in_rasa() -> None:
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("topic", SlotSet) is None


def test_events_deserialise_as_before() -> None:
    dumped = [ActionExecuted("action_listen").as_dict(), UserUttered("hola", {"name": "greet"}).as_dict(),
              SlotSet("listing", {"page": 1}).as_dict()]
    assert [type(event) for event in deserialise_events(dumped)] == [ActionExecuted, UserUttered, SlotSet]
    assert deserialise_events(dumped) == [Event.from_parameters(item) for item in dumped]


def test_install_is_idempotent() -> None:
    installed_resolve = Event.resolve_by_type
    rasa_speedups.install()
    assert Event.resolve_by_type is installed_resolve

