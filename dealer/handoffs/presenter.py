"""What the customer reads when their conversation goes to a person (Spanish, phone-sized)."""

from __future__ import annotations

from dealer.handoffs.models import ANGER, FALLBACKS

OPENINGS = {
    ANGER: "Lamento mucho la molestia 🙏 Ya le pasé tu conversación a un asesor de carne y hueso.",
    FALLBACKS: "Creo que no te estoy entendiendo bien 😅 Mejor le pasé tu conversación a un asesor de nuestro equipo.",
}
DEFAULT_OPENING = "Va, ya le pasé tu conversación a un asesor de nuestro equipo 🙋"
AFTER_CONTACT = "¡Gracias! Ya le pasé tu conversación a un asesor de nuestro equipo 🙋"
# Said before the contact form when the channel gives no phone: the person who takes over needs one.
CONTACT_FIRST = {
    ANGER: "Lamento mucho la molestia 🙏 Te paso con un asesor de carne y hueso; para que te contacte necesito "
           "un par de datos.",
    FALLBACKS: "Creo que no te estoy entendiendo bien 😅 Mejor te paso con un asesor de nuestro equipo; para que te "
               "contacte necesito un par de datos.",
}
CONTACT_FIRST_REQUESTED = "Claro, te paso con un asesor de nuestro equipo 🙋 Para que te contacte necesito un par de datos."


def handoff_reply(reason: str, expectation: str, after_contact: bool = False, reachable: bool = True) -> str:
    """`expectation`: «hoy antes de las 19:00», «mañana a partir de las 9:00». `after_contact`: the contact form
    just ran; `reachable`: the person may call or write to a number (else they answer in this chat)."""
    if after_contact:  # the reason was acknowledged before the contact details were asked
        opening = AFTER_CONTACT if reachable else DEFAULT_OPENING
    else:
        opening = OPENINGS.get(reason, DEFAULT_OPENING)
    if not reachable:
        return (f"{opening} Como no tengo un teléfono para llamarte, te responderá aquí mismo en este chat "
                f"{expectation}. Puedes seguir escribiendo: lo verá todo.")
    return f"{opening} Te contactará {expectation}. Puedes seguir escribiendo aquí: lo verá todo."


def contact_first(reason: str) -> str:
    """Before the contact details are asked for a hand-off."""
    return CONTACT_FIRST.get(reason, CONTACT_FIRST_REQUESTED)
