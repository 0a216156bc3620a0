"""The sales team's webhook (NOTIFY_WEBHOOK_URL) on loopback: it keeps every JSON body it receives and answers as
told — at once, slowly, with an error status, or never."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Union

from testing.stub_server import StubReply, StubRequest, StubServer

HANG = "hang"  # a behaviour's answer: never reply (the notifier's timeout must fire)
SLOW = "slow"  # a behaviour's answer: 200 after half a second (a delivery still under way)
Behaviour = Callable[[int], Union[int, str]]


class WebhookReceiver(StubServer):
    def __init__(self, behaviour: Behaviour = lambda _: 200, delay: float = 0.0) -> None:
        """`behaviour(n)` gives the status for the n-th request (1-based), or HANG; `delay` precedes every reply."""
        super().__init__()
        self.behaviour = behaviour
        self.delay = delay
        self.bodies: list[Any] = []

    @property
    def leads_url(self) -> str:
        return f"{self.url}/leads"

    def respond(self, request: StubRequest) -> StubReply:
        with self.lock:
            self.bodies.append(request.json())
            status = self.behaviour(len(self.bodies))
        if status == HANG:
            time.sleep(3600)  # a daemon thread: it dies with the process
        if status == SLOW:
            time.sleep(0.5)
            status = 200
        time.sleep(self.delay)
        return StubReply(int(status), b"")

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.bodies)
