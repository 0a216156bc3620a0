"""Staff commands over the admin API of a running Rasa server (connectors/admin.py):

    make handoffs                                    open hand-offs
    make release CUSTOMER=<id>                       the bot answers that customer again
    make staff-reply CUSTOMER=<id> TEXT="..."        reply through the customer's channel (recorded in the conversation)
    python -m scripts.handoffs show <id>             the conversation's recent messages

The server is http://127.0.0.1:$RASA_PORT unless --url says otherwise; the token is ADMIN_API_TOKEN."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any, Optional

import requests

from dealer.settings import SettingsError, get_settings


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="the Rasa server's base URL (default http://127.0.0.1:$RASA_PORT)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="open hand-offs")
    for name in ("show", "release"):
        commands.add_parser(name).add_argument("customer", nargs="?", default="")
    reply = commands.add_parser("reply")
    reply.add_argument("customer", nargs="?", default="")
    reply.add_argument("text", nargs="?", default="")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as problem:
        print(f"configuration: {problem}", file=sys.stderr)
        return 1
    base = (args.url or f"http://127.0.0.1:{settings.rasa_port}").rstrip("/") + "/webhooks/admin"
    token = settings.security.admin_api_token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    customer = getattr(args, "customer", "").strip()
    if args.command != "list" and not customer:
        print("give the customer id: CUSTOMER=whatsapp:+5215512345678 (or the REST sender id)", file=sys.stderr)
        return 2
    if args.command == "reply" and not args.text.strip():
        print('give the reply: TEXT="Hola, soy Ana de Autos Alameda..."', file=sys.stderr)
        return 2
    try:
        if args.command == "list":
            answer = requests.get(f"{base}/handoffs", headers=headers, timeout=10)
        elif args.command == "show":
            answer = requests.get(f"{base}/conversation", params={"customer": customer}, headers=headers, timeout=10)
        elif args.command == "release":
            answer = requests.post(f"{base}/release", json={"customer": customer}, headers=headers, timeout=10)
        else:
            answer = requests.post(f"{base}/reply", json={"customer": customer, "text": args.text}, headers=headers,
                                   timeout=30)
    except requests.RequestException as problem:
        print(f"the Rasa server at {base} did not answer: {problem}", file=sys.stderr)
        return 1
    try:
        body: Any = answer.json()
    except ValueError:
        body = {"error": answer.text[:200]}
    if answer.status_code != 200:
        print(f"HTTP {answer.status_code}: {body.get('error', body)}", file=sys.stderr)
        return 1
    print(_render(args.command, body))
    return 0


def _render(command: str, body: dict[str, Any]) -> str:
    if command == "list":
        rows = body.get("handoffs") or []
        if not rows:
            return "no open hand-offs"
        return "\n".join(f"{row['started_at'][:16]}  {row['channel']:<9} {row['reason']:<10} {row['customer']}"
                         for row in rows)
    if command == "show":
        lines = [f"{datetime.fromtimestamp(item['at']):%Y-%m-%d %H:%M}  {item['from']:<8} {item['text']}"
                 for item in body.get("messages") or []]
        state = "handed off" if body.get("handoff") else "with the bot"
        return "\n".join([f"{body['customer']} ({state})", *lines])
    if command == "release":
        return f"released {body['customer']}: the bot answers again"
    return f"sent to {body['customer']} ({body.get('channel')}): {body.get('sent') or body.get('queued')}"


if __name__ == "__main__":
    sys.exit(main())
