"""Spanish (Mexico) texts about the dealer's branches."""

from __future__ import annotations

from dealer.knowledge.branches import Branch
from dealer.knowledge.places import PlaceAnswer


def branch_card(branch: Branch) -> str:
    return f"*{branch.name}*\n{branch.address}\n🕘 {branch.hours}\n📞 {branch.phone}"


def nearest_branch_text(branch: Branch, distance_km: float) -> str:
    return (
        f"📍 Tu sucursal más cercana está a {_distance(distance_km)}:\n{branch_card(branch)}\n"
        "¿Te agendo una visita o una prueba de manejo?"
    )


BAD_LOCATION_REPLY = "No pude leer esa ubicación 📍 ¿Me dices en qué ciudad estás?"
# «te comparto mi ubicación» typed without the location itself.
ASK_FOR_LOCATION = ("¡Va! Compártela con el clip 📎 → Ubicación y te digo cuál sucursal te queda más cerca. "
                    "O dime en qué ciudad estás.")


def branch_from_location(branch: Branch, distance_km: float) -> str:
    """Inside a booking: the branch a shared location chose."""
    return f"📍 La sucursal más cercana a tu ubicación es *{branch.name}* ({_distance(distance_km)}), {branch.address}."


def _distance(distance_km: float) -> str:
    return f"{distance_km:,.1f} km" if distance_km >= 1 else f"{round(distance_km * 1000, -1):,.0f} m"


def place_text(answer: PlaceAnswer) -> str:
    """The branches in the city asked about, or an honest «no tenemos» and the nearest one."""
    if answer.branches:
        label = "nuestra sucursal" if len(answer.branches) == 1 else "nuestras sucursales"
        cards = "\n\n".join(branch_card(branch) for branch in answer.branches)
        return f"En {answer.city.name} tienes {label}:\n{cards}"
    return (
        f"Por ahora no tenemos sucursal en {answer.city.name}. La más cercana es {answer.nearest.name}, "
        f"en {answer.nearest.city} (a unos {answer.distance_km:,.0f} km):\n{branch_card(answer.nearest)}\n"
        "También hacemos entregas a domicilio."
    )
