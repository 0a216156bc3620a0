"""A stand-in for Twilio's Messages API on loopback, for tests and the benchmark.

It records every message sent (form fields, account, auth) and can be told to answer the next
requests with error statuses (429, 500) before it accepts again.
"""

from __future__ import annotations

import base64
import itertools
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qs

import requests
from twilio.request_validator import RequestValidator

from testing.stub_server import StubReply, StubRequest, StubServer

# The identity the tests and the benchmark give the bot and its Twilio account.
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
BOT_NUMBER = "whatsapp:+14155238886"
PUBLIC_URL = "https://bot.example.mx"
WEBHOOK_PATH = "/webhooks/whatsapp/webhook"
STATUS_PATH = "/webhooks/whatsapp/status"


def post_signed(base_url: str, fields: dict[str, str]) -> requests.Response:
    """POST a webhook form to a bot at `base_url`, signed as Twilio signs it for PUBLIC_URL."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + WEBHOOK_PATH, fields)
    return requests.post(base_url + WEBHOOK_PATH, data=fields, headers={"X-Twilio-Signature": signature}, timeout=10)


def inbound(sid: str, sender: str, body: str = "", **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": BOT_NUMBER,
        "Body": body, "NumMedia": "0", "ProfileName": "Cliente", "WaId": sender.split("+")[-1], **extra,
    }


_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class SentMessage:
    account: str
    auth_user: str
    to: str
    from_: str
    body: str
    media_urls: tuple[str, ...]
    status_callback: Optional[str]
    at: float


class FakeTwilioApi(StubServer):
    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.sent: list[SentMessage] = []
        self.failures: deque[int] = deque()
        self.requests = 0
        self._ids = itertools.count(1)

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[SentMessage]:
        """The sent messages once at least `count` arrived (or whatever arrived by the deadline)."""
        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.sent)

    def to(self, recipient: str) -> list[SentMessage]:
        return [message for message in self.sent if message.to == recipient]

    def respond(self, request: StubRequest) -> StubReply:
        fields = parse_qs(request.body.decode(), keep_blank_values=True)
        match = _MESSAGES_PATH.match(request.path)
        with self.lock:
            self.requests += 1
            failure = self.failures.popleft() if self.failures else None
        if request.method != "POST" or match is None:
            return StubReply.json(404, {"code": 20404, "message": "not found", "status": 404})
        if failure is not None:
            return StubReply.json(failure, {"code": 20429 if failure == 429 else 20500, "message": "try later",
                                            "status": failure})
        user = base64.b64decode(request.headers.get("Authorization", "Basic ")[6:] or b"").decode().split(":")[0]
        with self.lock:
            sid = f"SM{next(self._ids):032d}"
            self.sent.append(SentMessage(
                account=match["account"], auth_user=user, to=_one(fields, "To"), from_=_one(fields, "From"),
                body=_one(fields, "Body"), media_urls=tuple(fields.get("MediaUrl", [])),
                status_callback=_one(fields, "StatusCallback") or None, at=time.monotonic(),
            ))
        return StubReply.json(201, {"sid": sid, "account_sid": match["account"], "status": "queued",
                                    "to": _one(fields, "To"), "from": _one(fields, "From"), "body": _one(fields, "Body"),
                                    "num_media": "0"})


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]
