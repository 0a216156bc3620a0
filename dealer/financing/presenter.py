"""Spanish (Mexico) texts for the financing conversation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dealer.catalog.presenter import car_name, join_options
from dealer.catalog.repository import CarRecord
from dealer.financing.plans import DownPaymentProblem, FinancingTerms, Plan, format_mxn, minimum_down_payment
from dealer.financing.reading import DownPaymentInput


def car_label(car: CarRecord) -> str:
    return f"{car_name(car)} {car.year}"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _years(terms: FinancingTerms) -> str:
    return join_options([str(years) for years in terms.terms_years]) + " años"


CARS_NAMED_IN_QUESTION = 3  # the first cars of the listing on screen, named when the form asks which one


def noted(down_payment: DownPaymentInput | None, term: object) -> str:
    """What the customer already gave before the car, said back so it is not lost."""
    parts = []
    if down_payment is not None:
        amount = f"{down_payment.value.normalize():f}%" if down_payment.is_percent else format_mxn(down_payment.value)
        parts.append(f"enganche de {amount}")
    if term == "all":
        parts.append("comparar plazos")
    elif isinstance(term, (int, float)) and not isinstance(term, bool):
        parts.append(f"plazo de {int(term)} años")
    return f"Anoté {' y '.join(parts)} ✅. " if parts else ""


def ask_car(listed: Sequence[CarRecord] = (), down_payment: DownPaymentInput | None = None,
            term: object = None) -> str:
    """`listed`: the first cars of the listing on screen, if any."""
    if listed:
        options = [f"el {position} ({car_name(car)} {car.year})" for position, car in enumerate(listed, start=1)]
        return f"{noted(down_payment, term)}¿Cuál de la lista quieres financiar? ¿{join_options(options)}?"
    return (f"{noted(down_payment, term)}¿Qué auto quieres financiar? Dime su número en la lista, su clave "
            "(por ejemplo ALM-10023) o el modelo 🚗")


def ask_down_payment(car: CarRecord | None, terms: FinancingTerms, assumed_price: Decimal | None = None) -> str:
    if car is None and assumed_price is not None:
        minimum = minimum_down_payment(assumed_price, terms)
        return (f"¿Cuánto darías de enganche para un auto de {format_mxn(assumed_price)}? El mínimo es "
                f"{format_mxn(minimum)} ({_percent(terms.min_down_payment_share)}). Escribe por ejemplo «50 mil».")
    if car is None:
        return "¿Cuánto darías de enganche? Puedes escribir «50 mil» o «20%»."
    minimum = minimum_down_payment(Decimal(car.price), terms)
    return (f"¿Cuánto darías de enganche por el {car_label(car)} ({format_mxn(Decimal(car.price))})? "
            f"El mínimo es {format_mxn(minimum)} ({_percent(terms.min_down_payment_share)}). "
            "Escribe por ejemplo «50 mil» o «20%».")


def terms_summary(terms: FinancingTerms) -> str:
    """Today's financing terms, from the settings: said with every financing answer so the numbers are the real ones."""
    return (f"📌 Hoy: tasa fija de {_percent(terms.annual_rate)} anual, plazos de {_years(terms)} y enganche desde "
            f"{_percent(terms.min_down_payment_share)} del precio.")


def ask_term(terms: FinancingTerms) -> str:
    return f"¿A qué plazo? Tenemos {_years(terms)}. Si quieres verlos todos, escribe «compara plazos»."


def down_payment_not_understood() -> str:
    return "No entendí el enganche 🤔. Escríbelo como «50 mil», «$50,000» o «20%»."


def term_not_offered(years: int, terms: FinancingTerms) -> str:
    return f"No manejamos plazo de {years} año{'s' if years != 1 else ''}; elige {_years(terms)}."


def term_not_understood(terms: FinancingTerms) -> str:
    return f"No entendí el plazo. Elige {_years(terms)}, o escribe «compara plazos»."


