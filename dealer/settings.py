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

from dealer.financing.plans import FinancingTerms

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> default, as strings exactly as they would appear in `.env`.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": "sqlite:///.data/catalog.db",
    "TRACKER_STORE_URL": "sqlite:///.data/tracker.db",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "PAGE_SIZE": "5",
    "SESSION_TTL_MINUTES": "60",
    "FINANCING_ANNUAL_RATE": "10",
    "FINANCING_TERMS_YEARS": "3,4,5,6",
    "FINANCING_MIN_DOWN_PAYMENT_PERCENT": "10",
    "NOTIFY_WEBHOOK_URL": "",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_WHATSAPP_FROM": "",
    "TWILIO_API_BASE_URL": "https://api.twilio.com",
    "PUBLIC_URL": "",
    "TWILIO_VALIDATE_SIGNATURE": "true",
    "OPENAI_API_KEY": "",
    "OPENAI_BASE_URL": "",
    "OPENAI_MODEL": "gpt-4o-mini",
    "LLM_TIMEOUT_SECONDS": "8",
    "LLM_MAX_RETRIES": "1",
    "LLM_TOOLS": "on",
    "LLM_CONTEXT_TOKENS": "2000",
    "KNOWLEDGE_MIN_SCORE": "0.2",
    # NPS survey
    "NPS_COOLDOWN_DAYS": "30",
}


class SettingsError(ValueError):
    """A configuration value is present but unusable."""


@dataclass(frozen=True)
class LlmSettings:
    api_key: Optional[str]  # None: offline, no network call at all
    base_url: Optional[str]  # None: OpenAI's own
    model: str
    timeout_seconds: float  # for the whole answer, retries and tool rounds included
    max_retries: int
    tools: bool
    context_tokens: int
    knowledge_min_score: float

    @property
    def online(self) -> bool:
        return self.api_key is not None


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    whatsapp_from: str  # "whatsapp:+14155238886"
    api_base_url: str
    public_url: Optional[str]  # the base URL Twilio calls; signatures are computed over it
    validate_signature: bool

    @property
    def can_send(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.whatsapp_from)


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    rasa_port: int
    action_port: int
    page_size: int
    session_ttl_minutes: float  # a conversation idle this long starts a new session
    financing: FinancingTerms
    notify_webhook_url: Optional[str]
    twilio: TwilioSettings
    llm: LlmSettings
    nps_cooldown_days: int  # a customer is asked the NPS question at most once in this many days (0: every session)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Optional[str]]) -> Settings:
        merged = {**DEFAULTS, **{k: v for k, v in values.items() if k in DEFAULTS and v not in (None, "")}}
        return cls(
            database_url=_absolute_sqlite_url(merged["DATABASE_URL"]),
            tracker_store_url=_absolute_sqlite_url(merged["TRACKER_STORE_URL"]),
            rasa_port=_int(merged, "RASA_PORT", 1, 65535),
            action_port=_int(merged, "ACTION_PORT", 1, 65535),
            page_size=_int(merged, "PAGE_SIZE", 1, 20),
            session_ttl_minutes=_session_ttl(merged),
            financing=_financing_terms(merged),
            notify_webhook_url=_http_url(merged, "NOTIFY_WEBHOOK_URL"),
            twilio=_twilio(merged),
            llm=_llm(merged),
            nps_cooldown_days=_int(merged, "NPS_COOLDOWN_DAYS", 0, 3650),
        )

    def as_environment(self) -> dict[str, str]:
        """The variables child processes (Rasa, the action server) need, resolved."""
        return {
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "PAGE_SIZE": str(self.page_size),
            # Read by the Rasa server through endpoints.yml (connectors/tracker_store.py).
            "SESSION_TTL_MINUTES": f"{self.session_ttl_minutes:g}",
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


def _session_ttl(values: Mapping[str, str]) -> float:
    raw = values["SESSION_TTL_MINUTES"]
    try:
        minutes = float(raw)
    except ValueError:
        raise SettingsError(f"SESSION_TTL_MINUTES must be a number of minutes, got {raw!r}") from None
    # Fractions of a minute are allowed (tests); a week is the longest a stale listing should come back.
    if not 0 < minutes <= 7 * 24 * 60:
        raise SettingsError(f"SESSION_TTL_MINUTES must be above 0 and at most 10080 (a week), got {raw}")
    return minutes


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


def _http_url(values: Mapping[str, str], name: str) -> Optional[str]:
    url = values[name].strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {url!r}")
    return url or None


def _twilio(values: Mapping[str, str]) -> TwilioSettings:
    switch = values["TWILIO_VALIDATE_SIGNATURE"].strip().lower()
    if switch not in ("true", "false"):
        raise SettingsError(f"TWILIO_VALIDATE_SIGNATURE must be true or false, got {switch!r}")
    sender = values["TWILIO_WHATSAPP_FROM"].strip()
    if sender and not sender.startswith("whatsapp:+"):
        raise SettingsError(f"TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886, got {sender!r}")
    return TwilioSettings(
        account_sid=values["TWILIO_ACCOUNT_SID"].strip(),
        auth_token=values["TWILIO_AUTH_TOKEN"].strip(),
        whatsapp_from=sender,
        api_base_url=_http_url(values, "TWILIO_API_BASE_URL") or DEFAULTS["TWILIO_API_BASE_URL"],
        public_url=_http_url(values, "PUBLIC_URL"),
        validate_signature=switch == "true",
    )


def _llm(values: Mapping[str, str]) -> LlmSettings:
    tools = values["LLM_TOOLS"].strip().lower()
    if tools not in ("on", "off"):
        raise SettingsError(f"LLM_TOOLS must be on or off, got {tools!r}")
    try:
        timeout, min_score = float(values["LLM_TIMEOUT_SECONDS"]), float(values["KNOWLEDGE_MIN_SCORE"])
    except ValueError:
        raise SettingsError("LLM_TIMEOUT_SECONDS and KNOWLEDGE_MIN_SCORE must be numbers") from None
    if not 0.5 <= timeout <= 9:
        raise SettingsError(f"LLM_TIMEOUT_SECONDS must be between 0.5 and 9 (a customer waits 10 s at most), got {timeout}")
    if not 0 <= min_score <= 1:
        raise SettingsError(f"KNOWLEDGE_MIN_SCORE must be between 0 and 1, got {min_score}")
    return LlmSettings(
        api_key=values["OPENAI_API_KEY"].strip() or None,
        base_url=_http_url(values, "OPENAI_BASE_URL"),
        model=values["OPENAI_MODEL"].strip(),
        timeout_seconds=timeout,
        max_retries=_int(values, "LLM_MAX_RETRIES", 0, 5),
        tools=tools == "on",
        context_tokens=_int(values, "LLM_CONTEXT_TOKENS", 500, 100_000),
        knowledge_min_score=min_score,
    )


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
