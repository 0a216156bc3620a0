"""`POST /webhooks/seller/bot` with `{"msg": "...", "user_id": "..."}`: the seed-compatible test endpoint.

Answers `{"user_id": ..., "messages": [{"text": ...}, ...]}` once the turn is done; bad input gets a 4xx
with a JSON `{"error": ...}` that says what is wrong.
"""

from __future__ import annotations

from sanic import response
from sanic.response import HTTPResponse

from connectors.http_input import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    JsonTurn,
    JsonTurnInput,
    check_sender,
    parse_json_object,
    text_field,
)

MAX_USER_ID_CHARS = MAX_SENDER_CHARS
SHAPE = '{"msg": "...", "user_id": "..."}'


def parse_payload(body: bytes) -> tuple[str, str]:
    """(msg, user_id) from a request body, or BadRequest saying exactly what is wrong."""
    payload = parse_json_object(body, SHAPE)
    msg = text_field(payload, "msg", MAX_MESSAGE_CHARS)
    return msg, check_sender(text_field(payload, "user_id", MAX_USER_ID_CHARS), "user_id")


def _sender_first(body: bytes) -> tuple[str, str]:
    msg, user_id = parse_payload(body)
    return user_id, msg


class SellerInput(JsonTurnInput):
    webhook_path = "/bot"
    parse = staticmethod(_sender_first)

    @classmethod
    def name(cls) -> str:
        return "seller"

    def answer(self, turn: JsonTurn) -> HTTPResponse:
        if turn.failed:
            return response.json({"error": "the assistant could not answer; try again"}, status=500)
        return response.json({"user_id": turn.sender, "messages": turn.messages})