def down_payment_problem(problem: DownPaymentProblem, price: Decimal, terms: FinancingTerms) -> str:
    minimum = format_mxn(minimum_down_payment(price, terms))
    allowed = f"Puede ir de {minimum} ({_percent(terms.min_down_payment_share)}) hasta menos de {format_mxn(price)}."
    reasons = {
        DownPaymentProblem.NEGATIVE: "El enganche no puede ser negativo.",
        DownPaymentProblem.BELOW_MINIMUM: "Ese enganche es menor al mínimo.",
        DownPaymentProblem.NOT_BELOW_PRICE: "Con ese enganche ya no queda nada por financiar: ¡lo pagarías de contado! 😉",
    }
    return f"{reasons[problem]} {allowed}"


def _plan_lines(plan: Plan) -> list[str]:
    """The four amounts every plan shows: monthly payment, amount financed, total interest and total paid."""
    return [
        f"Precio: {format_mxn(plan.price)} · enganche: {format_mxn(plan.down_payment)}",
        f"👉 Mensualidad: {format_mxn(plan.monthly_payment)} × {plan.payments} ({plan.years} años, "
        f"tasa fija {_percent(plan.annual_rate)} anual)",
        f"Monto a financiar: {format_mxn(plan.financed_amount)}",
        f"Intereses totales: {format_mxn(plan.total_interest)}",
        f"Total pagado: {format_mxn(plan.down_payment + plan.total_paid)} (enganche + mensualidades)",
    ]


def plan_message(car: CarRecord, plan: Plan) -> str:
    return "\n".join([
        f"💳 Plan para {car_label(car)} ({car.stock_id})",
        *_plan_lines(plan),
        "Un asesor ya tiene tu plan y te contactará. ¿Otro plazo? Escribe «a 6 años» o «compara plazos».",
    ])


def estimate_message(plan: Plan) -> str:
    """A plan for a price the customer supposed: an estimate, not a car in stock."""
    return "\n".join([
        f"🧮 Estimación para un auto de {format_mxn(plan.price)} (no es un auto del inventario)",
        *_plan_lines(plan),
        "Es un cálculo aproximado. ¿Buscamos autos de ese precio? Escribe, por ejemplo, "
        f"«autos de menos de {format_mxn(plan.price)}».",
    ])


def _term_lines(plans: Sequence[Plan]) -> list[str]:
    """One line per term: monthly payment, interest, and the total with the down payment."""
    return [f"• {plan.years} años: {format_mxn(plan.monthly_payment)}/mes · intereses "
            f"{format_mxn(plan.total_interest)} · total {format_mxn(plan.down_payment + plan.total_paid)}"
            for plan in plans]


def estimate_comparison_message(plans: Sequence[Plan]) -> str:
    first = plans[0]
    lines = [
        f"🧮 Estimación para un auto de {format_mxn(first.price)} (no es un auto del inventario)",
        f"Enganche {format_mxn(first.down_payment)} · a financiar {format_mxn(first.financed_amount)} · "
        f"tasa fija {_percent(first.annual_rate)} anual",
    ]
    lines += _term_lines(plans)
    lines.append("Es un cálculo aproximado.")
    return "\n".join(lines)


def comparison_message(car: CarRecord, plans: Sequence[Plan]) -> str:
    first = plans[0]
    lines = [
        f"💳 Plazos para {car_label(car)} ({car.stock_id})",
        f"Precio {format_mxn(first.price)} · enganche {format_mxn(first.down_payment)} · "
        f"a financiar {format_mxn(first.financed_amount)} · tasa {_percent(first.annual_rate)} anual",
    ]
    lines += _term_lines(plans)
    lines.append("Un asesor ya tiene tus opciones y te contactará. ¿Cambiamos el enganche? Escribe «y si doy 80 mil».")
    return "\n".join(lines)


def car_not_in_stock() -> str:
    return "Ese modelo no lo tengo en inventario ahora 😕. Escribe «marcas» para ver lo que hay."
