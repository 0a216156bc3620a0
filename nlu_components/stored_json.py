"""A JSON value stored with the trained model, in the component's own resource (the catalog vocabulary, the words of
the training examples)."""

from __future__ import annotations

import json
from typing import Any, Optional

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def read_json(model_storage: ModelStorage, resource: Resource, name: str) -> Optional[Any]:
    """The value stored under `name`, or None when the model holds none (trained before it existed) or it is not
    JSON."""
    try:
        with model_storage.read_from(resource) as directory:
            return json.loads((directory / name).read_text(encoding="utf-8"))
    except (ValueError, FileNotFoundError):
        return None


def write_json(model_storage: ModelStorage, resource: Resource, name: str, value: Any) -> None:
    with model_storage.write_to(resource) as directory:
        (directory / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
