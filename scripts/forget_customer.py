"""Delete one customer's data from every store and print what was deleted (a customer's request made to the staff
rather than in the chat):  make forget CUSTOMER=whatsapp:+5215512345678   (or: python -m scripts.forget_customer ID)

The customer id is the conversation id: the WhatsApp number as "whatsapp:+52…", or the REST/seller sender id."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from dealer.customer_data import erase_customer
from dealer.settings import SettingsError, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("customer_id", nargs="?", default="", help="the customer's conversation id")
    parser.add_argument("--yes", action="store_true", help="do not ask to type the id again")
    args = parser.parse_args(argv)
    customer_id = args.customer_id.strip()
    if not customer_id:
        print("give the customer id: make forget CUSTOMER=whatsapp:+5215512345678", file=sys.stderr)
        return 2
    if not args.yes:
        try:
            typed = input(f"This deletes every conversation, lead and WhatsApp record of {customer_id}.\n"
                          "Type the customer id again to confirm: ")
        except EOFError:
            typed = ""
        if typed.strip() != customer_id:
            print("not confirmed: nothing deleted", file=sys.stderr)
            return 1
    try:
        settings = get_settings()
        report = erase_customer(customer_id, settings.database_url, settings.tracker_store_url)
    except SettingsError as problem:
        print(f"nothing deleted: {problem}", file=sys.stderr)
        return 1
    except ValueError as problem:  # an id no conversation can have
        print(f"nothing deleted: {problem}", file=sys.stderr)
        return 2
    except SQLAlchemyError as problem:
        print(f"nothing deleted: the database could not be reached ({problem.__class__.__name__})", file=sys.stderr)
        return 1
    print(f"deleted for {customer_id}:")
    for line in report.lines():
        print(f"  {line}")
    print(f"  total: {report.total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
