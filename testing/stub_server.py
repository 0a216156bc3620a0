"""The base of every local stand-in server (chat model, Twilio API, webhook receivers): a real HTTP server on a free
loopback port, served from a daemon thread, whose subclasses only decide what to answer."""

from __future__ import annotations

import abc
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from testing.servers import free_port


@dataclass(frozen=True)
class StubRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class StubReply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})

    @classmethod
    def json(cls, status: int, payload: Any) -> StubReply:
        return cls(status, json.dumps(payload).encode())


class StubServer(ThreadingHTTPServer, abc.ABC):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        # host "0.0.0.0": reachable from containers too (make image-test); the port is free on loopback.
        super().__init__((host, free_port()), _Handler)
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    @abc.abstractmethod
    def respond(self, request: StubRequest) -> StubReply:
        """The reply to one request; runs in the request's own thread (a sleep here delays only that reply)."""

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: StubServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.respond(StubRequest(self.command, self.path, dict(self.headers), body))
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    do_GET = do_POST = _serve  # noqa: N815 - the names http.server expects

    def log_message(self, *_: Any) -> None:
        pass
