"""Cheaper equivalents of two Rasa 3.6 internals that every turn runs several times (same results, same errors).

Profiled on a short REST turn (scripts/turn_cpu.py), these took about a tenth of the Rasa server's CPU:
- Every answer of the action server is validated with `jsonschema.validate`, which first re-checks Rasa's own
  (constant) response schema against the JSON-Schema meta-schema and builds a new validator. Here the schema is
  checked once and its validator kept; each answer is still validated in full, and one that fails goes through
  Rasa's own method, so the error is Rasa's.
- Every event read from the tracker store or the action server is resolved from its type name by walking all of
  `Event`'s subclasses (and `inspect.isabstract` on each). Here the class found for a name is remembered; a name
  not seen yet takes Rasa's own path, so event classes imported later are still found.

- Every prediction turns the whole session into dialogue states (`Domain.states_for_tracker_history`) by
  replaying every event on a fresh tracker, and a turn predicts several times, each policy asking again (5 calls
  per turn of the bench's conversation): about a tenth of the Rasa server's CPU. Here a tracker keeps its replay:
  a later call on the same tracker replays only the events added since, as long as the events applied before are
  still applied (a revert, restart or new session replays everything again), and each call builds its states
  from copies of the recorded ones, so callers may change them as Rasa's own callers do. The replays of the
  latest conversations are also kept by conversation id, so the next turn's tracker, read anew from the store,
  takes up its conversation's replay where it was: an event read back from the store is known for the same by
  its type and creation time (a float stored as is), and a conversation changed elsewhere (another worker's
  turn, a turn not saved) only adds events or no longer matches, which replays from the start.

- The rule policy finds the rules that apply by walking back through every state of the session, testing each
  rule still in the running at every step, although a rule shorter than the steps walked can no longer fail.
  Here the walk stops once it is past the longest rule still in the running; each step tests the same rules
  the same way, so the same rules apply.

- Rasa runs its graphs (the NLU pipeline for each message, the policies for each prediction) through dask's
  synchronous scheduler, which works out the minimal graph, a dask task graph and an execution order anew on
  every run: about a fifth of the time spent running the graphs. Here the order of the nodes a set of targets
  needs is worked out once and the nodes are called in that order, each with its parents' outputs, as dask
  calls them; the same errors are raised.

Not done on purpose: keeping the HTTP connection to the action server alive between calls (Rasa opens one per
call). Tried; on a starved event loop (64 users on a busy machine) a kept connection the action server had
already closed was written to ("Cannot write to closing transport") and the action's turn failed.

Installed once per process by the tracker store (connectors/tracker_store.py), which every Rasa server loads.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

_installed = False
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result  # Rasa's own, kept for the equivalence tests
RASA_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history
RASA_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys
RASA_GRAPH_RUN = DaskGraphRunner.run
_NODE_ORDERS = "_dealer_node_orders"  # set on a graph runner: targets -> the nodes to call, in order
_PRIOR_STEPS = "_dealer_prior_steps"  # set on a tracker: (its replay, its number of events, their applied list)
KEPT_REPLAYS = 256  # conversations whose replay a process keeps between turns
_replays: OrderedDict[str, _PriorSteps] = OrderedDict()  # conversation id -> its latest replay, oldest use first


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type(Event.resolve_by_type))
    Domain.states_for_tracker_history = _states_for_tracker_history
    RulePolicy._get_possible_keys = _get_possible_keys
    DaskGraphRunner.run = _run_in_order


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



@dataclass(frozen=True)
class _PriorStep:
    """What Domain.states_for_tracker_history reads of one prior tracker (the tracker before an action)."""
    state: State  # Domain.get_active_state of that tracker; copied before use, never changed
    previous_action: Optional[dict[str, Any]]
    hide_rule_turn: bool
    keeps_hidden_flag: bool  # a follow-up action or the active loop's own action: the turn stays as hidden as it was


class _PriorSteps:
    """One tracker's prior trackers, replayed once and extended as the tracker grows."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain) -> None:
        self.domain = domain
        self.applied: list[Event] = []
        self.replay = tracker.init_copy()
        self.steps: list[_PriorStep] = []
        self.current: Optional[_PriorStep] = None  # the step of the replay as it is now; None once it changes

    def extends(self, applied: list[Event]) -> bool:
        """Whether `applied` is what this replay holds, plus events after it."""
        return len(applied) >= len(self.applied) and all(
            old is new or (type(old) is type(new) and old.timestamp == new.timestamp)
            for old, new in zip(self.applied, applied[:len(self.applied)], strict=True))

    def extend(self, applied: list[Event]) -> None:
        for event in applied[len(self.applied):]:
            if isinstance(event, ActionExecuted):
                self.steps.append(self._step(event.hide_rule_turn))
            self.replay.update(event)
            self.current = None
        self.applied = applied

    def all_steps(self) -> list[_PriorStep]:
        """Every prior tracker's step, the tracker itself last (as Rasa's generate_all_prior_trackers yields)."""
        if self.current is None:
            self.current = self._step(False)
        return [*self.steps, self.current]

    def _step(self, hide_rule_turn: bool) -> _PriorStep:
        replay = self.replay
        previous_action = self.domain._get_prev_action_sub_state(replay)
        return _PriorStep(
            state=_copied(self.domain.get_active_state(replay)),
            previous_action=dict(previous_action) if previous_action else previous_action,
            hide_rule_turn=hide_rule_turn,
            keeps_hidden_flag=bool(replay.followup_action) or replay.latest_action_name == replay.active_loop_name,
        )


