"""The repeat guard on the Rasa server (dealer/dialogue/repeats.py): every channel's replies pass through the
processor's `_send_bot_messages`, so it is wrapped once per process to swap the third identical reply in a row for a
way out. The swapped text is the one the tracker stores, so the next turn compares with what the customer saw.

Rasa 3.6 open source has no hook for outgoing messages; this is the one place all channels share. Listed in
rasa_project/credentials.yml as `connectors.repeat_guard.RepeatGuardInput:` (a channel without routes, loaded first
by every server that loads the credentials)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered
from sanic import Blueprint

from dealer.dialogue.repeats import REPEATS_ALLOWED, unrepeated

logger = logging.getLogger(__name__)
_installed = False


def _earlier_replies(tracker: Any, reply: BotUttered) -> list[str]:
    """The texts of the bot messages before `reply` in the tracker (it is logged before it is sent), oldest first."""
    earlier: list[str] = []
    seen_reply = False
    for event in reversed(tracker.events):
        if event is reply:
            seen_reply = True
        elif seen_reply and isinstance(event, BotUttered):
            earlier.append(event.text or "")
            if len(earlier) == REPEATS_ALLOWED:
                break
    return earlier[::-1]


def install() -> None:
    global _installed
    if _installed:
        return
    original = MessageProcessor._send_bot_messages

    @functools.wraps(original)
    async def guarded(events: list, tracker: Any, output_channel: Any) -> None:
        for event in events:
            if isinstance(event, BotUttered) and event.text:
                text = unrepeated(event.text, _earlier_replies(tracker, event))
                if text != event.text:
                    logger.info("a reply would have gone out a third time in a row; sent the way out instead")
                    event.text = text
        await original(events, tracker, output_channel)

    MessageProcessor._send_bot_messages = staticmethod(guarded)
    _installed = True


class RepeatGuardInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "repeat_guard"

    def __init__(self) -> None:
        install()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return Blueprint("repeat_guard", __name__)  # no routes: loading the channel installs the guard
