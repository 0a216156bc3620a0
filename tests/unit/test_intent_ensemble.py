"""The logistic regression that votes with DIET, as Rasa runs it after DIET: the mean of the two distributions."""

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.intent_ensemble import IntentEnsemble

WORDS = ["hola", "buenas", "adios", "bye"]


def featurized(text: str, intent: str = "") -> Message:
    vector = scipy.sparse.coo_matrix(np.array([[float(word in text.split()) for word in WORDS]]))
    message = Message(data={"text": text, **({"intent": intent} if intent else {})})
    message.add_features(Features(vector, "sentence", "text", "bag"))
    return message


@pytest.fixture
def ensemble(tmp_path) -> IntentEnsemble:
    component = IntentEnsemble.create(IntentEnsemble.get_default_config(), LocalModelStorage(tmp_path),
                                      Resource("ensemble"), ExecutionContext(None, node_name="ensemble"))
    examples = [featurized(text, "greet") for text in ("hola", "buenas", "hola buenas")] + [
        featurized(text, "goodbye") for text in ("adios", "bye", "bye adios")]
    component.train(TrainingData(examples))
    return component


def after_diet(ensemble: IntentEnsemble, text: str, diet: dict[str, float]) -> Message:
    message = featurized(text)
    ranking = sorted(({"name": name, "confidence": p} for name, p in diet.items()), key=lambda item: -item["confidence"])
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    ensemble.process([message])
    return message


def test_the_intent_is_the_mean_of_diet_and_the_linear_model(ensemble):
    features = featurized("hola").features[0].features
    linear = dict(zip(ensemble.clf.classes_, ensemble.clf.predict_proba(features.tocsr())[0], strict=True))
    assert linear["greet"] > 0.6
    message = after_diet(ensemble, "hola", {"goodbye": 0.55, "greet": 0.45})
    ranking = {item["name"]: item["confidence"] for item in message.get("intent_ranking")}
    assert ranking == pytest.approx({name: (linear[name] + {"goodbye": 0.55, "greet": 0.45}[name]) / 2 for name in linear})
    assert message.get("intent")["name"] == "greet"  # DIET leaned the wrong way; the linear model was sure


def test_an_intent_only_diet_ranks_keeps_half_its_vote(ensemble):
    message = after_diet(ensemble, "hola", {"help": 0.9, "greet": 0.1})
    assert {item["name"] for item in message.get("intent_ranking")} == {"help", "greet", "goodbye"}
    assert next(item for item in message.get("intent_ranking") if item["name"] == "help")["confidence"] == pytest.approx(0.45)


def test_training_examples_keep_their_intents(ensemble):
    data = TrainingData([featurized("hola", "greet")])
    assert ensemble.process_training_data(data).training_examples[0].get("intent") == "greet"
