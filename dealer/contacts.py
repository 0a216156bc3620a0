"""Contact details as customers type them: a name, a Mexican phone number, an email address.

Pure functions (no Rasa): the booking and the hand-off forms validate with them, and the channel's sender id is read
with them (on WhatsApp the sender id `whatsapp:+52…` is the phone)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

import phonenumbers

from dealer.text import clean_text

MAX_NAME_CHARS = 60
MAX_EMAIL_CHARS = 254
# Long enough for «+52 1 (55) 1234-5678 ext 12», short enough that a pasted paragraph is not parsed as a number.
MAX_PHONE_INPUT_CHARS = 40
_NAME_PUNCTUATION = frozenset(" '.-")
# Mexico dropped the «1» after +52 for mobiles and the 044/045 prefixes in 2019-2020; people still type them.
_OLD_MOBILE = re.compile(r"^\+521(\d{10})$")
_OLD_LOCAL_PREFIX = re.compile(r"^0(?:44|45)(\d{10})$")
_PHONE_CHARACTERS = re.compile(r"^[\d\s()+.\-]+$")
# One @, a dot in the domain, no spaces: what mail servers accept in practice, without a DNS lookup.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_EMAIL_IN_TEXT = re.compile(r"[^\s<>(),;:]+@[^\s<>(),;:]+")
# «me llamo Ana», «soy Ana López», «mi nombre es Ana»: the words before the name.
_NAME_LEAD = re.compile(r"^(?:(?:hola|buenas|ok|va|claro|si|sí)[\s,!.]+)?(?:me llamo|mi nombre es|soy|habla|"
                        r"con|a nombre de)\s+", re.IGNORECASE)
_NOT_A_NAME_WORDS = frozenset({
    "no", "si", "sí", "ok", "hola", "gracias", "nada", "quiero", "busco", "cuanto", "cuánto", "auto", "carro",
    "coche", "cita", "mañana", "manana", "lunes", "martes", "miercoles", "miércoles", "jueves", "viernes",
    "sabado", "sábado", "domingo", "precio", "financiamiento", "cancela", "cambia", "prueba", "manejo",
})


def normalize_phone(text: Any, region: str = "MX") -> Optional[str]:
    """The number in E.164 («+525512345678»), or None when `text` is not a valid phone number of `region` (or an
    international one written with +). Accepts spaces, dashes, dots, parentheses, a `whatsapp:` prefix and Mexico's
    retired mobile «1» and 044/045 prefixes."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:"):]
    if not raw or len(raw) > MAX_PHONE_INPUT_CHARS or not _PHONE_CHARACTERS.match(raw):
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if old := _OLD_LOCAL_PREFIX.match(digits):
        digits = old.group(1)
    if old := _OLD_MOBILE.match(digits):
        digits = "+52" + old.group(1)
    if region == "MX" and re.fullmatch(r"521\d{10}", digits):
        digits = "+52" + digits[3:]
    elif region == "MX" and re.fullmatch(r"52\d{10}", digits):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_in_text(text: Any, region: str = "MX") -> Optional[str]:
    """A phone number written inside a sentence («mi cel es 55 1234 5678»), normalised, or None."""
    if not isinstance(text, str):
        return None
    for candidate in re.findall(r"\+?\d[\d\s()\-.]{6,22}\d", text[:500]):
        if normalized := normalize_phone(candidate, region):
            return normalized
    return None


