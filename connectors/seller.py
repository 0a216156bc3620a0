"""`POST /webhooks/seller/bot` with `{"msg": "...", "user_id": "..."}`: the seed-compatible test endpoint.

Answers `{"user_id": ..., "messages": [{"text": ...}, ...]}` once the turn is done; bad input gets a 4xx
with a JSON `{"error": ...}` that says what is wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.http_input import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    check_sender,
    parse_json_object,
    run_json_turn,
    text_field,
)
from dealer.settings import Settings, get_settings

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


class SellerInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "seller"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()
        self.settings.require_safe_exposure()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("seller_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/bot", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            turn = await run_json_turn(request, self.settings, _sender_first, on_new_message, self.name())
            if isinstance(turn, HTTPResponse):
                return turn
            if turn.failed:
                return response.json({"error": "the assistant could not answer; try again"}, status=500)
            return response.json({"user_id": turn.sender, "messages": turn.messages})

        return webhook
