"""What the customer reads when their conversation goes to a person (Spanish, phone-sized)."""

from __future__ import annotations

from dealer.handoffs.models import ANGER, FALLBACKS

OPENINGS = {
    ANGER: "Lamento mucho la molestia 🙏 Ya le pasé tu conversación a un asesor de carne y hueso.",
    FALLBACKS: "Creo que no te estoy entendiendo bien 😅 Mejor le pasé tu conversación a un asesor de nuestro equipo.",
}


def handoff_reply(reason: str, expectation: str) -> str:
    """`expectation`: «hoy antes de las 19:00», «mañana a partir de las 9:00»."""
    opening = OPENINGS.get(reason, "Va, ya le pasé tu conversación a un asesor de nuestro equipo 🙋")
    return f"{opening} Te contactará {expectation}. Puedes seguir escribiendo aquí: lo verá todo."
