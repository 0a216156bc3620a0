"""Stable pseudonyms for customers: what logs, reports and erasure markers carry instead of phone numbers.

HMAC-SHA256 keyed with PSEUDONYM_KEY: the same customer always gets the same pseudonym (logs can be followed), and
without the key nobody can test candidate phone numbers against it. Without a key (loopback only; settings refuse
to serve beyond it) a fixed development key is used, which is not secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from dealer.settings import get_settings

_DEVELOPMENT_KEY = b"autos-alameda-development-pseudonyms"
PSEUDONYM_CHARS = 16
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = get_settings().security.pseudonym_key
    return configured.encode() if configured else _DEVELOPMENT_KEY


def pseudonym(customer_id: str, key: bytes | None = None) -> str:
    """"c-" and 16 hex characters of HMAC-SHA256(key, customer id)."""
    digest = hmac.new(key or _key(), customer_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return "c-" + digest[:PSEUDONYM_CHARS]


def erasure_key(customer_id: str, key: bytes | None = None) -> str:
    """The full keyed hash an erasure marker is stored under."""
    return hmac.new(key or _key(), customer_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def redact_contacts(text: str) -> str:
    """Phone numbers and e-mail addresses a customer wrote, replaced (reports copied out of the stores)."""
    return _EMAIL.sub("[correo]", _PHONE.sub("[teléfono]", text))


def forget_key() -> None:
    """Tests: read PSEUDONYM_KEY again."""
    _key.cache_clear()
