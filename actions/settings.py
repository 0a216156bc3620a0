"""Configuration, read once from the environment (and an optional `.env` at the root).

Every variable here is listed with its default in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Optional

from dotenv import dotenv_values

from actions.financing.plans import FinancingTerms

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> default, as strings exactly as they would appear in `.env`.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": "sqlite:///.data/catalog.db",
    "TRACKER_STORE_URL": "sqlite:///.data/tracker.db",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "PAGE_SIZE": "5",
    "FINANCING_ANNUAL_RATE": "10",
    "FINANCING_TERMS_YEARS": "3,4,5,6",
    "FINANCING_MIN_DOWN_PAYMENT_PERCENT": "10",
    "NOTIFY_WEBHOOK_URL": "",
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
    financing: FinancingTerms
    notify_webhook_url: Optional[str]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Optional[str]]) -> Settings:
        merged = {**DEFAULTS, **{k: v for k, v in values.items() if k in DEFAULTS and v not in (None, "")}}
        webhook_url = merged["NOTIFY_WEBHOOK_URL"].strip()
        if webhook_url and not webhook_url.startswith(("http://", "https://")):
            raise SettingsError(f"NOTIFY_WEBHOOK_URL must be an http(s) URL, got {webhook_url!r}")
        return cls(
            database_url=_absolute_sqlite_url(merged["DATABASE_URL"]),
            tracker_store_url=_absolute_sqlite_url(merged["TRACKER_STORE_URL"]),
            rasa_port=_int(merged, "RASA_PORT", 1, 65535),
            action_port=_int(merged, "ACTION_PORT", 1, 65535),
            page_size=_int(merged, "PAGE_SIZE", 1, 20),
            financing=_financing_terms(merged),
            notify_webhook_url=webhook_url or None,
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


def _percent(values: Mapping[str, str], name: str) -> Decimal:
    try:
        return Decimal(values[name].strip().rstrip("%")) / 100
    except InvalidOperation:
        raise ValueError(f"{name} must be a percentage such as 10 or 12.5, got {values[name]!r}") from None


def _financing_terms(values: Mapping[str, str]) -> FinancingTerms:
    try:
        terms = tuple(sorted({int(part) for part in values["FINANCING_TERMS_YEARS"].split(",") if part.strip()}))
        return FinancingTerms(
            annual_rate=_percent(values, "FINANCING_ANNUAL_RATE"),
            terms_years=terms,
            min_down_payment_share=_percent(values, "FINANCING_MIN_DOWN_PAYMENT_PERCENT"),
        )
    except ValueError as error:
        names = "FINANCING_ANNUAL_RATE, FINANCING_TERMS_YEARS, FINANCING_MIN_DOWN_PAYMENT_PERCENT"
        raise SettingsError(f"financing settings ({names}): {error}") from None


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
