import json

import pytest

from connectors.http_input import MAX_MESSAGE_CHARS, BadRequest
from connectors.seller import parse_payload


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_a_valid_payload():
    assert parse_payload(body(msg="  hola ", user_id="ana")) == ("hola", "ana")


@pytest.mark.parametrize(
    "raw, status, message",
    [
        (b"no es json", 400, "the body must be JSON"),
        (b"", 400, "the body must be JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (body(user_id="ana"), 400, "'msg' is missing"),
        (body(msg="hola"), 400, "'user_id' is missing"),
        (body(msg="   ", user_id="ana"), 400, "'msg' is empty"),
        (body(msg=5, user_id="ana"), 400, "'msg' must be a string, got int"),
        (body(msg="hola", user_id=["ana"]), 400, "'user_id' must be a string, got list"),
        (body(msg="x" * (MAX_MESSAGE_CHARS + 1), user_id="ana"), 413, "'msg' is longer than 4096"),
        (b"{" + b" " * 70_000 + b"}", 413, "larger than 64 KiB"),
        (b"\xff\xfe", 400, "the body must be JSON"),
    ],
)
def test_bad_payloads_say_what_is_wrong(raw, status, message):
    with pytest.raises(BadRequest) as raised:
        parse_payload(raw)
    assert raised.value.status == status
    assert message in str(raised.value)
