"""Train NLU pipeline variants and score each on the held-out set (intent macro-F1), to choose config.yml's.

    python -m scripts.compare_pipelines      (about 3 minutes per variant)

Each variant is config.yml's pipeline with some components removed or changed; the results table goes to
stdout and results/pipelines.json.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dealer.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "rasa_project" / "config.yml"
HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
Pipeline = list[dict[str, Any]]


def without(*names_or_analyzers: str) -> Callable[[Pipeline], Pipeline]:
    def change(pipeline: Pipeline) -> Pipeline:
        return [c for c in pipeline if c["name"] not in names_or_analyzers and c.get("analyzer") not in names_or_analyzers]
    return change


def char_ngrams(low: int, high: int) -> Callable[[Pipeline], Pipeline]:
    def change(pipeline: Pipeline) -> Pipeline:
        changed = copy.deepcopy(pipeline)
        for component in changed:
            if component.get("analyzer") == "char_wb":
                component.update(min_ngram=low, max_ngram=high)
        return changed
    return change


def classifier(replacement: dict[str, Any]) -> Callable[[Pipeline], Pipeline]:
    def change(pipeline: Pipeline) -> Pipeline:
        return [replacement if c["name"] == "DIETClassifier" else c for c in pipeline]
    return change


def with_dense_spacy_vectors(pipeline: Pipeline) -> Pipeline:
    position = next(i for i, c in enumerate(pipeline) if c["name"] == "SpacyTokenizer") + 1
    return [*pipeline[:position], {"name": "SpacyFeaturizer"}, *pipeline[position:]]


def default_lexical_features(pipeline: Pipeline) -> Pipeline:
    return [{"name": c["name"]} if c["name"] == "LexicalSyntacticFeaturizer" else c for c in pipeline]


VARIANTS: dict[str, Callable[[Pipeline], Pipeline]] = {
    "config.yml: spaCy tokens + lemmas + POS, char 2-4": lambda pipeline: pipeline,
    "plus spaCy's dense token vectors": with_dense_spacy_vectors,
    "no char n-grams": without("char_wb"),
    "char 1-5 instead of 2-4": char_ngrams(1, 5),
    "no POS features (Rasa's default lexical features)": default_lexical_features,
    "logistic regression instead of DIET": classifier({"name": "LogisticRegressionClassifier"}),
}


def score(name: str, pipeline: Pipeline, base: dict[str, Any], folder: Path) -> dict[str, Any]:
    config = {**base, "pipeline": pipeline, "policies": []}
    config_path = folder / "config.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    # A cache of its own, so no variant reuses components trained for another run.
    environment = {**os.environ, "RASA_CACHE_DIRECTORY": str(folder / "cache")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config_path), "--nlu",
                    str(PROJECT_ROOT / "data" / "nlu"), "--out", str(folder), "--fixed-model-name", "variant"],
                   check=True, capture_output=True, env=environment)
    training_seconds = time.perf_counter() - started
    subprocess.run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(HOLDOUT), "--model",
                    str(folder / "variant.tar.gz"), "--out", str(folder / "results")], check=True, capture_output=True)
    report = json.loads((folder / "results" / "intent_report.json").read_text())
    return {"variant": name, "macro_f1": report["macro avg"]["f1-score"], "accuracy": report["accuracy"],
            "training_s": training_seconds}


def main() -> int:
    base = yaml.safe_load(CONFIG.read_text())
    rows = []
    for name, change in VARIANTS.items():
        with tempfile.TemporaryDirectory() as folder:
            row = score(name, change(base["pipeline"]), base, Path(folder))
        rows.append(row)
        print(f"{row['variant']}: macro-F1 {row['macro_f1']:.4f}, accuracy {row['accuracy']:.4f}, "
              f"training {row['training_s']:.0f} s", flush=True)
    output = PROJECT_ROOT / "results" / "pipelines.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
