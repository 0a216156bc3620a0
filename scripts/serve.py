"""`make run`: both servers in the foreground until Ctrl-C or SIGTERM. `make shell` (--shell): chat in the terminal."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from testing.servers import BotServers, ServerStartError, running_environment, stop_on_sigterm


def shell(servers: BotServers) -> int:
    try:
        servers.start(rasa=False)
        return subprocess.call(servers.rasa_command("shell"), env=servers.environment)
    except ServerStartError as problem:
        print(f"could not start the action server: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        servers.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat with the bot in this terminal (rasa shell)")
    stop_on_sigterm()
    servers = BotServers(running_environment())
    if parser.parse_args().shell:
        return shell(servers)
    print("Starting the action server and the Rasa server (about 40 s)...", flush=True)
    try:
        servers.start()
        print(
            f"\nThe bot is ready.\n"
            f"  REST:   curl -s {servers.rasa_url}/webhooks/rest/webhook -d '{{\"sender\": \"ana\", \"message\": \"hola\"}}'\n"
            f"  Seller: curl -s {servers.rasa_url}/webhooks/seller/bot "
            f"-d '{{\"user_id\": \"ana\", \"msg\": \"qué marcas tienen\"}}'\n"
            f"Ctrl-C stops both servers.\n",
            flush=True,
        )
        while all(process.poll() is None for process in servers.processes):
            time.sleep(0.5)
        print("a server stopped; stopping the other", file=sys.stderr)
        return 1
    except ServerStartError as problem:
        print(f"could not start the bot: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM, also while starting
        return 0
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
