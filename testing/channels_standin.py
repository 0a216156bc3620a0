"""The REST, seller and WhatsApp channels on one Sanic server with the stand-in bot of testing/whatsapp_standin.py,
for the tests of what the channels check before a turn (tokens, sizes, rates, sender ids, malformed bodies).

    python -m testing.channels_standin --port 8080
"""

from __future__ import annotations

import argparse

from testing.standin_process import StandinProcess


class ChannelsStandin(StandinProcess):
    module = "testing.channels_standin"
    health_path = "/webhooks/rest/"


def main() -> None:
    from sanic import Sanic

    from connectors.rest import CheckedRestInput
    from connectors.seller import SellerInput
    from connectors.whatsapp import WhatsAppInput
    from testing.whatsapp_standin import standin_turn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    app = Sanic("channels_standin")
    for channel in (CheckedRestInput(), SellerInput(), WhatsAppInput()):
        app.blueprint(channel.blueprint(standin_turn), url_prefix=f"/webhooks/{channel.name()}")
    app.run(host="127.0.0.1", port=arguments.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
