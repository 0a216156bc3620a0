"""The model's tools: the same catalog queries and financing maths the structured flows use.

Every call's result also goes into the turn's GroundedFacts, so the reply can be checked against it.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CarRecord, CatalogRepository
from dealer.financing.plans import FinancingTerms, check_down_payment, check_term, compare_terms, compute_plan
from dealer.llm.grounding import GroundedFacts
from dealer.vocabulary import BODY_TYPES, TRANSMISSIONS, codes

MAX_CARS = 5
MAX_ARGUMENTS_CHARS = 2000
MAX_TEXT_ARGUMENT_CHARS = 60
# Every number a tool accepts, with its bounds: anything else is an error the model reads, never an exception.
BOUNDS = {
    "anio_min": (1950, 2100), "anio_max": (1950, 2100), "precio_min": (0, 100_000_000), "precio_max": (0, 100_000_000),
    "km_max": (0, 2_000_000), "enganche": (0, 100_000_000), "anios": (1, 10),
}

TOOL_SPECS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "buscar_autos",
        "description": "Busca autos en el inventario de Autos Alameda. Devuelve hasta 5 autos con precio en MXN y el total.",
        "parameters": {"type": "object", "properties": {
            "marca": {"type": "string"}, "modelo": {"type": "string"},
            "anio_min": {"type": "integer"}, "anio_max": {"type": "integer"},
            "precio_max": {"type": "integer", "description": "pesos"}, "precio_min": {"type": "integer"},
            "km_max": {"type": "integer"},
            "carroceria": {"type": "string", "enum": list(codes(BODY_TYPES))},
            "transmision": {"type": "string", "enum": list(codes(TRANSMISSIONS))},
        }},
    }},
    {"type": "function", "function": {
        "name": "ver_auto",
        "description": "Los datos completos de un auto por su número de inventario (stock_id, p. ej. ALM-10023).",
        "parameters": {"type": "object", "properties": {"stock_id": {"type": "string"}}, "required": ["stock_id"]},
    }},
    {"type": "function", "function": {
        "name": "calcular_financiamiento",
        "description": "Plan de financiamiento de un auto: mensualidad, pagos, total e intereses. Sin plazo: todos los plazos.",
        "parameters": {"type": "object", "properties": {
            "stock_id": {"type": "string"}, "enganche": {"type": "number", "description": "pesos"},
            "anios": {"type": "integer"},
        }, "required": ["stock_id", "enganche"]},
    }},
]


class CatalogTools:
    def __init__(self, repository: CatalogRepository, terms: FinancingTerms, facts: GroundedFacts):
        self.repository = repository
        self.terms = terms
        self.facts = facts

    def run(self, name: str, arguments: str) -> str:
        """The tool's result as JSON text; bad arguments give an {"error": ...} the model can read."""
        try:
            if len(arguments or "") > MAX_ARGUMENTS_CHARS:
                raise ValueError("arguments too long")
            values = json.loads(arguments or "{}")
            if not isinstance(values, dict):
                raise ValueError("arguments must be a JSON object")
            handler = {"buscar_autos": self.search, "ver_auto": self.details,
                       "calcular_financiamiento": self.financing}.get(name)
            if handler is None:
                return json.dumps({"error": f"unknown tool {name}"})
            return json.dumps(handler(values), ensure_ascii=False)
        except (ValueError, TypeError, InvalidOperation, RecursionError, OverflowError) as problem:
            return json.dumps({"error": str(problem)[:200]})

    def search(self, values: dict[str, Any]) -> dict[str, Any]:
        make, model, _ = self.repository.name_matcher().resolve(
            " ".join(_text(values, key) for key in ("marca", "modelo"))
        )
        filters = CarFilters(
            make=make, model=model, year_min=_int(values, "anio_min"), year_max=_int(values, "anio_max"),
            price_min=_int(values, "precio_min"), price_max=_int(values, "precio_max"), km_max=_int(values, "km_max"),
            body_type=_text(values, "carroceria") or None, transmission=_text(values, "transmision") or None,
        )
        page = self.repository.search(filters, page=1, page_size=MAX_CARS)
        return {"total": page.total, "autos": [self._car(car) for car in page.cars]}

    def details(self, values: dict[str, Any]) -> dict[str, Any]:
        car = self.repository.get(_text(values, "stock_id"))
        return self._car(car) if car else {"error": "no existe ese auto en el inventario"}

    def financing(self, values: dict[str, Any]) -> dict[str, Any]:
        car = self.repository.get(_text(values, "stock_id"))
        if car is None:
            return {"error": "no existe ese auto en el inventario"}
        self.facts.add_car(car)
        down_payment = _number(values, "enganche")
        if down_payment is None:
            raise ValueError("enganche is required")
        price = Decimal(car.price)
        problem = check_down_payment(price, down_payment, self.terms)
        if problem is not None:
            return {"error": f"enganche no válido ({problem.value}); mínimo {self.terms.min_down_payment_share:.0%} del precio"}
        years = _int(values, "anios")
        if years is not None and not check_term(years, self.terms):
            return {"error": f"plazos disponibles: {', '.join(map(str, self.terms.terms_years))} años"}
        if years is None:
            plans = compare_terms(price, down_payment, self.terms)
        else:
            plans = [compute_plan(price, down_payment, years, self.terms)]
        # The down payment is the model's input: the plan grounds the reply only if the customer gave it (or it is
        # the minimum); otherwise the model may still read the plan, but not quote it.
        trusted = self.facts.trusted_down_payment(price, down_payment, self.terms)
        for plan in plans:
            self.facts.add_plan(plan, with_down_payment=trusted)
        return {
            "auto": car.stock_id, "precio": str(price), "enganche": str(down_payment),
            "tasa_anual": str(self.terms.annual_rate),
            "planes": [{"anios": plan.years, "pagos": plan.payments, "mensualidad": str(plan.monthly_payment),
                        "total_pagado": str(plan.total_paid), "intereses": str(plan.total_interest)} for plan in plans],
        }

    def _car(self, car: CarRecord) -> dict[str, Any]:
        self.facts.add_car(car)
        return {"stock_id": car.stock_id, "marca": car.make, "modelo": car.model, "version": car.version,
                "anio": car.year, "km": car.km, "precio": car.price, "transmision": car.transmission,
                "carroceria": car.body_type, "combustible": car.fuel, "carplay": car.car_play}


def _number(values: dict[str, Any], key: str) -> Optional[Decimal]:
    """A bounded, finite number argument (None when absent); ValueError naming the argument otherwise."""
    value = values.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (isinstance(value, str) and len(value) > 20):
        raise ValueError(f"{key} must be a number")
    if isinstance(value, int) and value.bit_length() > 64:
        raise ValueError(f"{key} is out of range")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{key} must be a number") from None
    low, high = BOUNDS[key]
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(f"{key} must be between {low} and {high}")
    return number


def _int(values: dict[str, Any], key: str) -> Optional[int]:
    number = _number(values, key)
    return None if number is None else int(number)


def _text(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"{key} must be text")
    return str(value)[:MAX_TEXT_ARGUMENT_CHARS]
