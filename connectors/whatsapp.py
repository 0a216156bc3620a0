"""WhatsApp through Twilio: `POST /webhooks/whatsapp/webhook` and `POST /webhooks/whatsapp/status`.

Unlike Rasa's own twilio channel, this one checks X-Twilio-Signature (and the AccountSid), answers Twilio at once
with an empty TwiML `<Response/>`, runs the turn in the background, one customer's messages in arrival order,
handles each MessageSid exactly once, and sends the replies through the Messages API without blocking the event loop.

Exactly once, across restarts, Sanic workers and replicas: the accepted message is stored before Twilio gets its
answer (a retried delivery is refused by its MessageSid); one process at a time holds a customer's lease
(whatsapp_store.py) and runs their pending messages oldest first, counting each attempt; a lease whose process
died lapses and a sweep in every process picks the customer up. A message whose turn had already been saved
when its process died is answered from the stored conversation instead of running again; one that still has
not been answered after MAX_ATTEMPTS gets an apology and is flagged for a person. Replies are counted as they go
out, so one cut short by a crash sends only what is missing (at worst one reply twice, never a turn twice).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Optional, Union
from urllib.parse import parse_qsl

from multidict import MultiDict
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from connectors import turn_observer, whatsapp_metrics
from connectors.http_input import BadRequest, rate_limited, read_body
from connectors.twilio_sender import TwilioSender
from connectors.whatsapp_messages import (
    InboundMessage,
    OutgoingMessage,
    RenderedReplies,
    answer_to_option,
    render_replies,
)
from connectors.whatsapp_store import DONE, FAILED, ClaimedMessage, WhatsAppStore
from dealer.knowledge.branches import location_message, parse_coordinates
from dealer.knowledge.presenter import BAD_LOCATION_REPLY
from dealer.privacy import pseudonym
from dealer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 100  # Twilio sends about 20 (10 media items add 20 more)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
STATUS_PATH = "/webhooks/whatsapp/status"
TEXT_ONLY_REPLY = (
    "¡Gracias! 🙌 Por ahora solo puedo leer mensajes de texto. ¿Me lo escribes? "
    "Por ejemplo: «quiero un Versa 2020» o «menú»."
)
TURN_FAILED_REPLY = "Perdón, tuve un problema para responderte 🙏 ¿Me lo escribes de nuevo en un momento?"
GAVE_UP_REPLY = (
    "Perdón, no logré responder tu mensaje 🙏 Ya le pedí a un asesor que te escriba en cuanto pueda."
)
# A customer's lease: renewed every third of it while their messages run; a dead process's lapses after it.
LEASE_SECONDS = 10.0
SWEEP_SECONDS = 3.0  # how often every process looks for customers nobody is handling
MAX_ATTEMPTS = 3  # turns started for one message before it is handed to a person
# A customer with this many messages waiting is flooding: later ones are dropped (the rate limit answers them).
MAX_QUEUED_PER_SENDER = 20

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, settings: Optional[Settings] = None):
        self.settings = settings or get_settings()
        self.settings.require_safe_exposure()
        twilio = self.settings.twilio
        self.validator = RequestValidator(twilio.auth_token) if twilio.auth_token else None
        self.store = WhatsAppStore(self.settings.database_url)
        # Store calls run in two threads: one for what Twilio's acknowledgement waits for (storing the message),
        # one for the background work (leases, attempts, options). More would make SQLite writers meet in its busy
        # handler (sleeps of up to 100 ms); one alone would queue the acknowledgement behind the background work.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatsapp-store")
        self._acknowledgement_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatsapp-acknowledge")
        status_url = f"{twilio.public_url}{STATUS_PATH}" if twilio.public_url else None
        self.sender = TwilioSender(twilio, status_callback_url=status_url)
        self.owner = ""  # this process's name on the leases it holds; set when its server starts
        self._draining: dict[str, asyncio.Task] = {}  # customers whose messages this process is running
        self._held: set[str] = set()  # customers whose lease this process holds (renewed by a thread)
        self._sweeper: Optional[asyncio.Task] = None
        self._stopping = False
        self._agent: Any = None  # the Rasa agent, to read a conversation back; absent in the stand-in server
        if not twilio.validate_signature:
            logger.warning(
                "TWILIO_VALIDATE_SIGNATURE=false: the WhatsApp webhook accepts unsigned requests; "
                "anyone who finds it can write as any customer. Use this only for local tests."
            )
        elif self.validator is None:
            logger.warning("TWILIO_AUTH_TOKEN is not set: the WhatsApp webhook refuses every request (403)")
        if not twilio.can_send:
            logger.warning("TWILIO_ACCOUNT_SID/AUTH_TOKEN/WHATSAPP_FROM not all set: WhatsApp replies are not sent")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("whatsapp_webhook", __name__)
        whatsapp_metrics.time_acknowledgements(webhook)

        @webhook.listener("after_server_start")
        async def start_sweeping(app: Any, *_: Any) -> None:
            # In each Sanic worker, after the fork: its own database connections, its own name on leases.
            self.store.after_fork()
            self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
            threading.Thread(target=self._renew_leases, name="whatsapp-leases", daemon=True).start()
            self._agent = getattr(app.ctx, "agent", None)
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(on_new_message))

        @webhook.listener("before_server_stop")
        async def stop_handling(*_: Any) -> None:
            self._stopping = True
            if self._sweeper is not None:
                self._sweeper.cancel()
            # Turns under way finish (their customers' leases are released); later ones wait for the next start.
            await asyncio.gather(*self._draining.values(), return_exceptions=True)
            await self.sender.close()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            form = await self._checked_form(request)
            if isinstance(form, HTTPResponse):
                return form
            message = InboundMessage.from_form(form)
            if not message.sid or not message.sender:
                return response.text("MessageSid and From are required", status=400)
            if message.is_empty:
                return _twiml()
            if message.truncated:
                logger.info("WhatsApp: %s from %s cut to its first 4,096 characters", message.sid, pseudonym(message.sender))
            if await self._in_store_thread(self.store.pending_count, message.sender, acknowledging=True) >= MAX_QUEUED_PER_SENDER:
                logger.warning("WhatsApp: %s from %s dropped: that customer already has a full queue",
                               message.sid, pseudonym(message.sender))
                return _twiml()
            if not await self._in_store_thread(self.store.accept, message, acknowledging=True):
                logger.info("WhatsApp: %s was delivered again; already accepted, not handled twice", message.sid)
                return _twiml()
            self._run_customer(message.sender, on_new_message)
            return _twiml()

        @webhook.route("/status", methods=["POST"], stream=True)
        async def delivery_status(request: Request) -> HTTPResponse:
            form = await self._checked_form(request)
            if isinstance(form, HTTPResponse):
                return form
            sid, status = form.get("MessageSid", "").strip(), form.get("MessageStatus", "").strip()
            if not sid or not status:
                return response.text("MessageSid and MessageStatus are required", status=400)
            await self._in_store_thread(self.store.record_status, sid, status, form.get("To"), form.get("ErrorCode"),
                                        acknowledging=True)
            return _twiml()

        return webhook

    async def _checked_form(self, request: Request) -> Union[dict[str, str], HTTPResponse]:
        """The form's fields (first values) once the request passed every check, else the 4xx to answer.
        An unsigned request is refused before its body is read; an oversized one before it is parsed."""
        twilio = self.settings.twilio
        signature = request.headers.get("X-Twilio-Signature", "")
        if twilio.validate_signature and not (self.validator and signature):
            logger.warning("WhatsApp: refused a request without a signature (or no TWILIO_AUTH_TOKEN to check it)")
            return response.text("invalid signature", status=403)
        try:
            body = await read_body(request, MAX_FORM_BYTES)
        except BadRequest as problem:
            return response.text(str(problem), status=problem.status)
        # Blank fields count: Twilio signs an empty Body too, and Sanic's request.form drops it.
        try:
            fields = MultiDict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                                         max_num_fields=MAX_FORM_FIELDS))
        except ValueError:
            return response.text(f"more than {MAX_FORM_FIELDS} form fields", status=400)
        if twilio.validate_signature:
            url = self.signed_url(request)
            if not self.validator.validate(url, fields, signature):
                logger.warning("WhatsApp: refused a request to %s with a missing or wrong signature", url)
                return response.text("invalid signature", status=403)
        account = (fields.get("AccountSid") or "").strip()
        if twilio.account_sid and account != twilio.account_sid:
            logger.warning("WhatsApp: refused a request for another Twilio account (%r)", account[:40])
            return response.text("unknown account", status=403)
        return {name: fields[name] for name in fields.keys()}

    async def _in_store_thread(self, call: Callable[..., Any], *args: Any, acknowledging: bool = False) -> Any:
        # What Twilio's acknowledgement waits for never queues behind the background work's statements.
        thread = self._acknowledgement_thread if acknowledging else self._store_thread
        return await asyncio.get_running_loop().run_in_executor(thread, partial(call, *args))

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: PUBLIC_URL + path, else (loopback only) this request's own URL. Proxy headers
        (X-Forwarded-Host/-Proto) never choose it: whoever sends them would choose what the signature covers."""
        path = request.path + (f"?{request.query_string}" if request.query_string else "")
        if self.settings.twilio.public_url:
            return self.settings.twilio.public_url + path
        return f"{request.scheme}://{request.host}{path}"

    def _run_customer(self, sender: str, on_new_message: OnNewMessage) -> None:
        if sender not in self._draining:
            self._draining[sender] = asyncio.get_running_loop().create_task(self._drain(sender, on_new_message))

    async def _drain(self, sender: str, on_new_message: OnNewMessage) -> None:
        """Run the customer's pending messages, oldest first, while holding their lease."""
        try:
            while await self._in_store_thread(self.store.claim_customer, sender, self.owner, LEASE_SECONDS):
                self._held.add(sender)
                try:
                    while not self._stopping and (
                        claimed := await self._in_store_thread(self.store.next_pending, sender)
                    ) is not None:
                        await self._handle(claimed, on_new_message)
                finally:
                    self._held.discard(sender)
                    await self._in_store_thread(self.store.release_customer, sender, self.owner)
                # Another process may have accepted a message while this one held the lease (it could not claim
                # the customer then): look once more after letting go.
                if self._stopping or not await self._in_store_thread(self.store.has_pending, sender):
                    return
        except Exception:  # the database is away: the sweep tries again
            logger.exception("WhatsApp: could not run the messages of %s", pseudonym(sender))
        finally:
            del self._draining[sender]

    def _renew_leases(self) -> None:
        """Renew the leases this process holds, from a thread of its own: Rasa's inference runs in the event loop,
        and a loop starved by a busy machine must not let another replica take a customer mid-turn."""
        while True:
            time.sleep(LEASE_SECONDS / 3)
            for sender in list(self._held):
                try:
                    if not self.store.claim_customer(sender, self.owner, LEASE_SECONDS):
                        logger.error("WhatsApp: lost the lease on %s (this process stalled too long)", pseudonym(sender))
                except Exception:
                    logger.warning("WhatsApp: could not renew the lease on %s", pseudonym(sender), exc_info=True)

    async def _sweep(self, on_new_message: OnNewMessage) -> None:
        """Pick up customers nobody handles: messages left by a stop or by a process that died."""
        while True:
            try:
                for sender in await self._in_store_thread(self.store.customers_waiting):
                    self._run_customer(sender, on_new_message)
            except Exception:
                logger.exception("WhatsApp: could not look for unhandled messages")
            await asyncio.sleep(SWEEP_SECONDS)

    async def _handle(self, claimed: ClaimedMessage, on_new_message: OnNewMessage) -> None:
        # The turn's log line waits for the replies to be sent, so it has the time that took.
        with turn_observer.channel_turn(self.name(), claimed.message.sid) as turn:
            await self._handle_turn(claimed, on_new_message, turn)

    async def _handle_turn(self, claimed: ClaimedMessage, on_new_message: OnNewMessage,
                           turn: Optional[turn_observer.TurnRecord]) -> None:
        message = claimed.message
        if claimed.attempt > MAX_ATTEMPTS:
            logger.error("WhatsApp: %s from %s was started %d times without an answer; handed to a person",
                         message.sid, pseudonym(message.sender), claimed.attempt - 1)
            await self._in_store_thread(self.store.flag_for_human, message.sender,
                                        f"message {message.sid} not answered after {MAX_ATTEMPTS} attempts")
            await self._in_store_thread(self.store.finish, message.sid, FAILED)
            await self.sender.send(message.sender, GAVE_UP_REPLY)
            return
        try:
            replies = await self._replies_given_before(claimed) if claimed.attempt > 1 else None
            if replies is None:
                replies = await self._replies(message, on_new_message)
            state = DONE
        except Exception:
            logger.exception("WhatsApp: the turn for %s (%s) failed", pseudonym(message.sender), message.sid)
            replies, state = RenderedReplies([OutgoingMessage(TURN_FAILED_REPLY)]), FAILED
        # Each reply counted once sent, the message marked handled after the last: a process that dies meanwhile
        # leaves the next one to send the rest (read back from the stored turn), not to run the turn again.
        with whatsapp_metrics.sending(turn):
            for number, outgoing in enumerate(replies.messages, start=1):
                if number <= claimed.replies_sent:
                    continue
                await self.sender.send(message.sender, outgoing.body, outgoing.media_url)
                await self._in_store_thread(self.store.count_reply_sent, message.sid, number)
        await self._in_store_thread(self.store.finish, message.sid, state)

    async def _replies_given_before(self, claimed: ClaimedMessage) -> Optional[RenderedReplies]:
        """When a process died after saving this message's turn but before marking it handled: the replies that
        turn gave, read back from the stored conversation (the turn must not run twice)."""
        if self._agent is None or self._agent.tracker_store is None:
            return None
        tracker = await self._agent.tracker_store.retrieve(claimed.message.sender)
        events = list(tracker.events) if tracker else []
        start = next((index for index, event in enumerate(events)
                      if isinstance(event, UserUttered) and event.message_id == claimed.message.sid), None)
        if start is None:
            return None
        replies = []
        for event in events[start + 1:]:
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered):
                replies.append(event.message())
        logger.info("WhatsApp: %s had been answered before its process stopped; sending that answer again",
                    claimed.message.sid)
        rendered = render_replies(replies)
        if rendered.options:
            await self._in_store_thread(self.store.save_options, claimed.message.sender, rendered.options)
        return rendered

    async def _replies(self, message: InboundMessage, on_new_message: OnNewMessage) -> RenderedReplies:
        coordinates = None
        if message.has_location:
            coordinates = parse_coordinates(message.latitude, message.longitude)
            if coordinates is None:
                return RenderedReplies([OutgoingMessage(BAD_LOCATION_REPLY)])
        elif not message.body:
            return RenderedReplies([OutgoingMessage(TEXT_ONLY_REPLY)])
        polite = rate_limited(message.sender, self.settings, reply_once=True)
        if polite is not None:
            return RenderedReplies([OutgoingMessage(polite)] if polite else [])
        if coordinates is not None:
            # The bot decides what a location means where the conversation is: the booking's branch inside the
            # appointment form, else the nearest branch and an offer to book (actions/location_actions.py).
            text = location_message(*coordinates)
        else:
            text = answer_to_option(message.body,
                                    await self._in_store_thread(self.store.take_options, message.sender))
        collector = CollectingOutputChannel()
        await on_new_message(UserMessage(
            text, collector, message.sender, input_channel=self.name(), message_id=message.sid,
            metadata={"profile_name": message.profile_name} if message.profile_name else None,
        ))
        replies = render_replies(collector.messages)
        if replies.options:
            await self._in_store_thread(self.store.save_options, message.sender, replies.options)
        return replies


def _twiml() -> HTTPResponse:
    return response.text(EMPTY_TWIML, content_type="text/xml")
