"""Text normalisation shared by the parsers and the fuzzy matcher."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9ñ]+")

# The longest WhatsApp message Twilio delivers as one; every reply is written or cut to fit it.
WHATSAPP_MAX_CHARS = 1600


def simplify(text: str) -> str:
    """Lowercase and strip accents (keeping ñ); punctuation stays, so amounts like "$50,000" survive."""
    lowered = text.lower().replace("ñ", "\0")
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(ch)
    ).replace("\0", "ñ")


def simplify_with_origin(text: str) -> tuple[str, list[int]]:
    """simplify(text), and for each of its characters the index of the character of `text` it came from."""
    simplified: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = simplify(char)
        simplified.append(piece)
        origin.extend([index] * len(piece))
    return "".join(simplified), origin


def words(text: str) -> list[re.Match]:
    """Word matches (with offsets) over already simplified text."""
    return list(_WORD.finditer(text))


def fold(text: str) -> str:
    """Simplified text with punctuation turned into single spaces: the form names are compared in."""
    return " ".join(match.group() for match in words(simplify(text)))


# Bidirectional controls reorder what staff and the model see ("Trojan Source"); the rest of Unicode's format
# characters (zero-width joiners in emoji sequences, for instance) are kept.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEPT_CONTROLS = frozenset("\n\t")


def clean_text(text: str) -> str:
    """What every channel keeps of a customer's text: no NUL or other control characters (NUL breaks PostgreSQL
    writes), no bidirectional controls, no lone surrogates (they cannot be encoded); "\\r\\n" becomes "\\n"."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(
        ch for ch in text
        if ch in _KEPT_CONTROLS or not (
            ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")
        )
    )
