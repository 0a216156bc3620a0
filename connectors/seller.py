"""`POST /webhooks/seller/bot` with `{"msg": "...", "user_id": "..."}`: the seed-compatible test endpoint.

Answers `{"user_id": ..., "messages": [{"text": ...}, ...]}` once the turn is done; bad input gets a 4xx
with a JSON `{"error": ...}` that says what is wrong.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 4096
MAX_USER_ID_CHARS = 128


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def parse_payload(body: bytes) -> tuple[str, str]:
    """(msg, user_id) from a request body, or BadRequest saying exactly what is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"the body is larger than {MAX_BODY_BYTES // 1024} KiB", status=413)
    try:
        payload: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest('the body must be JSON: {"msg": "...", "user_id": "..."}') from None
    if not isinstance(payload, dict):
        raise BadRequest('the body must be a JSON object: {"msg": "...", "user_id": "..."}')
    values = {}
    for field, limit in (("msg", MAX_MESSAGE_CHARS), ("user_id", MAX_USER_ID_CHARS)):
        value = payload.get(field)
        if value is None:
            raise BadRequest(f"'{field}' is missing")
        if not isinstance(value, str):
            raise BadRequest(f"'{field}' must be a string, got {type(value).__name__}")
        if not value.strip():
            raise BadRequest(f"'{field}' is empty")
        if len(value) > limit:
            raise BadRequest(f"'{field}' is longer than {limit} characters", status=413)
        values[field] = value.strip()
    return values["msg"], values["user_id"]


class SellerInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "seller"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("seller_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/bot", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                msg, user_id = parse_payload(request.body or b"")
            except BadRequest as problem:
                return response.json({"error": str(problem)}, status=problem.status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(msg, collector, user_id, input_channel=self.name()))
            except Exception:
                logger.exception("seller channel: the turn for %s failed", user_id)
                return response.json({"error": "the assistant could not answer; try again"}, status=500)
            return response.json({"user_id": user_id, "messages": collector.messages})

        return webhook
