"""What the JSON channels (REST, seller) check before any work, in this order: the bearer token, the body's size
(413 from Content-Length before a byte is read, then while reading), the JSON, the fields (control and bidi
characters stripped, lengths capped), the sender id (no "whatsapp:" ids outside WhatsApp) and the customer's rate.

Routes using `read_body` must be declared with `stream=True`, so Sanic does not buffer the body (up to its 100 MB
default) before the handler runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from dealer.access import access_problem
from dealer.handoffs.store import StaffReplyStore
from dealer.limits import RATE_LIMITED_REPLY, RateLimiter, message_limit, shared_limiter
from dealer.privacy import pseudonym
from dealer.settings import Settings, get_settings
from dealer.text import clean_text

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 4096
MAX_SENDER_CHARS = 128
# Conversation ids only the WhatsApp channel may use: whoever posts one elsewhere would speak for that customer.
RESERVED_SENDER_PREFIXES = ("whatsapp:",)


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes, else BadRequest(413) before reading (or while reading) the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"the body is larger than {limit // 1024} KiB", status=413)
    if request.stream is not None:
        request.stream.request_max_size = limit
    try:
        await request.receive_body()
    except PayloadTooLarge:
        raise BadRequest(f"the body is larger than {limit // 1024} KiB", status=413) from None
    return request.body or b""


def parse_json_object(body: bytes, shape: str) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"the body is larger than {MAX_BODY_BYTES // 1024} KiB", status=413)
    try:
        payload: Any = json.loads(body)
    except RecursionError:
        raise BadRequest("the body's JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError, and integers too long to convert
        raise BadRequest(f"the body must be JSON: {shape}") from None
    if not isinstance(payload, dict):
        raise BadRequest(f"the body must be a JSON object: {shape}")
    return payload


def text_field(payload: dict[str, Any], field: str, limit: int) -> str:
    value = payload.get(field)
    if value is None:
        raise BadRequest(f"'{field}' is missing")
    if not isinstance(value, str):
        raise BadRequest(f"'{field}' must be a string, got {type(value).__name__}")
    value = clean_text(value).strip()
    if not value:
        raise BadRequest(f"'{field}' is empty")
    if len(value) > limit:
        raise BadRequest(f"'{field}' is longer than {limit} characters", status=413)
    return value


def check_sender(sender: str, field: str) -> str:
    if sender.lower().startswith(RESERVED_SENDER_PREFIXES):
        raise BadRequest(f"'{field}' may not start with 'whatsapp:' on this channel", status=403)
    return sender


def refused_access(request: Request, token: Optional[str], on_loopback: bool, realm: str) -> Optional[HTTPResponse]:
    """The 401 to answer when the request lacks the bearer `token` (or, with no token set, when the server is not
    on loopback), else None."""
    problem = access_problem(request.headers.get("authorization"), token, on_loopback)
    if problem is None:
        return None
    return response.json({"error": problem}, status=401, headers={"WWW-Authenticate": f'Bearer realm="{realm}"'})


@lru_cache(maxsize=4)
def message_limiter(redis_url: Optional[str]) -> RateLimiter:
    """Shared by every channel of this process, and across processes through REDIS_URL when it is set."""
    return shared_limiter(redis_url)


def rate_limited(sender: str, settings: Settings, reply_once: bool = False) -> Optional[str]:
    """None while the customer is within RATE_LIMIT_PER_MINUTE (the turn may run), else the polite reply;
    `reply_once`: only the window's first refused message gets it, later ones get "" (say nothing)."""
    decision = message_limit(message_limiter(settings.redis_url), sender, settings.limits.messages_per_minute)
    if decision.allowed:
        return None
    return RATE_LIMITED_REPLY if decision.first_refusal or not reply_once else ""


@dataclass(frozen=True)
class JsonTurn:
    sender: str
    messages: list[dict[str, Any]]  # what the bot said (or the rate limit's polite reply)
    failed: bool  # the turn raised; `messages` holds what was said before it did


Parse = Callable[[bytes], tuple[str, str]]  # body -> (sender, message), or BadRequest


async def run_json_turn(
    request: Request, settings: Settings, parse: Parse, on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: str,
) -> Union[HTTPResponse, JsonTurn]:
    """Every check, then the turn: the 4xx to answer when a check fails, else what the turn said."""
    refused = refused_access(request, settings.security.channel_api_token, settings.security.on_loopback, "channels")
    if refused is not None:
        return refused
    try:
        sender, text = parse(await read_body(request, MAX_BODY_BYTES))
    except BadRequest as problem:
        return response.json({"error": str(problem)}, status=problem.status)
    polite = rate_limited(sender, settings)
    if polite is not None:
        return JsonTurn(sender, [{"recipient_id": sender, "text": polite}], failed=False)
    collector = CollectingOutputChannel()
    try:
        await on_new_message(UserMessage(text, collector, sender, input_channel=channel))
    except Exception:
        logger.exception("%s channel: the turn for %s failed", channel, pseudonym(sender))
        return JsonTurn(sender, collector.messages, failed=True)
    staff = await asyncio.to_thread(staff_replies(settings.database_url).take, sender)
    return JsonTurn(sender, [*({"recipient_id": sender, "text": text, "staff": True} for text in staff),
                             *collector.messages], failed=False)


class JsonTurnInput(InputChannel, ABC):
    """A channel that takes one JSON message per POST to `webhook_path`, behind every check above, with a health
    route at its root. Subclasses say how to read the body (`parse`) and how to answer the turn (`answer`)."""

    webhook_path = "/webhook"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()
        self.settings.require_safe_exposure()

    @staticmethod
    @abstractmethod
    def parse(body: bytes) -> tuple[str, str]:
        """(sender, message) from the body, or BadRequest saying what is wrong."""

    @abstractmethod
    def answer(self, turn: JsonTurn) -> HTTPResponse:
        """The response to a turn that ran (or failed: `turn.failed`)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route(self.webhook_path, methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            turn = await run_json_turn(request, self.settings, self.parse, on_new_message, self.name())
            return turn if isinstance(turn, HTTPResponse) else self.answer(turn)

        return webhook


@lru_cache(maxsize=4)
def staff_replies(database_url: str) -> StaffReplyStore:
    """Staff replies to JSON customers wait here (connectors/admin.py): these answers cannot be pushed, so they go
    out first in the customer's next answer."""
    return StaffReplyStore(database_url)
