"""A stand-in for an OpenAI-compatible chat completions server on loopback, for tests and the benchmark.

It records every request body and answers from a script, one entry per request, then the default. An entry is a
dict: {"text": ...}, {"tool_calls": [(name, {arguments}), ...]}, {"status": 429 or 500}, {"malformed": True}; any
of them may add {"delay": seconds}.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any, Optional

from testing.stub_server import StubReply, StubRequest, StubServer

DEFAULT_REPLY = "Con gusto te ayudo. ¿Qué auto te interesa?"


class FakeOpenAI(StubServer):
    def __init__(self, default: Optional[dict[str, Any]] = None, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.requests: list[dict[str, Any]] = []
        self.script: deque[dict[str, Any]] = deque()
        self.default = default or {"text": DEFAULT_REPLY}

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def then(self, *entries: dict[str, Any]) -> FakeOpenAI:
        self.script.extend(entries)
        return self

    def reset(self, default: Optional[dict[str, Any]] = None) -> None:
        with self.lock:
            self.requests.clear()
            self.script.clear()
            self.default = default or {"text": DEFAULT_REPLY}

    def respond(self, request: StubRequest) -> StubReply:
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return StubReply.json(404, {"error": {"message": "not found"}})
        with self.lock:
            self.requests.append(request.json())
            entry = self.script.popleft() if self.script else self.default
        time.sleep(entry.get("delay", 0))
        if "status" in entry:
            return StubReply.json(entry["status"], {"error": {"message": "simulated", "type": "server_error"}})
        if entry.get("malformed"):
            return StubReply(200, b'{"id": "x", "choices": [{"message": ')
        if "tool_calls" in entry:
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{index}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}
                for index, (name, arguments) in enumerate(entry["tool_calls"])
            ]}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": entry["text"]}, "stop"
        return StubReply.json(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })
