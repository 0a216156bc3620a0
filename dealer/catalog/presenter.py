"""Spanish (Mexico) texts for the catalog conversation: short, warm, readable on a phone."""

from __future__ import annotations

from collections.abc import Sequence

from dealer.catalog.alternatives import Alternative
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CarRecord, Page
from dealer.vocabulary import BODY_TYPES, FUELS, ORIGINS, TRANSMISSIONS, label


def money(amount: int) -> str:
    return f"${amount:,}"


def thousands(number: int) -> str:
    return f"{number:,}"


def describe_filters(filters: CarFilters) -> str:
    """"Chevrolet Aveo · 2019 o más nuevo · hasta $350,000" — what the listing is showing."""
    parts: list[str] = []
    if filters.make or filters.model:
        model = filters.model or ""
        parts.append(model if filters.make and model.lower().startswith(filters.make.lower()) else
                     " ".join(p for p in (filters.make, model) if p))
    if filters.body_type:
        parts.append(label(BODY_TYPES, filters.body_type))
    if filters.body_types:
        parts.append(join_options([label(BODY_TYPES, code) for code in filters.body_types]))
    if filters.seats_min:
        parts.append(f"{filters.seats_min} asientos o más")
    if filters.origin:
        parts.append(f"marcas de origen {label(ORIGINS, filters.origin)}")
    if filters.year_min and filters.year_max:
        parts.append(str(filters.year_min) if filters.year_min == filters.year_max
                     else f"{filters.year_min} a {filters.year_max}")
    elif filters.year_min:
        parts.append(f"{filters.year_min} o más nuevo")
    elif filters.year_max:
        parts.append(f"{filters.year_max} o anterior")
    if filters.price_min and filters.price_max:
        parts.append(f"{money(filters.price_min)} a {money(filters.price_max)}")
    elif filters.price_max:
        parts.append(f"hasta {money(filters.price_max)}")
    elif filters.price_min:
        parts.append(f"desde {money(filters.price_min)}")
    if filters.km_max:
        parts.append(f"hasta {thousands(filters.km_max)} km")
    if filters.transmission:
        parts.append(label(TRANSMISSIONS, filters.transmission))
    if filters.fuel:
        parts.append(label(FUELS, filters.fuel))
    if filters.car_play:
        parts.append("con CarPlay")
    if filters.bluetooth:
        parts.append("con Bluetooth")
    return " · ".join(parts)


def join_options(options: Sequence[str]) -> str:
    """["Ford", "Fiat", "Kia"] -> "Ford, Fiat o Kia"."""
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} o {options[-1]}"


def brands_message(counts: Sequence[tuple[str, int]]) -> str:
    if not counts:
        return "Por ahora no tenemos autos en inventario 😔. Vuelve pronto, llegan unidades cada semana."
    total = sum(count for _, count in counts)
    lines = [f"Tenemos {total} autos de {len(counts)} marcas 🚗:"]
    lines += [f"• {make} ({count})" for make, count in counts]
    lines.append("¿Cuál te interesa? Escríbeme la marca o el modelo, por ejemplo «Aveo 2019».")
    return "\n".join(lines)


def car_name(car: CarRecord) -> str:
    """"Chevrolet Aveo LT", and "Mazda 3 i Sport" rather than "Mazda Mazda 3 i Sport"."""
    model = car.model if car.model.lower().startswith(car.make.lower()) else f"{car.make} {car.model}"
    return f"{model} {car.version}"


def car_line(position: int, car: CarRecord) -> str:
    facts = [str(car.year), f"{thousands(car.km)} km", label(TRANSMISSIONS, car.transmission)]
    return f"{position}. {car_name(car)} · {' · '.join(facts)} · {money(car.price)}"


_SORT_LABELS = {"price_desc": "de mayor a menor precio", "year_desc": "los más nuevos primero",
                "km_asc": "los de menos kilómetros primero"}


def search_notes(needs: Sequence[str], unrecorded: Sequence[str], dollars: bool) -> list[str]:
    """How the search read what the customer asked for, and what it could not use, said plainly."""
    notes = [f"Lo busqué así: {need}." for need in needs]
    if unrecorded:
        notes.append(f"El inventario no registra {join_options(list(unrecorded)).replace(' o ', ' ni ')}: "
                     "te muestro los que cumplen lo demás y un asesor te lo confirma.")
    if dollars:
        notes.append("Nuestros precios están en pesos mexicanos y no convierto dólares: dime tu presupuesto en pesos "
                     "y lo filtro.")
    return notes


def listing_message(page: Page, filters: CarFilters, notes: Sequence[str] = ()) -> str:
    described = describe_filters(filters)
    noun = "auto" if page.total == 1 else "autos"
    header = f"Encontré {page.total} {noun}" + (f" ({described})" if described else "")
    order = f", {_SORT_LABELS[filters.sort]}" if filters.sort in _SORT_LABELS else ""
    lines = [*notes, f"{header}{order}, página {page.number} de {page.pages}:"]
    lines += [car_line(index + 1, car) for index, car in enumerate(page.cars)]
    hints = []
    if page.number < page.pages:
        hints.append("«más» para la siguiente página")
    if page.number > 1:
        hints.append("«anterior» para regresar")
    hints.append("«detalles del 1» para ver uno")
    lines.append("Escribe " + ", ".join(hints) + ", o agrega un filtro (año, precio, km).")
    return "\n".join(lines)


