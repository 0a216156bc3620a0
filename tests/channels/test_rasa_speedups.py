"""The faster stand-ins for Rasa internals (connectors/rasa_speedups.py) answer exactly as Rasa's own code does."""

from __future__ import annotations

import asyncio
import copy
import json
import tarfile
from typing import Any

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent, load_agent
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.training import load_data
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from connectors import rasa_speedups
from dealer.settings import PROJECT_ROOT
from testing.servers import DEFAULT_MODEL

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



# --- dialogue states from a kept replay (Domain.states_for_tracker_history) ---

ORIGINAL_STATES = rasa_speedups.RASA_STATES_FOR_TRACKER_HISTORY
RULE_ONLY_DATA = {"slots": ["handoff_active", "contact_purpose"], "loops": ["contact_form", "trade_in_form"]}
STATE_ARGUMENTS = [
    {}, {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY_DATA},
    {"ignore_rule_only_turns": True, "rule_only_data": None},
]


@pytest.fixture(scope="module")
def story_trackers() -> tuple[Domain, list[list[Event]]]:
    """The project's own stories and rules as event lists (every form, rule and unhappy path it was trained on)."""
    domain = Domain.load(str(PROJECT_ROOT / "rasa_project" / "domain"))
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(PROJECT_ROOT / "rasa_project" / "domain"),
        training_data_paths=[str(PROJECT_ROOT / "data" / "rules"), str(PROJECT_ROOT / "data" / "stories")])
    trackers = load_data(importer, domain, remove_duplicates=False, augmentation_factor=0)
    stories = [list(tracker.events) for tracker in trackers]
    # At run time the rule policy's turns are marked hidden from the ML history; stories carry no such marks.
    return domain, stories + [_hidden_every_other_action(events) for events in stories]


def _hidden_every_other_action(events: list[Event]) -> list[Event]:
    marked, hide = [], False
    for event in events:
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            hide = not hide
            event = ActionExecuted(event.action_name, event.policy, event.confidence, event.timestamp,
                                   action_text=event.action_text, hide_rule_turn=hide)
        marked.append(event)
    return marked


def _states_both_ways(domain: Domain, tracker: DialogueStateTracker) -> None:
    for arguments in STATE_ARGUMENTS:
        expected = ORIGINAL_STATES(domain, tracker, **arguments)
        assert domain.states_for_tracker_history(tracker, **arguments) == expected
        assert tracker.past_states(domain, **arguments) == expected  # the same again, from the kept replay


def test_states_match_rasa_as_each_tracker_grows(story_trackers: tuple[Domain, list[list[Event]]]) -> None:
    domain, stories = story_trackers
    assert len(stories) > 50
    for index, events in enumerate(stories):
        tracker = DialogueStateTracker(f"story-{index}", domain.slots)
        for event in events:  # as a turn does: one tracker, updated, asked again after each action
            tracker.update(event, domain)
            if isinstance(event, (ActionExecuted, UserUttered)):
                _states_both_ways(domain, tracker)


@pytest.mark.parametrize("undo", [UserUtteranceReverted(), ActionReverted(), Restarted(), SessionStarted()])
def test_an_undo_replays_again(story_trackers: tuple[Domain, list[list[Event]]], undo: Event) -> None:
    domain, stories = story_trackers
    for index, events in enumerate(stories[:40]):
        tracker = DialogueStateTracker(f"undo-{type(undo).__name__}-{index}", domain.slots)
        for event in events:
            tracker.update(event, domain)
        _states_both_ways(domain, tracker)
        tracker.update(undo, domain)
        _states_both_ways(domain, tracker)
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME), domain)
        _states_both_ways(domain, tracker)


def _read_back(sender: str, events: list[Event], domain: Domain) -> DialogueStateTracker:
    """The tracker as the next turn reads it from the store: new event objects, same content and timestamps."""
    return DialogueStateTracker.from_events(sender, deserialise_events([event.as_dict() for event in events]),
                                            domain.slots)


def test_the_next_turn_takes_up_the_replay(story_trackers: tuple[Domain, list[list[Event]]]) -> None:
    domain, stories = story_trackers
    for index, events in enumerate(stories):
        sender, half = f"next-turn-{index}", len(events) // 2
        _states_both_ways(domain, DialogueStateTracker.from_events(sender, events[:half], domain.slots))
        _states_both_ways(domain, _read_back(sender, events, domain))  # the stored turn plus the next one


