"""Spanish (Mexico) texts for the financing conversation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dealer.catalog.presenter import car_name, join_options
from dealer.catalog.repository import CarRecord
from dealer.financing.plans import DownPaymentProblem, FinancingTerms, Plan, format_mxn, minimum_down_payment


def car_label(car: CarRecord) -> str:
    return f"{car_name(car)} {car.year}"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _years(terms: FinancingTerms) -> str:
    return join_options([str(years) for years in terms.terms_years]) + " años"


def ask_car() -> str:
    return "¿Qué auto quieres financiar? Dime su número en la lista, su clave (por ejemplo ALM-10023) o el modelo 🚗"


def ask_down_payment(car: CarRecord | None, terms: FinancingTerms) -> str:
    if car is None:
        return "¿Cuánto darías de enganche? Puedes escribir «50 mil» o «20%»."
    minimum = minimum_down_payment(Decimal(car.price), terms)
    return (f"¿Cuánto darías de enganche por el {car_label(car)} ({format_mxn(Decimal(car.price))})? "
            f"El mínimo es {format_mxn(minimum)} ({_percent(terms.min_down_payment_share)}). "
            "Escribe por ejemplo «50 mil» o «20%».")


def ask_term(terms: FinancingTerms) -> str:
    return f"¿A qué plazo? Tenemos {_years(terms)}. Si quieres verlos todos, escribe «compara plazos»."


def choose_car_first() -> str:
    return "Primero elige el auto: búscalo, por ejemplo «un Aveo», y dime «cuánto pagaría al mes por el 2»."


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


def plan_message(car: CarRecord, plan: Plan) -> str:
    return "\n".join([
        f"💳 Plan para {car_label(car)} ({car.stock_id})",
        f"Precio: {format_mxn(plan.price)}",
        f"Enganche: {format_mxn(plan.down_payment)}",
        f"A financiar: {format_mxn(plan.financed_amount)} a {plan.years} años ({plan.payments} pagos), "
        f"tasa {_percent(plan.annual_rate)} anual",
        f"👉 Mensualidad: {format_mxn(plan.monthly_payment)}",
        f"Total en mensualidades: {format_mxn(plan.total_paid)} (intereses {format_mxn(plan.total_interest)})",
        "Un asesor ya tiene tu plan y te contactará. ¿Otro plazo? Escribe «a 6 años» o «compara plazos».",
    ])


def comparison_message(car: CarRecord, plans: Sequence[Plan]) -> str:
    first = plans[0]
    lines = [
        f"💳 Plazos para {car_label(car)} ({car.stock_id})",
        f"Precio {format_mxn(first.price)} · enganche {format_mxn(first.down_payment)} · "
        f"a financiar {format_mxn(first.financed_amount)} · tasa {_percent(first.annual_rate)} anual",
    ]
    lines += [f"• {plan.years} años: {format_mxn(plan.monthly_payment)}/mes · intereses {format_mxn(plan.total_interest)}"
              for plan in plans]
    lines.append("Un asesor ya tiene tus opciones y te contactará. ¿Cambiamos el enganche? Escribe «y si doy 80 mil».")
    return "\n".join(lines)


def car_not_in_stock() -> str:
    return "Ese modelo no lo tengo en inventario ahora 😕. Escribe «marcas» para ver lo que hay."