def alternatives_message(filters: CarFilters, alternatives: Sequence[Alternative], notes: Sequence[str] = ()) -> str:
    """No car matches: say what was not found, then the nearest cars, numbered across the alternatives."""
    described = describe_filters(filters)
    lines = [*notes, f"No tengo {described} en este momento 😕." if described else "No encontré autos con esa búsqueda 😕."]
    if not alternatives:
        lines.append("Por ahora no tenemos autos en inventario. Vuelve pronto, llegan unidades cada semana.")
        return "\n".join(lines)
    lines.append("Lo más cercano que tengo:")
    position = 0
    for alternative in alternatives:
        looser = describe_filters(alternative.filters)
        noun = "auto" if alternative.page.total == 1 else "autos"
        lines.append(f"Sin {alternative.dropped}" + (f" ({looser})" if looser else "") +
                     f", {alternative.page.total} {noun}:")
        for car in alternative.page.cars:
            position += 1
            lines.append(car_line(position, car))
    lines.append("Escribe «detalles del 1» para ver uno, o cambia la búsqueda.")
    return "\n".join(lines)


def nothing_of(filters: CarFilters) -> str:
    """«No tengo Mazda CX-5 · 2013 en este momento 😕», before the cars of the model asked for on their own."""
    described = describe_filters(filters)
    return (f"No tengo {described} en este momento 😕; te muestro lo que hay:" if described
            else "No encontré autos con esa búsqueda 😕.")


def nothing_found_keeping_listing(filters: CarFilters, first_car: CarRecord | None, notes: Sequence[str] = ()) -> str:
    """No car matches and a listing is on screen: say what was not found and that the listing stays the one «el 1»
    refers to (the nearest cars are offered only when nothing was listed before)."""
    described = describe_filters(filters)
    lines = [*notes, f"No tengo {described} en este momento 😕." if described else "No encontré autos con esa búsqueda 😕."]
    still = f": «el 1» sigue siendo el {car_name(first_car)} {first_car.year}" if first_car else ""
    lines.append(f"Sigues viendo la lista anterior{still}. Dime otro modelo o escribe «busca otra cosa».")
    return "\n".join(lines)


def unknown_brand_message(words: Sequence[str], suggestions: Sequence[str], most_stocked: Sequence[str]) -> str:
    """`suggestions`: makes close to what was written; else `most_stocked` are offered instead."""
    asked = " ".join(words[:3])
    text = f"No encontré «{asked}» entre las marcas y modelos que tenemos ahora."
    if suggestions:
        text += f" ¿Quisiste decir {join_options(suggestions)}?"
    elif most_stocked:
        text += f" Las marcas con más opciones son {join_options(most_stocked)}."
    return text + " Escribe «marcas» para ver todas."


def car_details_message(car: CarRecord) -> str:
    yes_no = {True: "sí", False: "no"}
    return "\n".join([
        f"🚗 {car_name(car)} {car.year}",
        f"Clave: {car.stock_id}",
        f"💰 Precio: {money(car.price)}",
        f"🛣️ Kilometraje: {thousands(car.km)} km",
        f"⚙️ Transmisión: {label(TRANSMISSIONS, car.transmission)}",
        f"⛽ Combustible: {label(FUELS, car.fuel)}",
        f"🚙 Carrocería: {label(BODY_TYPES, car.body_type)} · {car.seats} asientos",
        f"📱 Bluetooth: {yes_no[car.bluetooth]} · CarPlay: {yes_no[car.car_play]}",
        f"📏 Largo × ancho × alto: {thousands(car.length_mm)} × {thousands(car.width_mm)} × {thousands(car.height_mm)} mm",
        "¿Quieres ver otro? Escribe «detalles del 2» o sigue buscando.",
    ])


def page_hint_without_listing() -> str:
    return "Aún no te he mostrado autos. Dime qué buscas, por ejemplo «un Versa automático» o «SUV de menos de 350 mil»."


def page_out_of_range(page: Page, asked: int) -> str:
    if asked > page.pages:
        return f"Esa página no existe: la lista tiene {page.pages} página{'s' if page.pages != 1 else ''}."
    return "Ya estás en la primera página."


def position_not_on_page(shown: int) -> str:
    noun = "auto" if shown == 1 else "autos"
    return f"En esta página hay {shown} {noun}: elige un número del 1 al {shown}, o escribe la clave (por ejemplo ALM-10001)."


def car_not_found(stock_id: str) -> str:
    return f"No encontré la clave {stock_id} en el inventario. Revisa la clave o busca por marca y modelo."
