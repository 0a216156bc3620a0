"""Spanish (Mexico) texts about the dealer's branches."""

from __future__ import annotations

from dealer.knowledge.branches import Branch
from dealer.knowledge.places import PlaceAnswer


def branch_card(branch: Branch) -> str:
    return f"*{branch.name}*\n{branch.address}\n🕘 {branch.hours}\n📞 {branch.phone}"


def nearest_branch_text(branch: Branch, distance_km: float) -> str:
    distance = f"{distance_km:,.1f} km" if distance_km >= 1 else f"{round(distance_km * 1000, -1):,.0f} m"
    return (
        f"📍 Tu sucursal más cercana está a {distance}:\n{branch_card(branch)}\n"
        "¿Te agendo una visita o una prueba de manejo?"
    )


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
