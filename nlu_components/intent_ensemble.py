"""A logistic regression beside DIET, on the same sentence features, the two voting on each message's intent.

DIET alone moves by one or two points of held-out macro-F1 from one training to the next (its random start); a
linear model on the same bag of lemmas and character n-grams makes other mistakes and has no random start, so the
average of the two probability distributions is steadier than DIET. Placed right after DIET: the catalog and rule
components after it still settle the intents they decide.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

LINEAR_WEIGHT = "linear_weight"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentEnsemble(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "max_iter": 1000, LINEAR_WEIGHT: 0.5}

    def process(self, messages: list[Message]) -> list[Message]:
        if not hasattr(self.clf, "classes_"):
            return messages  # not trained (no intents): DIET's reading stands
        probabilities = self.clf.predict_proba(self._create_X(messages))
        weight = self.config[LINEAR_WEIGHT]
        for message, linear in zip(messages, probabilities, strict=True):
            votes = {name: weight * float(p) for name, p in zip(self.clf.classes_, linear, strict=True)}
            for item in message.get(INTENT_RANKING_KEY) or []:
                votes[item["name"]] = votes.get(item["name"], 0.0) + (1 - weight) * item["confidence"]
            ranking = sorted(({"name": name, "confidence": vote} for name, vote in votes.items()),
                             key=lambda item: -item["confidence"])[:self.config["ranking_length"] or None]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """The same matrix as Rasa's: each message's sentence features, sparse then dense, in featurizer order.
        Rasa's own deep-copies and joins every featurizer's sequence features as well, only to drop them: two
        thirds of this component's time on a turn."""
        rows = []
        for message in messages:
            sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            ordered = [f for f in sentence if f.is_sparse()] + [f for f in sentence if f.is_dense()]
            rows.append(hstack([csr_matrix(f.features) for f in ordered]) if ordered else csr_matrix([]))
        return vstack(rows)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training examples keep their own intents
