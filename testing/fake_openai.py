"""A stand-in for an OpenAI-compatible chat completions server on loopback, for tests and the benchmark.

A real HTTP server: it records every request body and answers from a script, one entry per request, then the
default. An entry is a dict: {"text": ...}, {"tool_calls": [(name, {arguments}), ...]}, {"status": 429 or 500},
{"malformed": True}; any of them may add {"delay": seconds}.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from testing.servers import free_port

DEFAULT_REPLY = "Con gusto te ayudo. ¿Qué auto te interesa?"


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, default: Optional[dict[str, Any]] = None, host: str = "127.0.0.1") -> None:
        # host "0.0.0.0": reachable from containers too (make image-test); the port is free on loopback.
        super().__init__((host, free_port()), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.script: deque[dict[str, Any]] = deque()
        self.default = default or {"text": DEFAULT_REPLY}
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1"

    def start(self) -> FakeOpenAI:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def then(self, *entries: dict[str, Any]) -> FakeOpenAI:
        self.script.extend(entries)
        return self

    def reset(self, default: Optional[dict[str, Any]] = None) -> None:
        with self._lock:
            self.requests.clear()
            self.script.clear()
            self.default = default or {"text": DEFAULT_REPLY}

    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(body)
            return self.script.popleft() if self.script else self.default


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the name http.server expects
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.endswith("/chat/completions"):
            return self._send(404, {"error": {"message": "not found"}})
        entry = self.server._next(json.loads(raw))
        time.sleep(entry.get("delay", 0))
        if "status" in entry:
            return self._send(entry["status"], {"error": {"message": "simulated", "type": "server_error"}})
        if entry.get("malformed"):
            return self._send(200, None, raw_body=b'{"id": "x", "choices": [{"message": ')
        if "tool_calls" in entry:
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{index}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}
                for index, (name, arguments) in enumerate(entry["tool_calls"])
            ]}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": entry["text"]}, "stop"
        self._send(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    def _send(self, status: int, payload: Any, raw_body: Optional[bytes] = None) -> None:
        body = raw_body if raw_body is not None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    def log_message(self, *_: Any) -> None:
        pass
