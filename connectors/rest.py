"""`POST /webhooks/rest/webhook` `{"sender": "...", "message": "..."}` → `[{"recipient_id", "text", ...}]`: Rasa's
REST channel (same name, path and answer) with the checks of connectors/http_input.py in front of the turn.

Unlike Rasa's own: a bearer token (CHANNEL_API_TOKEN, required beyond loopback), a 64 KiB body read as a stream
(413 before buffering), 400 with a JSON `{"error": ...}` for a malformed body, messages up to 4,096 characters with
control and bidi characters stripped, no "whatsapp:" sender ids, no client-chosen input channel or metadata (a
client could otherwise pose as another channel or set the customer's profile name), and the per-customer rate.
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
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

SHAPE = '{"sender": "...", "message": "..."}'


def parse_rest_payload(body: bytes) -> tuple[str, str]:
    """(sender, message), or BadRequest saying what is wrong."""
    payload = parse_json_object(body, SHAPE)
    sender = check_sender(text_field(payload, "sender", MAX_SENDER_CHARS), "sender")
    return sender, text_field(payload, "message", MAX_MESSAGE_CHARS)


class CheckedRestInput(JsonTurnInput, RestInput):
    parse = staticmethod(parse_rest_payload)

    @classmethod
    def name(cls) -> str:
        return "rest"

    def answer(self, turn: JsonTurn) -> HTTPResponse:
        # Like Rasa's channel, a failed turn answers what was said before it failed.
        return response.json(turn.messages)
