"""Run the conversation test set (tests/conversations/) through the real servers: `make converse`."""

import sys

from testing.conversations import main

if __name__ == "__main__":
    sys.exit(main())
