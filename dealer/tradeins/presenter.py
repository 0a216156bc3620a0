"""The trade-in conversation's texts (Spanish, phone-sized) and the sales team's notice."""

from __future__ import annotations

from dealer.catalog.presenter import money
from dealer.leads.outbox import slack_escape
from dealer.tradeins.store import NewTradeIn

QUESTIONS = {
    "tradein_make": "¡Claro que recibimos tu auto a cuenta! 🚗 ¿Qué marca es?",
    "tradein_model": "¿Y qué modelo es?",
    "tradein_year": "¿De qué año es?",
    "tradein_km": "¿Cuántos kilómetros tiene, más o menos?",
}
# The first question opens the form; asked again after a question was answered, it is only the question.
ASKED_AGAIN = {"tradein_make": "¿Qué marca es tu auto?"}
NOT_UNDERSTOOD = {
    "tradein_year": "No me quedó claro el año 🤔 Escríbelo así: «2015».",
    "tradein_km": "No me quedó claro el kilometraje 🤔 Escríbelo así: «85 mil km».",
}


def car_label(trade_in: NewTradeIn) -> str:
    return f"{trade_in.make} {trade_in.model} {trade_in.year}, {trade_in.km:,} km"


def received(trade_in: NewTradeIn, appraisal: str) -> str:
    """`appraisal`: the knowledge base's passage on how the appraisal works."""
    return (f"Listo, anoté tu {car_label(trade_in)} ✅ Un asesor te buscará para darte una oferta.\n\n{appraisal}\n\n"
            "Si ya tienes una idea de cuánto te dan, dime «me dan 80 mil por mi carro» y lo sumo a tu enganche.")


def notice_text(trade_in: NewTradeIn, lead_id: int) -> str:
    return (f"🔁 Auto a cuenta #{lead_id}: {slack_escape(car_label(trade_in))}. "
            f"Cliente {slack_escape(trade_in.customer_id)} por {slack_escape(trade_in.channel)}.")


def value_noted(value: int) -> str:
    return (f"Anotado: tu auto a cuenta vale unos {money(value)} 👍 Lo sumo a tu enganche cuando calcules un plan. "
            "¿Qué auto quieres financiar?")


def value_not_understood() -> str:
    return "¿Cuánto te dan por tu auto? Escríbelo así: «me dan 80 mil por mi carro»."


def trade_in_note(value: int) -> str:
    """Under a financing plan whose down payment includes the customer's car."""
    return f"🔁 Tu enganche incluye {money(value)} de tu auto a cuenta (sujeto al avalúo)."
