"""Messages with not one known word: the plain rule, and the pipeline component that stores the words with the model
and turns such a message into the fallback (as Rasa loads and runs it)."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from dealer.dialogue.known_words import KnownWords
from nlu_components.unknown_words import UnknownWordsClassifier

EXAMPLES = ["hola buenas tardes", "muchas gracias", "quiero financiamiento", "sí, me interesa", "adiós"]


@pytest.fixture(scope="module")
def known() -> KnownWords:
    return KnownWords(EXAMPLES)


@pytest.mark.parametrize("text", ["xkq zzvv wp", "lkjhg poiuy mnbvc", "qwe rty"])
def test_mashed_keys_say_nothing_known(known, text):
    assert known.says_nothing_known(text)


@pytest.mark.parametrize("text", [
    "hola", "ola buenas", "grasias muchas", "finansiamiento porfa", "SI ME INTERESA", "Adios amigo",
    "xkq 2019",  # digits are amounts, years or phones
    "lkjhgf",  # one word: the classifiers read it
    "🚗🚗 ???", "", "   ",
])
def test_a_known_word_a_number_or_a_single_word_is_left_to_the_classifiers(known, text):
    assert not known.says_nothing_known(text)


def test_short_words_are_one_typo_from_words_of_three_letters_or_more_only():
    known = KnownWords(["xq", "sip"])
    assert not known.knows("xkq")  # one edit from «xq», but a two-letter target reaches too much
    assert known.knows("sii")
    assert not known.knows("sxx")


def test_long_words_allow_two_typos(known):
    assert known.knows("finanziamyento")
    assert not known.knows("fnnzmnt")


def test_an_empty_vocabulary_decides_nothing():
    assert not KnownWords([]).says_nothing_known("xkq zzvv wp")


def _message(text: str, intent: str = "affirm", entities: list | None = None) -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.8},
                            "intent_ranking": [{"name": intent, "confidence": 0.8}], "entities": entities or []})
    return message


def test_the_component_stores_the_training_words_and_sends_mashed_keys_to_the_fallback(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("unknown_words")
    context = ExecutionContext(None, node_name="unknown_words")
    trained = UnknownWordsClassifier.create({}, storage, resource, context)
    trained.train(TrainingData([Message(data={"text": text, "intent": "greet"}) for text in EXAMPLES]))
    loaded = UnknownWordsClassifier.load({}, storage, resource, context)
    mashed, known_words, with_entity = _message("xkq zzvv wp"), _message("hola buenas"), _message(
        "zzvv qxw", entities=[{"entity": "make", "value": "Mazda"}])
    loaded.process([mashed, known_words, with_entity])
    assert mashed.get("intent")["name"] == "nlu_fallback"
    assert known_words.get("intent")["name"] == "affirm" and with_entity.get("intent")["name"] == "affirm"


def test_a_model_without_stored_words_leaves_every_message_alone(tmp_path):
    component = UnknownWordsClassifier.load({}, LocalModelStorage(tmp_path), Resource("missing"),
                                            ExecutionContext(None, node_name="unknown_words"))
    message = _message("xkq zzvv wp")
    component.process([message])
    assert message.get("intent")["name"] == "affirm"
