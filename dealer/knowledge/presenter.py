"""Spanish (Mexico) texts about the dealer's branches."""

from __future__ import annotations

from dealer.knowledge.branches import Branch


def branch_card(branch: Branch) -> str:
    return f"*{branch.name}*\n{branch.address}\n🕘 {branch.hours}\n📞 {branch.phone}"


def nearest_branch_text(branch: Branch, distance_km: float) -> str:
    distance = f"{distance_km:,.1f} km" if distance_km >= 1 else f"{round(distance_km * 1000, -1):,.0f} m"
    return (
        f"📍 Tu sucursal más cercana está a {distance}:\n{branch_card(branch)}\n"
        "¿Te agendo una visita o una prueba de manejo?"
    )
