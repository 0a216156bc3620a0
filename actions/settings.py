"""Configuration, read once from the environment (and an optional `.env` at the root).

Every variable here is listed with its default in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> default, as strings exactly as they would appear in `.env`.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": "sqlite:///.data/catalog.db",
    "TRACKER_STORE_URL": "sqlite:///.data/tracker.db",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "PAGE_SIZE": "5",
}


class SettingsError(ValueError):
    """A configuration value is present but unusable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    rasa_port: int
    action_port: int
    page_size: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, Optional[str]]) -> Settings:
        merged = {**DEFAULTS, **{k: v for k, v in values.items() if k in DEFAULTS and v not in (None, "")}}
        return cls(
            database_url=_absolute_sqlite_url(merged["DATABASE_URL"]),
            tracker_store_url=_absolute_sqlite_url(merged["TRACKER_STORE_URL"]),
            rasa_port=_int(merged, "RASA_PORT", 1, 65535),
            action_port=_int(merged, "ACTION_PORT", 1, 65535),
            page_size=_int(merged, "PAGE_SIZE", 1, 20),
        )

    def as_environment(self) -> dict[str, str]:
        """The variables child processes (Rasa, the action server) need, resolved."""
        return {
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "PAGE_SIZE": str(self.page_size),
        }


def _int(values: Mapping[str, str], name: str, low: int, high: int) -> int:
    raw = values[name]
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _absolute_sqlite_url(url: str) -> str:
    """Anchor relative SQLite paths at the project root so every process finds the same file."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith(prefix + "/") or url == prefix + ":memory:":
        return url
    path = PROJECT_ROOT / url[len(prefix):]
    path.parent.mkdir(parents=True, exist_ok=True)
    return prefix + str(path)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    file_values = dotenv_values(PROJECT_ROOT / ".env")
    return Settings.from_mapping({**file_values, **os.environ})
