"""Keeps the bot quiet for a customer whose conversation is with a person.

While the `handoff_active` slot is set (by action_handoff) and less than HANDOFF_TIMEOUT_HOURS have passed since
`handoff_since`, this policy predicts `action_listen` with full confidence (after the hand-off's own reply, and after
every customer message): the message
is still parsed and stored in the tracker (staff read it), nothing is said. Its prediction counts as one that does
not depend on the customer's input and has a priority above RulePolicy's, so neither a rule nor an active form can
answer instead. Staff release the conversation through the admin API (connectors/admin.py), which clears the slot.
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from dealer.settings import get_settings

ACTIVE_SLOT, SINCE_SLOT = "handoff_active", "handoff_since"
# RulePolicy's is 6: a hand-off outranks every rule and form.
HANDOFF_PRIORITY = 7


def handoff_in_force(active: Any, since: Any, now: float, timeout_hours: float) -> bool:
    """Whether the bot must stay quiet: the hand-off is set and younger than the timeout."""
    if active is not True or not isinstance(since, (int, float)) or isinstance(since, bool):
        return False
    return now - float(since) < timeout_hours * 3600


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class HandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": HANDOFF_PRIORITY}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        # Nothing to learn; the resource only has to exist for load().
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "handoff_policy.json").write_text(json.dumps({"priority": self.priority}))
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> HandoffPolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[dict[str, Any]] = None, **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        quiet = handoff_in_force(tracker.get_slot(ACTIVE_SLOT), tracker.get_slot(SINCE_SLOT), time.time(),
                                 get_settings().handoff_timeout_hours)
        if not quiet:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