def _copied(state: State) -> State:
    """A copy that callers may change: states are dictionaries of dictionaries of strings and tuples."""
    return {kind: dict(sub_state) if isinstance(sub_state, dict) else sub_state for kind, sub_state in state.items()}


def _prior_steps(tracker: DialogueStateTracker, domain: Domain) -> list[_PriorStep]:
    kept = tracker.__dict__.get(_PRIOR_STEPS)
    if kept is not None:
        replay, events_seen, applied = kept
        # Asked again with no event added since, and the replay still where this tracker left it.
        if len(tracker.events) == events_seen and replay.applied is applied and replay.domain is domain:
            return replay.all_steps()
    applied = tracker.applied_events()
    replay = kept[0] if kept is not None else _replays.get(tracker.sender_id)
    if replay is None or replay.domain is not domain or not replay.extends(applied):
        replay = _PriorSteps(tracker, domain)
    tracker.__dict__[_PRIOR_STEPS] = (replay, len(tracker.events), applied)
    _replays[tracker.sender_id] = replay
    _replays.move_to_end(tracker.sender_id)
    while len(_replays) > KEPT_REPLAYS:
        _replays.popitem(last=False)
    replay.extend(applied)
    return replay.all_steps()


def _states_for_tracker_history(
    self: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False, rule_only_data: Optional[dict[str, Any]] = None,
) -> list[State]:
    """Domain.states_for_tracker_history over the tracker's kept replay; the same states, step for step."""
    if omit_unset_slots:  # not asked for at prediction time: Rasa's own path
        return RASA_STATES_FOR_TRACKER_HISTORY(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    states: list[State] = []
    last_ml_previous_action = None
    turn_was_hidden = False
    for step in _prior_steps(tracker, self):
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_previous_action = step.previous_action
            if not step.keeps_hidden_flag:
                turn_was_hidden = step.hide_rule_turn
            if turn_was_hidden:
                continue
        state = _copied(step.state)
        if ignore_rule_only_turns:
            self._remove_rule_only_features(state, rule_only_data)
            if states:
                self._substitute_rule_only_user_input(state, states[-1])
            if last_ml_previous_action:
                state[PREVIOUS_ACTION] = dict(last_ml_previous_action)
        states.append(self._clean_state(state))
    return states


@functools.lru_cache(maxsize=4096)
def _rule_length(rule_key: str) -> int:
    return len(RulePolicy._rule_key_to_state(rule_key))


def _get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[State]) -> set[str]:
    """RulePolicy._get_possible_keys, stopping once every rule still in the running is shorter than the walk
    (Rasa's `_is_rule_applicable` answers True for such a rule at every later step)."""
    possible_keys = set(lookup)
    for turn_index, state in enumerate(reversed(states)):
        if not possible_keys or turn_index >= max(map(_rule_length, possible_keys)):
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
    return possible_keys


def _node_order(runner: DaskGraphRunner, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The nodes the targets need, each after the nodes it needs, with the names of its parents."""
    orders: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = runner.__dict__.setdefault(_NODE_ORDERS, {})
    order = orders.get(targets)
    if order is None:
        nodes = runner._graph_schema.nodes
        order, placed = [], set()

        def place(name: str) -> None:
            if name in placed or name not in nodes:  # a node placed already, or an input
                return
            placed.add(name)
            needs = tuple(nodes[name].needs.values())
            for parent in needs:
                place(parent)
            order.append((name, needs))

        for target in targets:
            place(target)
        orders[targets] = order
    return order


def _run_in_order(self: DaskGraphRunner, inputs: Optional[dict[str, Any]] = None,
                  targets: Optional[list[str]] = None) -> dict[str, Any]:
    """DaskGraphRunner.run without dask: the nodes called in a fixed order (see _node_order)."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    order = _node_order(self, run_targets)
    outputs: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and any(value == node for node, _ in order):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed to "
                f"the `run` method are the same as node names in the graph schema.")
        outputs[name] = (name, value)
    try:
        for name, needs in order:
            # An unresolved parent reaches the node as its bare name, as with dask: the node says what is missing.
            outputs[name] = self._instantiated_nodes[name](*(outputs.get(parent, parent) for parent in needs))
    except RuntimeError as problem:
        raise GraphRunError("Error running runner.") from problem
    return dict(outputs[target] for target in run_targets)