def test_a_conversation_changed_elsewhere_replays_anew(story_trackers: tuple[Domain, list[list[Event]]]) -> None:
    """Another worker saved a different turn after the point this process saw: same positions, other events."""
    domain, stories = story_trackers
    long_ones = [events for events in stories if len(events) > 12]
    for index, (seen, stored) in enumerate(zip(long_ones, long_ones[1:], strict=False)):
        sender = f"elsewhere-{index}"
        _states_both_ways(domain, DialogueStateTracker.from_events(sender, seen, domain.slots))
        _states_both_ways(domain, _read_back(sender, stored, domain))
        _states_both_ways(domain, _read_back(sender, seen[:len(seen) // 2], domain))  # a turn that was not saved


def test_callers_may_change_the_states_they_get(story_trackers: tuple[Domain, list[list[Event]]]) -> None:
    domain, stories = story_trackers
    tracker = DialogueStateTracker.from_events("changed", max(stories, key=len), domain.slots)
    first = domain.states_for_tracker_history(tracker)
    expected = copy.deepcopy(first)
    for state in first:  # what the featurizer does to the last user state, and more
        for sub_state in state.values():
            sub_state.clear()
    assert domain.states_for_tracker_history(tracker) == expected


# --- the rules that apply (RulePolicy._get_possible_keys) ---


@pytest.fixture(scope="module")
def trained_rules() -> dict[str, dict[str, str]]:
    """The trained rule policy's lookups (rules, unhappy paths of loops...), read from the model."""
    with tarfile.open(DEFAULT_MODEL) as model:
        member = next(name for name in model.getnames() if name.endswith("/rule_policy.json"))
        lookups = json.load(model.extractfile(member))["lookup"]
    return {name: lookup for name, lookup in lookups.items() if isinstance(lookup, dict) and lookup}


def test_the_same_rules_apply_as_in_rasa(story_trackers: tuple[Domain, list[list[Event]]],
                                         trained_rules: dict[str, dict[str, str]]) -> None:
    domain, stories = story_trackers
    policy = RulePolicy.__new__(RulePolicy)  # the methods compared read nothing of the instance but its rules
    assert trained_rules.get("rules")
    compared = found = 0
    for index, events in enumerate(stories):
        tracker = DialogueStateTracker(f"rules-{index}", domain.slots)
        for event in events:
            tracker.update(event, domain)
            if not isinstance(event, (ActionExecuted, UserUttered)):
                continue
            states = ORIGINAL_STATES(domain, tracker)
            for lookup in trained_rules.values():
                expected = rasa_speedups.RASA_GET_POSSIBLE_KEYS(policy, lookup, states)
                assert RulePolicy._get_possible_keys(policy, lookup, states) == expected
                compared += 1
                found += bool(expected)
    assert found > compared // 10  # rules did apply along the way, not only empty sets compared


# --- graphs run in a fixed order instead of through dask (DaskGraphRunner.run) ---

MESSAGES = ["hola", "qué marcas tienen?", "quiero un chebrolet", "busco una SUV de menos de 350 mil", "detalles del 2",
            "con 56000 de enganche a 4 años", "quiero hablar con un asesor", "mi correo es ana@example.com", "asdf",
            "¿qué garantía tienen?", "ok gracias"]


@pytest.fixture(scope="module")
def agent() -> Agent:
    return asyncio.run(load_agent(str(DEFAULT_MODEL)))


def _both_runs(runner: DaskGraphRunner, inputs: dict, target: str) -> tuple[Any, Any]:
    rasas = rasa_speedups.RASA_GRAPH_RUN(runner, inputs=copy.deepcopy(inputs), targets=[target])
    ours = runner.run(inputs=copy.deepcopy(inputs), targets=[target])
    assert set(ours) == set(rasas) == {target}
    return rasas[target], ours[target]


def test_messages_parse_as_with_dask(agent: Agent) -> None:
    processor = agent.processor
    for text in MESSAGES:
        rasas, ours = _both_runs(processor.graph_runner, {
            PLACEHOLDER_MESSAGE: [UserMessage(text, sender_id="parse")],
            PLACEHOLDER_TRACKER: DialogueStateTracker("parse", agent.domain.slots),
        }, processor.model_metadata.nlu_target)
        assert len(ours) == len(rasas) == 1
        parsed = {key: ours[0].get(key) for key in (INTENT, INTENT_RANKING_KEY, ENTITIES)}
        assert parsed == {key: rasas[0].get(key) for key in (INTENT, INTENT_RANKING_KEY, ENTITIES)}
        assert parsed[INTENT]["name"]


def test_predictions_as_with_dask(agent: Agent, story_trackers: tuple[Domain, list[list[Event]]]) -> None:
    processor = agent.processor
    _, stories = story_trackers
    for index, events in enumerate(stories[::7]):
        tracker = DialogueStateTracker.from_events(f"predict-{index}", events, agent.domain.slots)
        rasas, ours = _both_runs(processor.graph_runner, {PLACEHOLDER_TRACKER: tracker},
                                 processor.model_metadata.core_target)
        assert (ours.max_confidence_index, ours.policy_name, ours.events) == (
            rasas.max_confidence_index, rasas.policy_name, rasas.events)
        assert ours.probabilities == pytest.approx(rasas.probabilities)


def test_graph_errors_as_with_dask(agent: Agent) -> None:
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    clash = {PLACEHOLDER_MESSAGE: target, PLACEHOLDER_TRACKER: None}
    for run in (rasa_speedups.RASA_GRAPH_RUN, DaskGraphRunner.run):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(runner, inputs=dict(clash), targets=[target])
        with pytest.raises(GraphRunError, match="Missing input"):  # no message given: the first node says so
            run(runner, inputs={}, targets=[target])
