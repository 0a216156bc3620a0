"""The REST, seller and WhatsApp channels on one Sanic server with the stand-in bot of testing/whatsapp_standin.py,
for the tests of what the channels check before a turn (tokens, sizes, rates, sender ids, malformed bodies).

    python -m testing.channels_standin --port 8080
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import requests

from testing.servers import QUIET_OFFLINE_ENV, free_port


class ChannelsStandin:
    def __init__(self, environment: dict[str, str], output: Path):
        self.port = free_port()
        self.environment = {**os.environ, **QUIET_OFFLINE_ENV, **environment}
        self.output = output
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> ChannelsStandin:
        with self.output.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "testing.channels_standin", "--port", str(self.port)],
                env=self.environment, stdout=output, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stand-in server exited:\n{self.output.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/webhooks/rest/", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the stand-in server did not answer in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
