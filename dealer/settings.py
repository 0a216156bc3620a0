"""Configuration, read once from the environment (and an optional `.env` at the root).

Every variable here is listed with its default in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import re
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
    "KNOWLEDGE_MIN_SCORE": "0.3",
    # Containers: the host the Rasa server calls the action server on (compose: actions).
    "ACTION_HOST": "127.0.0.1",
    # Access, limits and data protection (issue 15).
    "RASA_INTERFACE": "127.0.0.1",
    "CHANNEL_API_TOKEN": "",
    "ADMIN_API_TOKEN": "",
    "PSEUDONYM_KEY": "",
    "RATE_LIMIT_PER_MINUTE": "20",
    "LLM_CALLS_PER_HOUR": "30",
    "LLM_DAILY_BUDGET_USD": "10",
    "RETENTION_DAYS": "180",
    # Scale-out: Sanic workers of the Rasa server, and the Redis that orders one customer's turns across them.
    "RASA_WORKERS": "1",
    "NOTIFY_MAX_AGE_HOURS": "72",
    "SESSION_MAX_TURNS": "20",
    "REDIS_URL": "",
    # Observability (dealer/metrics.py, dealer/observability/, dealer/privacy.py)
    "METRICS": "on",
    "PROMETHEUS_MULTIPROC_DIR": "",
    "LLM_PRICE_INPUT_PER_1K": "",
    "LLM_PRICE_OUTPUT_PER_1K": "",
    # NPS survey
    "NPS_COOLDOWN_DAYS": "30",
    # Bookings: visits and test drives one branch takes in the same hour
    "BOOKING_CAPACITY_PER_HOUR": "2",
    # Hand-off to a person: the bot stays quiet for the customer this long unless staff release them sooner.
    "HANDOFF_TIMEOUT_HOURS": "24",
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
    # USD per 1,000 tokens; None: the price list in dealer/llm/usage.py for the model
    price_input_per_1k: Optional[Decimal] = None
    price_output_per_1k: Optional[Decimal] = None

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
class SecuritySettings:
    interface: str  # where the Rasa server listens; beyond loopback the channels need CHANNEL_API_TOKEN
    channel_api_token: Optional[str]  # REST and seller channels: "Authorization: Bearer <token>"
    admin_api_token: Optional[str]  # staff endpoints
    pseudonym_key: Optional[str]  # keys the pseudonyms written to logs instead of customer ids

    @property
    def on_loopback(self) -> bool:
        return is_loopback(self.interface)


@dataclass(frozen=True)
class LimitSettings:
    messages_per_minute: int  # per customer, every channel
    llm_calls_per_hour: int  # per customer
    llm_daily_budget_usd: float  # for the whole bot; beyond it answers are offline
    retention_days: int  # message bodies, delivery statuses and closed conversations older than this are deleted


@dataclass(frozen=True)
class ObservabilitySettings:
    enabled: bool  # METRICS=off: no per-turn log line, no metrics updates (the bench compares both)
    multiproc_dir: Optional[str]  # several worker processes share their metrics through files here


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    rasa_port: int
    action_port: int
    action_host: str
    page_size: int
    session_ttl_minutes: float  # a conversation idle this long starts a new session
    financing: FinancingTerms
    notify_webhook_url: Optional[str]
    twilio: TwilioSettings
    llm: LlmSettings
    security: SecuritySettings
    limits: LimitSettings
    observability: ObservabilitySettings
    nps_cooldown_days: int  # a customer is asked the NPS question at most once in this many days (0: every session)
    rasa_workers: int = 1
    redis_url: Optional[str] = None  # None: in-process conversation locks, one Rasa process only
    notify_max_age_hours: float = 72.0  # a lead's announcement is retried this long, then marked failed
    session_max_turns: int = 20  # customer messages before a session rolls over into a new one (slots carried)
    booking_capacity_per_hour: int = 2  # visits and test drives one branch takes in the same hour
    handoff_timeout_hours: float = 24.0  # a hand-off not released by staff ends by itself after this long

    @classmethod
    def from_mapping(cls, values: Mapping[str, Optional[str]]) -> Settings:
        merged = {**DEFAULTS, **{k: v for k, v in values.items() if k in DEFAULTS and v not in (None, "")}}
        return cls(
            database_url=_absolute_sqlite_url(merged["DATABASE_URL"]),
            tracker_store_url=_absolute_sqlite_url(merged["TRACKER_STORE_URL"]),
            rasa_port=_int(merged, "RASA_PORT", 1, 65535),
            action_port=_int(merged, "ACTION_PORT", 1, 65535),
            action_host=_host(merged, "ACTION_HOST"),
            page_size=_int(merged, "PAGE_SIZE", 1, 20),
            session_ttl_minutes=_session_ttl(merged),
            financing=_financing_terms(merged),
            notify_webhook_url=_http_url(merged, "NOTIFY_WEBHOOK_URL"),
            twilio=_twilio(merged),
            llm=_llm(merged),
            security=_security(merged),
            limits=_limits(merged),
            observability=_observability(merged),
            **_scale_out(merged),
            nps_cooldown_days=_int(merged, "NPS_COOLDOWN_DAYS", 0, 3650),
            booking_capacity_per_hour=_int(merged, "BOOKING_CAPACITY_PER_HOUR", 1, 100),
            handoff_timeout_hours=_handoff_timeout(merged),
        )

    def exposure_problems(self) -> list[str]:
        """Why this configuration must not serve beyond loopback (empty on loopback, or when nothing is missing)."""
        if self.security.on_loopback:
            return []
        where = f"RASA_INTERFACE={self.security.interface} is beyond loopback"
        problems = []
        if not self.security.channel_api_token:
            problems.append(f"{where}: set CHANNEL_API_TOKEN (the REST and seller channels would be open to anyone)")
        if not self.twilio.validate_signature:
            problems.append(f"{where}: TWILIO_VALIDATE_SIGNATURE=false would let anyone write as any WhatsApp customer")
        if not self.twilio.public_url:
            problems.append(f"{where}: set PUBLIC_URL (the URL Twilio signs; proxy headers may not choose it)")
        if not self.security.pseudonym_key:
            problems.append(f"{where}: set PSEUDONYM_KEY (logs name customers by a keyed hash)")
        return problems

    def require_safe_exposure(self) -> None:
        problems = self.exposure_problems()
        if problems:
            raise SettingsError("refusing to start: " + "; ".join(problems))

    def as_environment(self) -> dict[str, str]:
        """The variables child processes (Rasa, the action server) need, resolved."""
        return {
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "ACTION_HOST": self.action_host,  # read by the Rasa server through endpoints.yml
            "PAGE_SIZE": str(self.page_size),
            # Read by the Rasa server through endpoints.yml (connectors/tracker_store.py).
            "SESSION_TTL_MINUTES": f"{self.session_ttl_minutes:g}",
            "RASA_INTERFACE": self.security.interface,
            # endpoints.yml's lock store (empty: in-process locks) and Rasa's own variable for its worker count.
            "REDIS_URL": self.redis_url or "",
            "SANIC_WORKERS": str(self.rasa_workers),
            "SESSION_MAX_TURNS": str(self.session_max_turns),
            # Read by prometheus_client itself when it is imported (dealer/metrics.py).
            **({"PROMETHEUS_MULTIPROC_DIR": self.observability.multiproc_dir} if self.observability.multiproc_dir else {}),
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


def _host(values: Mapping[str, str], name: str) -> str:
    host = values[name].strip()
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
        raise SettingsError(f"{name} must be a host name or address such as actions or 10.0.1.5, got {host!r}")
    return host


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
        price_input_per_1k=_price(values, "LLM_PRICE_INPUT_PER_1K"),
        price_output_per_1k=_price(values, "LLM_PRICE_OUTPUT_PER_1K"),
    )


def _price(values: Mapping[str, str], name: str) -> Optional[Decimal]:
    raw = values[name].strip()
    if not raw:
        return None
    try:
        price = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be a price in USD per 1,000 tokens such as 0.00015, got {raw!r}") from None
    if not price.is_finite() or not 0 <= price <= 1:
        raise SettingsError(f"{name} must be between 0 and 1 USD per 1,000 tokens, got {raw}")
    return price


def _observability(values: Mapping[str, str]) -> ObservabilitySettings:
    switch = values["METRICS"].strip().lower()
    if switch not in ("on", "off"):
        raise SettingsError(f"METRICS must be on or off, got {switch!r}")
    return ObservabilitySettings(
        enabled=switch == "on",
        multiproc_dir=values["PROMETHEUS_MULTIPROC_DIR"].strip() or None,
    )


def is_loopback(interface: str) -> bool:
    host = interface.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _security(values: Mapping[str, str]) -> SecuritySettings:
    interface = values["RASA_INTERFACE"].strip()
    tokens = {}
    for name in ("CHANNEL_API_TOKEN", "ADMIN_API_TOKEN", "PSEUDONYM_KEY"):
        token = values[name].strip()
        if token and len(token) < 16:
            raise SettingsError(f"{name} must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        tokens[name] = token or None
    return SecuritySettings(interface, tokens["CHANNEL_API_TOKEN"], tokens["ADMIN_API_TOKEN"], tokens["PSEUDONYM_KEY"])


def _limits(values: Mapping[str, str]) -> LimitSettings:
    raw = values["LLM_DAILY_BUDGET_USD"]
    try:
        budget = float(raw)
    except ValueError:
        raise SettingsError(f"LLM_DAILY_BUDGET_USD must be a number of dollars, got {raw!r}") from None
    if not 0 <= budget <= 100_000:  # also refuses nan
        raise SettingsError(f"LLM_DAILY_BUDGET_USD must be between 0 and 100000 (0: no model calls), got {raw}")
    return LimitSettings(
        messages_per_minute=_int(values, "RATE_LIMIT_PER_MINUTE", 1, 10_000),
        llm_calls_per_hour=_int(values, "LLM_CALLS_PER_HOUR", 0, 100_000),
        llm_daily_budget_usd=budget,
        retention_days=_int(values, "RETENTION_DAYS", 1, 3650),
    )
def _scale_out(values: Mapping[str, str]) -> dict[str, object]:
    workers = _int(values, "RASA_WORKERS", 1, 32)
    redis_url = values["REDIS_URL"].strip()
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got {redis_url!r}")
    if workers > 1 and not redis_url:
        raise SettingsError(
            f"RASA_WORKERS={workers} needs REDIS_URL: without it each worker would lock a customer's conversation "
            "only in its own memory and two workers could run one customer's turns at once"
        )
    raw_age = values["NOTIFY_MAX_AGE_HOURS"]
    try:
        max_age = float(raw_age)
    except ValueError:
        raise SettingsError(f"NOTIFY_MAX_AGE_HOURS must be a number of hours, got {raw_age!r}") from None
    if not 0 < max_age <= 24 * 30:
        raise SettingsError(f"NOTIFY_MAX_AGE_HOURS must be above 0 and at most 720 (30 days), got {raw_age}")
    return {
        "rasa_workers": workers, "redis_url": redis_url or None, "notify_max_age_hours": max_age,
        "session_max_turns": _int(values, "SESSION_MAX_TURNS", 2, 1000),
    }


def _handoff_timeout(values: Mapping[str, str]) -> float:
    raw = values["HANDOFF_TIMEOUT_HOURS"]
    try:
        hours = float(raw)
    except ValueError:
        raise SettingsError(f"HANDOFF_TIMEOUT_HOURS must be a number of hours, got {raw!r}") from None
    # Fractions of an hour are allowed (tests); a month is the longest a customer should wait for a person.
    if not 0 < hours <= 24 * 30:
        raise SettingsError(f"HANDOFF_TIMEOUT_HOURS must be above 0 and at most 720 (30 days), got {raw}")
    return hours


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
