"""The WhatsApp channel on its own Sanic server with a stand-in bot, for the channel's tests and the benchmark.

The stand-in takes STANDIN_TURN_SECONDS per turn (to show the webhook does not wait for it), appends every turn it
runs to STANDIN_LOG as a JSON line (to count how often each MessageSid was handled), and answers:
"texto largo" → a 2,000-character reply in paragraphs; "opciones" → a reply with buttons; "falla" → raises;
anything else → "eco: <text>".

    python -m testing.whatsapp_standin --port 8080
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Optional

import requests
from twilio.request_validator import RequestValidator

from testing.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, BOT_NUMBER, PUBLIC_URL, FakeTwilioApi
from testing.servers import LOAD_GENERATOR_LIMITS
from testing.standin_process import StandinProcess

LONG_PARAGRAPH = "Este auto tiene inspección de 150 puntos, garantía de seis meses y devolución en siete días. " * 4


async def standin_turn(message) -> None:
    """The stand-in bot's turn for a rasa UserMessage."""
    await asyncio.sleep(float(os.environ.get("STANDIN_TURN_SECONDS", "0")))
    log = os.environ.get("STANDIN_LOG")
    if log:
        with Path(log).open("a", encoding="utf-8") as turns:
            turns.write(json.dumps({"sid": message.message_id, "sender": message.sender_id, "text": message.text}) + "\n")
    channel, text = message.output_channel, message.text or ""
    if text == "falla":
        raise RuntimeError("the stand-in bot failed on purpose")
    if text == "texto largo":
        await channel.send_text_message(message.sender_id, "\n\n".join([LONG_PARAGRAPH.strip()] * 6))
    elif text == "opciones":
        await channel.send_text_with_buttons(message.sender_id, "¿Qué prefieres?", [
            {"title": "Ver SUVs", "payload": "/search_cars{\"body_type\": \"suv\"}"},
            {"title": "Hablar con un asesor", "payload": "quiero hablar con un asesor"},
        ])
    else:
        await channel.send_text_message(message.sender_id, f"eco: {text}")


def standin_environment(database_url: str, twilio_api: FakeTwilioApi, log: Path, turn_seconds: float) -> dict[str, str]:
    return {
        **LOAD_GENERATOR_LIMITS,
        "DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER, "TWILIO_API_BASE_URL": twilio_api.url, "PUBLIC_URL": PUBLIC_URL,
        "STANDIN_TURN_SECONDS": str(turn_seconds), "STANDIN_LOG": str(log),
    }



class StandinServer(StandinProcess):
    """One run of the channel's server; start() again after stop() or kill() to show what survives a restart."""

    module = "testing.whatsapp_standin"
    health_path = "/webhooks/whatsapp/"

    def __init__(self, environment: dict[str, str], log: Path, output: Path):
        super().__init__(environment, output)
        self.log = log

    def handled(self) -> list[dict]:
        """Every turn the stand-in bot ran, in order."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def post(self, path: str, fields: dict[str, str], signature: Optional[str] = "sign", **headers: str):
        """POST form fields as Twilio does; signed over PUBLIC_URL + path unless a signature (or None) is given."""
        if signature == "sign":
            signature = RequestValidator(self.environment["TWILIO_AUTH_TOKEN"]).compute_signature(
                self.environment["PUBLIC_URL"] + path, fields
            )
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return requests.post(self.url + path, data=fields, headers=headers, timeout=10)


def main() -> None:
    from sanic import Sanic  # imported here so that test and bench processes that only start the server stay light

    from connectors.whatsapp import WhatsAppInput

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    app = Sanic("whatsapp_standin")
    app.blueprint(WhatsAppInput().blueprint(standin_turn), url_prefix="/webhooks/whatsapp")
    app.run(host="127.0.0.1", port=arguments.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
