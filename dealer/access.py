"""Who may use an endpoint: bearer tokens compared in constant time. Shared by the Rasa server's channels
(CHANNEL_API_TOKEN) and staff endpoints (ADMIN_API_TOKEN); no web framework here, each server builds its own 401."""

from __future__ import annotations

import hmac
from typing import Optional


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_matches(given: Optional[str], expected: Optional[str]) -> bool:
    """Constant-time comparison; an unset expected token matches nothing."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def access_problem(authorization: Optional[str], expected: Optional[str], open_without_token: bool) -> Optional[str]:
    """Why a request may not go on (for a 401 body), or None. `open_without_token`: no token is configured and the
    server listens on loopback only, so anyone who can reach it is on this machine."""
    if expected is None:
        return None if open_without_token else "this endpoint is not configured with a token"
    given = bearer_token(authorization)
    if given is None:
        return "missing 'Authorization: Bearer <token>' header"
    if not token_matches(given, expected):
        return "wrong token"
    return None
