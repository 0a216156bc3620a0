"""`POST /webhooks/seller/bot` with `{"msg": "...", "user_id": "..."}`: the seed-compatible test endpoint.

Answers `{"user_id": ..., "messages": [{"text": ...}, ...]}` once the turn is done; bad input gets a 4xx
with a JSON `{"error": ...}` that says what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.http_input import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    BadRequest,
    check_sender,
    parse_json_object,
    rate_limited,
    read_body,
    refused_access,
    text_field,
)
from dealer.privacy import pseudonym
from dealer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MAX_USER_ID_CHARS = MAX_SENDER_CHARS
SHAPE = '{"msg": "...", "user_id": "..."}'


def parse_payload(body: bytes) -> tuple[str, str]:
    """(msg, user_id) from a request body, or BadRequest saying exactly what is wrong."""
    payload = parse_json_object(body, SHAPE)
    msg = text_field(payload, "msg", MAX_MESSAGE_CHARS)
    return msg, check_sender(text_field(payload, "user_id", MAX_USER_ID_CHARS), "user_id")


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
            refused = refused_access(request, self.settings)
            if refused is not None:
                return refused
            try:
                msg, user_id = parse_payload(await read_body(request, MAX_BODY_BYTES))
            except BadRequest as problem:
                return response.json({"error": str(problem)}, status=problem.status)
            polite = rate_limited(user_id, self.settings)
            if polite is not None:
                return response.json({"user_id": user_id, "messages": [{"recipient_id": user_id, "text": polite}]})
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(msg, collector, user_id, input_channel=self.name()))
            except Exception:
                logger.exception("seller channel: the turn for %s failed", pseudonym(user_id))
                return response.json({"error": "the assistant could not answer; try again"}, status=500)
            return response.json({"user_id": user_id, "messages": collector.messages})

        return webhook
