"""Realistic conversation load for the report: customers who browse, open cars, ask for plans, ask open questions,
answer (or ignore) the NPS survey and say goodbye, sent through the real REST channel. Used by
scripts/report_demo.py (the README's screenshot) and reusable against any running bot."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import requests
from sqlalchemy import MetaData, Table, create_engine, inspect, select, update

from dealer.database import get_engine
from dealer.leads.models import Lead
from dealer.nps.models import NpsResponse

BRANDS = ["chevrolet", "honda", "volkswagen", "toyota", "nissan", "mazda", "kia", "renault", "hyundai", "ford"]
SEARCHES = ["busco una SUV de menos de 350 mil", "un sedan automático", "quiero una pickup", "algo con carplay",
            "un auto 2020 o más nuevo con menos de 60 mil km", "algo económico de menos de 200 mil"]
OPEN_QUESTIONS = [
    "¿qué garantía tienen?", "¿aceptan tarjeta de crédito?", "¿dónde están ubicados?", "¿puedo devolver el auto?",
    "¿reciben mi auto a cuenta?", "¿hacen envíos a Monterrey?", "¿qué horario tienen el domingo?",
    "¿los autos están certificados?", "¿cuánto cuesta el seguro?", "¿qué documentos necesito?",
    "¿puedo hacer una prueba de manejo?", "¿tienen autos eléctricos?", "¿qué garantía tienen?",
    "¿aceptan tarjeta de crédito?", "¿reciben mi auto a cuenta?",
]
COMMENTS = ["que respondan más rápido", "más fotos de los autos", "nada", "no", "más autos híbridos",
            "poder apartar el auto en línea", "nada, todo bien", "mostrar el precio con IVA"]


@dataclass(frozen=True)
class Traffic:
    customers: int
    turns: int
    failed_turns: int
    seconds: float


def conversation(rng: random.Random) -> list[str]:
    """One customer's messages, drawn from the flows the assistant handles plus open questions."""
    messages = [rng.choice(["hola", "buenas tardes", "hola, buen día"])] if rng.random() < 0.6 else []
    if rng.random() < 0.3:
        messages.append("¿qué marcas tienen?")
    messages.append(f"quiero un {rng.choice(BRANDS)}" if rng.random() < 0.6 else rng.choice(SEARCHES))
    if rng.random() < 0.4:
        messages.append("siguiente")
    if rng.random() < 0.7:
        messages.append(f"detalles del {rng.randint(1, 3)}")
    messages += rng.sample(OPEN_QUESTIONS, k=rng.choice([0, 0, 1, 1, 2]))
    planned = rng.random() < 0.45
    if planned:
        messages += [f"¿cuánto pagaría al mes por el {rng.randint(1, 3)}?", f"{rng.choice([30, 50, 80, 100])} mil",
                     f"a {rng.choice([3, 4, 5, 6])} años"]
    if planned or rng.random() < 0.5:
        if not planned:
            messages.append(rng.choice(["gracias, adiós", "bye", "adiós"]))
        # The survey follows the plan or the goodbye: answer it, or go on as if it had not been asked.
        if rng.random() < 0.75:
            score = rng.choices(range(11), weights=[1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 9])[0]
            messages.append(rng.choice(["{}", "un {}", "le doy un {}", "{}/10"]).format(score))
            messages.append(rng.choice(COMMENTS))
        else:
            messages.append(rng.choice(["busco un jetta", "gracias", "¿tienen garantía?"]))
    return messages


def send_traffic(rasa_url: str, customers: int, seed: int = 7, prefix: str = "demo",
                 say: Callable[[str, str], bool] | None = None) -> Traffic:
    """Send `customers` conversations one after the other through the REST channel."""
    rng = random.Random(seed)
    http = requests.Session()

    def post(sender: str, message: str) -> bool:
        try:
            reply = http.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
            return reply.status_code == 200
        except requests.RequestException:
            return False

    send = say or post
    started, turns, failed = time.perf_counter(), 0, 0
    for number in range(customers):
        for message in conversation(rng):
            turns += 1
            failed += not send(f"{prefix}-{number:04d}", message)
    return Traffic(customers, turns, failed, time.perf_counter() - started)


def spread_over_days(database_url: str, tracker_store_url: str, prefix: str, days: int, seed: int = 7) -> None:
    """Move each generated customer's records back by a random whole number of days (0 to days-1), so a load
    sent in minutes looks like the last `days` days: conversation events, leads and NPS answers alike."""
    rng = random.Random(seed)
    tracker = create_engine(tracker_store_url, future=True)
    events = Table("events", MetaData(), autoload_with=tracker) if inspect(tracker).has_table("events") else None
    project = get_engine(database_url)
    with tracker.begin() as tracker_connection, project.begin() as connection:
        senders = [row[0] for row in tracker_connection.execute(
            events.select().with_only_columns(events.c.sender_id).distinct()
        )] if events is not None else []
        for sender in sorted(sender for sender in senders if sender.startswith(prefix)):
            shift = timedelta(days=rng.randrange(days), minutes=rng.randrange(-300, 300))
            tracker_connection.execute(
                update(events).where(events.c.sender_id == sender)
                .values(timestamp=events.c.timestamp - shift.total_seconds())
            )
            # Shifted in Python: SQLite keeps datetimes as text, so no date arithmetic in SQL.
            for lead_id, created_at in connection.execute(
                select(Lead.id, Lead.created_at).where(Lead.customer_id == sender)
            ).all():
                connection.execute(update(Lead.__table__).where(Lead.id == lead_id).values(created_at=created_at - shift))
            for survey_id, asked_at, answered_at in connection.execute(
                select(NpsResponse.id, NpsResponse.asked_at, NpsResponse.answered_at).where(NpsResponse.customer_id == sender)
            ).all():
                connection.execute(update(NpsResponse.__table__).where(NpsResponse.id == survey_id).values(
                    asked_at=asked_at - shift, answered_at=answered_at and answered_at - shift
                ))