def display_phone(e164: str) -> str:
    """A stored E.164 number as people read it: «+52 55 1234 5678»."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def valid_email(text: Any) -> Optional[str]:
    """The address, trimmed and with its domain lowercased, or None when it is not one."""
    if not isinstance(text, str):
        return None
    address = text.strip().strip(".")
    if not address or len(address) > MAX_EMAIL_CHARS or not _EMAIL.match(address):
        return None
    local, domain = address.rsplit("@", 1)
    if len(local) > 64 or ".." in address:
        return None
    return f"{local}@{domain.lower()}"


def email_spans(text: str) -> list[tuple[int, int]]:
    """Where the valid email addresses of a sentence stand, as [start, end) offsets."""
    return [hit.span() for hit in _EMAIL_IN_TEXT.finditer(text[:1000]) if valid_email(hit.group())]


def email_in_text(text: Any) -> Optional[str]:
    """An email address written inside a sentence («es ana.lopez@gmail.com»), or None."""
    if not isinstance(text, str):
        return None
    for candidate in _EMAIL_IN_TEXT.findall(text[:1000]):
        if address := valid_email(candidate):
            return address
    return None


def clean_name(text: Any) -> Optional[str]:
    """A person's name from what they typed («me llamo ana lópez» → «Ana López»): letters, marks, spaces and ' . -
    only, at most 60 characters and 5 words; None when nothing name-like is left or it reads as a request."""
    if not isinstance(text, str):
        return None
    stripped = _NAME_LEAD.sub("", clean_text(text).strip()[:200])
    kept = "".join(
        ch for ch in stripped if ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in ("L", "M")
    )
    name = " ".join(kept.split())[:MAX_NAME_CHARS].strip(" '.-")
    words = name.split()
    if not words or len(words) > 5 or len(name) < 2:
        return None
    if any(word.lower() in _NOT_A_NAME_WORDS for word in words):
        return None
    # A digit in the original means a phone, an amount or a model year, not a name.
    if any(ch.isdigit() for ch in stripped):
        return None
    return " ".join(word if not word.islower() else word.capitalize() for word in words)


_INTRODUCTION = re.compile(r"^(?:(?:hola|buenas|ok|va|claro|si|sí)[\s,!.]+)?(?:me llamo|mi nombre es)\s+\S", re.IGNORECASE)
_CAPITALIZED_SOY = re.compile(r"^(?:(?:hola|buenas)[\s,!.]+)?soy\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+")


def introduced_name(text: Any) -> Optional[str]:
    """The name of a message that only introduces the writer («me llamo sofía ramírez», «mi nombre es Ana», «soy
    Miguel Ángel» with a capital: «soy de Monterrey» is no name), or None."""
    if not isinstance(text, str) or not (_INTRODUCTION.match(text.strip()) or _CAPITALIZED_SOY.match(text.strip())):
        return None
    return clean_name(text)


def phone_from_sender(sender_id: Any) -> Optional[str]:
    """The customer's phone when the conversation id is a WhatsApp sender («whatsapp:+5215512345678»)."""
    if not isinstance(sender_id, str) or not sender_id.startswith("whatsapp:"):
        return None
    return normalize_phone(sender_id)


_YES = re.compile(r"^(?:si|sip|simon|claro|ok|okay|va|vale|sale|de acuerdo|acepto|por supuesto|adelante|esta bien|"
                  r"andale|orale|si acepto|si claro|claro que si|si por favor|si porfa|yes)\b")
_NO = re.compile(r"^(?:no|nel|nop|nope|para nada|no gracias|mejor no|no acepto|ninguno|ninguna|nada|paso|omitir|"
                 r"no tengo)\b")


def read_yes_no(text: Any) -> Optional[bool]:
    """True for «sí», «claro», «va»…, False for «no», «mejor no», «no gracias»…, None for anything else."""
    if not isinstance(text, str):
        return None
    folded = " ".join(re.sub(r"[^a-zñ ]", " ", _fold(text[:200])).split())
    if _NO.match(folded):
        return False
    if _YES.match(folded):
        return True
    return None


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


@dataclass(frozen=True)
class ContactMention:
    entity: str  # "phone" | "email"
    value: str  # normalised: E.164 or the address
    start: int
    end: int


_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s()\-.]{6,22}\d")
# Words around a phone or email that ask for nothing else: «mi cel es …», «márcame al …», «te dejo mi correo: …».
_CONTACT_FILLER = frozenset(
    "mi mis cel celular numero num no tel telefono whats whatsapp wasap es son correo mail email e este esta aqui "
    "ahi al a te le dejo escribeme marcame llamame mandame contactame para por favor porfa plis ok va y o de el la "
    "lo con mejor ya otro nuevo es mio pues bueno listo gracias contacto datos".split()
)


def contact_mentions(text: Any, region: str = "MX") -> list[ContactMention]:
    """Every valid phone number and email address in `text`, with their offsets and normalised values."""
    if not isinstance(text, str):
        return []
    text = text[:1000]
    mentions = [ContactMention("email", address, match.start(), match.end())
                for match in _EMAIL_IN_TEXT.finditer(text) if (address := valid_email(match.group()))]
    taken = [(m.start, m.end) for m in mentions]
    for match in _PHONE_IN_TEXT.finditer(text):
        inside_email = any(start <= match.start() < end for start, end in taken)
        if not inside_email and (phone := normalize_phone(match.group(), region)):
            mentions.append(ContactMention("phone", phone, match.start(), match.end()))
    return sorted(mentions, key=lambda mention: mention.start)


def is_contact_only(text: str, mentions: list[ContactMention]) -> bool:
    """The message gives a phone or email and asks for nothing else («mi cel es 55 1234 5678»)."""
    if not mentions:
        return False
    chars = list(text[:1000])
    for mention in mentions:
        chars[mention.start:mention.end] = " " * (mention.end - mention.start)
    words = re.findall(r"[a-zñ]+", _fold("".join(chars)))
    return all(word in _CONTACT_FILLER for word in words)
