"""Spanish (Mexico) questions and answers of the contact form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from dealer.contacts import display_phone


def ask_name() -> str:
    return "¿A nombre de quién la registro? 🙂"


def ask_phone() -> str:
    return "¿A qué número de celular te podemos llamar o escribir? (10 dígitos)"


def bad_phone() -> str:
    return "Ese número no parece válido 🤔. Escríbelo con sus 10 dígitos, por ejemplo 55 1234 5678."


def bad_phone_again() -> str:
    return "Sigo sin poder leer el número 🙏. Necesito 10 dígitos con lada, como 33 1234 5678."


def varied(previous: Sequence[str], first: str, second: str) -> str:
    """`first`, unless the bot said it in the previous turn: then `second` (no reply three times in a row)."""
    return second if first in previous else first


def bad_name() -> str:
    return "No entendí tu nombre. ¿Me lo escribes, por favor? (solo nombre y apellido)"


def bad_name_again() -> str:
    return "Perdón, sigo sin entender tu nombre 🙏. Escribe solo tu nombre, por ejemplo «Ana López»."


def ask_email() -> str:
    return "¿Quieres dejarnos un correo para mandarte la confirmación? Es opcional: escribe «no» para omitirlo ✉️"


def bad_email() -> str:
    return "Ese correo no parece válido. Escríbelo como nombre@ejemplo.com, o «no» para omitirlo."


def bad_email_again() -> str:
    return "Tampoco pude leer ese correo. Si prefieres no darlo, escribe «no» y seguimos 👍"


def ask_consent() -> str:
    return "¿Aceptas que un asesor te contacte por teléfono o WhatsApp sobre tu cita? (sí / no)"


def consent_not_understood() -> str:
    return "Solo contéstame «sí» o «no», por favor: ¿podemos contactarte?"


def consent_not_understood_again() -> str:
    return "¿Te podemos llamar o escribir sobre tu cita? Un «sí» o un «no» me basta 🙂"


def contact_saved(name: Optional[str], phone: Optional[str], email: Optional[str]) -> str:
    parts = []
    if name:
        parts.append(f"tu nombre ({name})")
    if phone:
        parts.append(f"tu teléfono ({display_phone(phone)})")
    if email:
        parts.append(f"tu correo ({email})")
    saved = ", ".join(parts) if parts else "tus datos"
    return f"¡Gracias! Guardé {saved} 📝. ¿Te agendo una visita o una prueba de manejo?"


# The same questions when the details are for the advisor who takes over the conversation (a hand-off).
def ask_name_for_advisor() -> str:
    return "¿Cómo te llamas? Así el asesor sabe con quién habla 🙂"


def ask_phone_for_advisor() -> str:
    return "¿A qué número de celular te puede llamar o escribir el asesor? (10 dígitos)"


def ask_consent_for_advisor() -> str:
    return "¿Aceptas que el asesor te llame o te escriba a ese número? (sí / no)"
