"""A smoke conversation against a deployed bot (the CD workflow runs it after each deployment).

    CHANNEL_API_TOKEN=... python3 deploy/smoke.py https://bot.example.mx

Exits 1 (and the workflow rolls back) unless the bot greets and lists Chevrolets from the catalog. Standard
library only: it runs on a bare CI runner.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

CHECKS = [  # message -> a text the reply must contain
    ("hola", ""),
    ("quiero un chebrolet", "Chevrolet"),
]


def say(base_url: str, token: str, sender: str, message: str) -> str:
    request = urllib.request.Request(
        base_url.rstrip("/") + "/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return "\n".join(item.get("text", "") for item in json.load(reply))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not os.environ.get("CHANNEL_API_TOKEN"):
        print("usage: CHANNEL_API_TOKEN=... smoke.py <base URL>", file=sys.stderr)
        return 2
    sender = f"smoke-{uuid.uuid4().hex[:12]}"
    for message, expected in CHECKS:
        for attempt in range(3):  # the load balancer may still be draining the old tasks
            try:
                text = say(argv[0], os.environ["CHANNEL_API_TOKEN"], sender, message)
                break
            except (urllib.error.URLError, OSError) as problem:
                print(f"{message!r}: {problem} (attempt {attempt + 1})", file=sys.stderr)
                time.sleep(10)
        else:
            return 1
        if not text or expected not in text:
            print(f"smoke FAILED: {message!r} got {text!r}", file=sys.stderr)
            return 1
        print(f"{message!r}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
