"""Entry point of the container image: one image, three commands.

  rasa     the Rasa server (REST, seller and WhatsApp channels) on RASA_INTERFACE (0.0.0.0 in the image)
  actions  imports the catalog into DATABASE_URL (skipped when unchanged), then the action server on 0.0.0.0
  health   exits 0 when the server this container runs answers (the image's HEALTHCHECK)

The server replaces this process (exec), so the signals the engine sends (SIGTERM on `docker stop`, ECS task
stop) reach Sanic directly, which finishes in-flight requests and runs the shutdown hooks (WhatsApp queue,
lead notifier) before exiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from testing.servers import QUIET_OFFLINE_ENV, BotServers, running_environment

# Written at start so `health` (run by the engine beside the server, without its environment) knows what to ask.
HEALTH_URL_FILE = Path(os.environ.get("HEALTH_URL_FILE", "/tmp/health-url"))


def _environment() -> dict[str, str]:
    environment = {**os.environ, **QUIET_OFFLINE_ENV, **running_environment(), "SANIC_HOST": "0.0.0.0"}
    # Compose and ECS pass every variable, empty meaning "the default"; libraries that only ask whether a variable
    # is set (prometheus_client's PROMETHEUS_MULTIPROC_DIR) must not see the empty ones at all.
    return {name: value for name, value in environment.items() if value != ""}


def _serve(command: list[str], environment: dict[str, str], health_url: str) -> None:
    HEALTH_URL_FILE.write_text(health_url)
    sys.stdout.flush()
    os.execvpe(command[0], command, environment)


def rasa() -> None:
    environment = _environment()
    servers = BotServers(environment)
    interface = environment.get("RASA_INTERFACE") or "0.0.0.0"
    _serve(servers.rasa_command("run", "--interface", interface), environment, f"http://127.0.0.1:{servers.rasa_port}/")


def actions() -> None:
    environment = _environment()
    subprocess.run([sys.executable, "-m", "dealer.catalog.importer"], env=environment, check=True)
    port = environment["ACTION_PORT"]
    _serve(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", port],
        environment,
        f"http://127.0.0.1:{port}/health",
    )


def health() -> int:
    try:
        url = HEALTH_URL_FILE.read_text().strip()
        with urllib.request.urlopen(url, timeout=4) as reply:
            return 0 if reply.status == 200 else 1
    except (OSError, urllib.error.URLError):
        return 1


def main(argv: list[str]) -> int:
    commands = {"rasa": rasa, "actions": actions, "health": health}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: container.py {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    return commands[argv[0]]() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
