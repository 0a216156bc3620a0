"""WhatsApp messages as Twilio delivers them and as the bot's replies must go out. No Rasa, no I/O.

Inbound: Twilio's form fields → `InboundMessage`. Outbound: the bot's messages (text, buttons, quick replies,
images) → `OutgoingMessage`s that fit WhatsApp's 1,600-character limit, with buttons turned into numbered options
the customer answers with a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from dealer.customer_profile import clean_profile_name
from dealer.text import WHATSAPP_MAX_CHARS, clean_text

MAX_INBOUND_CHARS = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_OPTION_ANSWER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True)
class InboundMessage:
    sid: str
    sender: str  # "whatsapp:+5215512345678": the customer id
    body: str
    media_types: tuple[str, ...] = ()
    latitude: Optional[str] = None
    longitude: Optional[str] = None
    profile_name: Optional[str] = None
    truncated: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> InboundMessage:
        body = clean_text(form.get("Body") or "").strip()
        try:
            media_count = max(0, min(int(form.get("NumMedia") or 0), 10))
        except ValueError:
            media_count = 0
        return cls(
            sid=(form.get("MessageSid") or form.get("SmsSid") or "").strip(),
            sender=(form.get("From") or "").strip(),
            body=body[:MAX_INBOUND_CHARS],
            media_types=tuple(form.get(f"MediaContentType{index}") or "unknown" for index in range(media_count)),
            latitude=form.get("Latitude") or None,
            longitude=form.get("Longitude") or None,
            profile_name=clean_profile_name(form.get("ProfileName")),
            truncated=len(body) > MAX_INBOUND_CHARS,
        )

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_empty(self) -> bool:
        return not self.body and not self.media_types and not self.has_location

    def as_record(self) -> dict[str, Any]:
        return {
            "body": self.body, "media_types": list(self.media_types), "latitude": self.latitude,
            "longitude": self.longitude, "profile_name": self.profile_name, "truncated": self.truncated,
        }

    @classmethod
    def from_record(cls, sid: str, sender: str, record: Mapping[str, Any]) -> InboundMessage:
        return cls(sid=sid, sender=sender, **{**record, "media_types": tuple(record.get("media_types") or ())})


@dataclass(frozen=True)
class OutgoingMessage:
    body: str
    media_url: Optional[str] = None


@dataclass
class RenderedReplies:
    messages: list[OutgoingMessage] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # "1" -> what to send the bot when the customer answers 1


def split_text(text: str, limit: int = WHATSAPP_MAX_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then line, then sentence, then word boundaries."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    return _pack(_pieces(text, limit, ("\n\n", "\n", None, " ")), limit)


def _pieces(text: str, limit: int, separators: tuple[Optional[str], ...]) -> list[tuple[str, str]]:
    """(piece, separator that followed it) with every piece within `limit`; None means sentence ends."""
    if len(text) <= limit:
        return [(text, "")]
    if not separators:
        return [(text[start:start + limit], "") for start in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    parts = _SENTENCE_END.split(text) if separator is None else text.split(separator)
    joiner = " " if separator is None else separator
    pieces: list[tuple[str, str]] = []
    for part in parts:
        if part.strip():
            pieces.extend(_pieces(part.strip(), limit, finer))
            pieces[-1] = (pieces[-1][0], joiner)
    return pieces


def _pack(pieces: list[tuple[str, str]], limit: int) -> list[str]:
    chunks: list[str] = []
    current, pending_separator = "", ""
    for piece, separator in pieces:
        candidate = f"{current}{pending_separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
        pending_separator = separator
    if current:
        chunks.append(current)
    return chunks


def render_replies(bot_messages: Iterable[Mapping[str, Any]], limit: int = WHATSAPP_MAX_CHARS) -> RenderedReplies:
    """The bot's messages of one turn, in order, as few WhatsApp messages as fit.

    Rasa sends every paragraph as a message of its own; consecutive texts are joined again (and split only at the
    limit), so a customer gets one bubble instead of five and fewer sends can arrive out of order.
    """
    rendered = RenderedReplies()
    texts: list[str] = []

    def flush() -> None:
        rendered.messages.extend(OutgoingMessage(piece) for piece in split_text("\n\n".join(texts), limit))
        texts.clear()

    for message in bot_messages:
        text = str(message.get("text") or (message.get("custom") or {}).get("text") or "").strip()
        choices = message.get("buttons") or message.get("quick_replies") or []
        if choices:
            text = _with_numbered_options(text, choices, rendered.options)
        media_url = message.get("image") or message.get("attachment")
        if isinstance(media_url, str) and media_url.startswith(("http://", "https://")):
            # The image goes with the last piece of its text (or alone): WhatsApp shows the body as its caption.
            pieces = split_text(text, limit)
            texts.extend(pieces[:-1])
            flush()
            rendered.messages.append(OutgoingMessage(pieces[-1] if pieces else "", media_url))
        elif text:
            texts.append(text)
    flush()
    return rendered


def _with_numbered_options(text: str, choices: list[Mapping[str, Any]], options: dict[str, str]) -> str:
    lines = [text] if text else []
    for choice in choices:
        title = str(choice.get("title") or choice.get("payload") or "").strip()
        if not title:
            continue
        number = str(len(options) + 1)
        options[number] = str(choice.get("payload") or title)
        lines.append(f"{number}. {title}")
    lines.append("Responde con el número de tu opción.")
    return "\n".join(lines)


def answer_to_option(body: str, options: Mapping[str, str]) -> str:
    """What to send the bot: the option's payload when the customer answered with one of the offered numbers."""
    match = _OPTION_ANSWER.match(body)
    if match and match.group(1) in options:
        return options[match.group(1)]
    return body
