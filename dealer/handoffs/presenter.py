"""What the customer reads when their conversation goes to a person (Spanish, phone-sized)."""

from __future__ import annotations

from dealer.handoffs.models import ANGER


def handoff_reply(reason: str, expectation: str) -> str:
    """`expectation`: «hoy antes de las 19:00», «mañana a partir de las 9:00»."""
    opening = ("Lamento mucho la molestia 🙏 Ya le pasé tu conversación a un asesor de carne y hueso."
               if reason == ANGER else "Va, ya le pasé tu conversación a un asesor de nuestro equipo 🙋")
    return f"{opening} Te contactará {expectation}. Puedes seguir escribiendo aquí: lo verá todo."
