"""Pseudonymous customer ids for logs and metrics: a keyed hash (HMAC-SHA256 with PSEUDONYM_KEY) of the Rasa
conversation id, so one customer's lines can be followed without the phone number ever being written out, and
nobody without the key can get from a number to its pseudonym by hashing guesses."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from dealer.settings import get_settings

PSEUDONYM_HEX_CHARS = 16  # 64 bits: collisions stay unlikely for millions of customers


def pseudonym(customer_id: str) -> str:
    return _pseudonym(get_settings().observability.pseudonym_key, customer_id)


@lru_cache(maxsize=4096)
def _pseudonym(key: str, customer_id: str) -> str:
    digest = hmac.new(key.encode("utf-8"), str(customer_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]
