"""Staff endpoints on the Rasa server (`/webhooks/admin/...`), behind ADMIN_API_TOKEN (`Authorization: Bearer`):

    GET  /webhooks/admin/handoffs                        open hand-offs, oldest first
    GET  /webhooks/admin/conversation?customer=<id>      the conversation's recent messages (customer, bot, staff)
    POST /webhooks/admin/release  {"customer": "<id>"}   the bot answers that customer again
    POST /webhooks/admin/reply    {"customer": "<id>", "text": "..."}   a staff reply through the customer's channel

A staff reply is recorded in the conversation as a bot message with metadata `{"staff": true}`. On WhatsApp it is
sent at once through Twilio; REST and seller answers cannot be pushed, so it is kept and returned at the start of
the customer's next answer (connectors/http_input.py). Without ADMIN_API_TOKEN the endpoints answer only when the
server listens on loopback, as the channels do with CHANNEL_API_TOKEN. The conversation is changed under its lock,
so a staff action and a customer's turn never overwrite each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.http_input import (
    MAX_SENDER_CHARS,
    BadRequest,
    parse_json_object,
    read_body,
    refused_access,
    text_field,
)
from connectors.twilio_sender import TwilioSender
from dealer.handoffs.store import MAX_STAFF_REPLY_CHARS, HandoffStore, StaffReplyStore
from dealer.privacy import pseudonym
from dealer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

ADMIN_BODY_BYTES = 8 * 1024
MAX_MESSAGES_SHOWN = 100
ACTIVE_SLOT, SINCE_SLOT = "handoff_active", "handoff_since"  # rasa_policies/handoff.py
STAFF_METADATA = {"staff": True}
WHATSAPP_CHANNEL = "whatsapp"


class AdminInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "admin"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()
        self.handoffs = HandoffStore(self.settings.database_url, timedelta(hours=self.settings.handoff_timeout_hours))
        self.staff_replies = StaffReplyStore(self.settings.database_url)
        self.sender = TwilioSender(self.settings.twilio)
        self._agent: Any = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        admin = Blueprint("admin_api", __name__)

        @admin.listener("after_server_start")
        async def find_agent(app: Any, *_: Any) -> None:
            self._agent = getattr(app.ctx, "agent", None)

        @admin.listener("before_server_stop")
        async def close_sender(*_: Any) -> None:
            await self.sender.close()

        @admin.route("/handoffs", methods=["GET"])
        async def open_handoffs(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            if refused is not None:
                return refused
            handoffs = await asyncio.to_thread(self.handoffs.open_handoffs)
            return response.json({"handoffs": [handoff.as_json() for handoff in handoffs]})

        @admin.route("/conversation", methods=["GET"])
        async def conversation(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            if refused is not None:
                return refused
            customer = (request.args.get("customer") or "").strip()
            if not customer or len(customer) > MAX_SENDER_CHARS:
                return response.json({"error": "'customer' (the conversation id) is required"}, status=400)
            tracker = await self._agent.tracker_store.retrieve(customer)
            if tracker is None:
                return response.json({"error": "no such conversation"}, status=404)
            handoff = await asyncio.to_thread(self.handoffs.current, customer)
            return response.json({
                "customer": customer,
                "handoff": handoff.as_json() if handoff else None,
                "messages": _messages(tracker.events)[-MAX_MESSAGES_SHOWN:],
            })

        @admin.route("/release", methods=["POST"], stream=True)
        async def release(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            if refused is not None:
                return refused
            try:
                customer, _ = await self._fields(request, with_text=False)
            except BadRequest as problem:
                return response.json({"error": str(problem)}, status=problem.status)
            if not await self._append(customer, [SlotSet(ACTIVE_SLOT, False), SlotSet(SINCE_SLOT, None)]):
                return response.json({"error": "no such conversation"}, status=404)
            released = await asyncio.to_thread(self.handoffs.release, customer)
            logger.info("staff released %s (%d open hand-off(s))", pseudonym(customer), released)
            return response.json({"customer": customer, "released": released})

        @admin.route("/reply", methods=["POST"], stream=True)
        async def reply(request: Request) -> HTTPResponse:
            refused = self._refused(request)
            if refused is not None:
                return refused
            try:
                customer, text = await self._fields(request, with_text=True)
            except BadRequest as problem:
                return response.json({"error": str(problem)}, status=problem.status)
            tracker = await self._agent.tracker_store.retrieve(customer)
            if tracker is None:
                return response.json({"error": "no such conversation"}, status=404)
            channel = tracker.get_latest_input_channel()
            if channel == WHATSAPP_CHANNEL or customer.startswith(f"{WHATSAPP_CHANNEL}:"):
                sid = await self.sender.send(customer, text)
                if sid is None:
                    return response.json({"error": "WhatsApp did not take the message; nothing was recorded"},
                                         status=502)
                delivery = {"channel": channel, "sent": sid}
            else:
                await asyncio.to_thread(self.staff_replies.queue, customer, text)
                delivery = {"channel": channel, "queued": "returned with the customer's next message"}
            await self._append(customer, [BotUttered(text, metadata=STAFF_METADATA)])
            logger.info("staff replied to %s through %s", pseudonym(customer), channel)
            return response.json({"customer": customer, **delivery})

        return admin

    def _refused(self, request: Request) -> Optional[HTTPResponse]:
        security = self.settings.security
        refused = refused_access(request, security.admin_api_token, security.on_loopback, "admin")
        if refused is not None:
            return refused
        if self._agent is None or self._agent.tracker_store is None:
            return response.json({"error": "the conversation store is not ready"}, status=503)
        return None

    @staticmethod
    async def _fields(request: Request, with_text: bool) -> tuple[str, str]:
        shape = '{"customer": "...", "text": "..."}' if with_text else '{"customer": "..."}'
        payload = parse_json_object(await read_body(request, ADMIN_BODY_BYTES), shape)
        customer = text_field(payload, "customer", MAX_SENDER_CHARS)
        return customer, text_field(payload, "text", MAX_STAFF_REPLY_CHARS) if with_text else ""

    async def _append(self, customer: str, events: list[Any]) -> bool:
        """Add events to the stored conversation under its lock; False when there is no such conversation."""
        async with self._agent.lock_store.lock(customer):
            tracker = await self._agent.tracker_store.retrieve(customer)
            if tracker is None:
                return False
            for event in events:
                tracker.update(event)
            await self._agent.tracker_store.save(tracker)
            return True


def _messages(events: Any) -> list[dict[str, Any]]:
    shown = []
    for event in events:
        if isinstance(event, UserUttered) and event.text:
            shown.append({"from": "customer", "text": event.text, "at": event.timestamp})
        elif isinstance(event, BotUttered) and event.text:
            staff = bool((event.metadata or {}).get("staff"))
            shown.append({"from": "staff" if staff else "bot", "text": event.text, "at": event.timestamp})
    return shown
