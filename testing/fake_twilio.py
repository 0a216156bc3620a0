"""A stand-in for Twilio's Messages API on loopback, for tests and the benchmark.

A real HTTP server: it records every message sent (form fields, account, auth) and can be told to answer the next
requests with error statuses (429, 500) before it accepts again.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs

from testing.servers import free_port

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


class FakeTwilioApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        # host "0.0.0.0": reachable from containers too (make image-test); the port is free on loopback.
        super().__init__((host, free_port()), _Handler)
        self.sent: list[SentMessage] = []
        self.failures: deque[int] = deque()
        self.requests = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def start(self) -> FakeTwilioApi:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[SentMessage]:
        """The sent messages once at least `count` arrived (or whatever arrived by the deadline)."""
        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.sent)

    def to(self, recipient: str) -> list[SentMessage]:
        return [message for message in self.sent if message.to == recipient]


class _Handler(BaseHTTPRequestHandler):
    server: FakeTwilioApi
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the name http.server expects
        fields = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(), keep_blank_values=True)
        match = _MESSAGES_PATH.match(self.path)
        with self.server._lock:
            self.server.requests += 1
            failure = self.server.failures.popleft() if self.server.failures else None
        if match is None:
            return self._json(404, {"code": 20404, "message": "not found", "status": 404})
        if failure is not None:
            return self._json(failure, {"code": 20429 if failure == 429 else 20500, "message": "try later",
                                        "status": failure})
        user = base64.b64decode(self.headers.get("Authorization", "Basic ")[6:] or b"").decode().split(":")[0]
        sid = f"SM{next(self.server._ids):032d}"
        with self.server._lock:
            self.server.sent.append(SentMessage(
                account=match["account"], auth_user=user, to=_one(fields, "To"), from_=_one(fields, "From"),
                body=_one(fields, "Body"), media_urls=tuple(fields.get("MediaUrl", [])),
                status_callback=_one(fields, "StatusCallback") or None, at=time.monotonic(),
            ))
        self._json(201, {"sid": sid, "account_sid": match["account"], "status": "queued", "to": _one(fields, "To"),
                         "from": _one(fields, "From"), "body": _one(fields, "Body"), "num_media": "0"})

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]
