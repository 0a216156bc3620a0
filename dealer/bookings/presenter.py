"""Spanish (Mexico) texts of the booking flow: short, warm, phone-sized."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Optional

from dealer.bookings.models import TEST_DRIVE
from dealer.bookings.schedule import Problem
from dealer.bookings.store import Booking
from dealer.bookings.when import local_now
from dealer.contacts import display_phone
from dealer.knowledge.branches import Branch

_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre")


def day_text(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day} de {_MONTHS[day.month - 1]}"


def clock_text(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def when_text(moment: datetime) -> str:
    local = local_now(moment)
    return f"{day_text(local.date())} a las {clock_text(local)}"


def kind_text(kind: str) -> str:
    return "prueba de manejo" if kind == TEST_DRIVE else "visita"


def ask_branch(branches: Sequence[Branch]) -> str:
    lines = "\n".join(f"{number}. {branch.name.replace('Autos Alameda ', '')} ({branch.city})"
                      for number, branch in enumerate(branches, start=1))
    return f"¿En qué sucursal te queda mejor?\n{lines}\nEscribe el número o la ciudad 📍"


def ask_which_branch(branches: Sequence[Branch]) -> str:
    names = " o ".join(branch.name.replace("Autos Alameda ", "") for branch in branches)
    return f"En {branches[0].city} tenemos dos sucursales: ¿{names}?"


def no_branch_in_city(city: str, nearest: Branch) -> str:
    return (f"Aún no tenemos sucursal en {city} 😔. La más cercana es {nearest.name} ({nearest.city}). "
            "¿Te agendo ahí? Si no, dime otra ciudad.")


def ask_day() -> str:
    return "¿Qué día te gustaría venir? Por ejemplo «mañana», «el sábado» o «el 3 de diciembre» 📅"


def ask_time(day: Optional[date], free: Sequence[datetime]) -> str:
    when = f"el {day_text(day)}" if day else "ese día"
    if not free:
        return f"¿A qué hora te queda bien {when}?"
    options = ", ".join(clock_text(local_now(start)) for start in free)
    return f"¿A qué hora {when}? Tengo lugar a las {options}, por ejemplo."


def not_understood_when() -> str:
    return "No entendí la fecha 🤔. Escríbela como «mañana a las 11» o «el sábado en la tarde»."


def not_understood_when_again() -> str:
    return "Sigo sin entender cuándo 🙏. Prueba con el día y la hora, por ejemplo «el lunes a las 10»."


def slot_problem(problem: Problem, branch: Optional[Branch], alternatives: Sequence[datetime]) -> str:
    reasons = {
        Problem.PAST: "Esa hora ya pasó ⏰.",
        Problem.TOO_SOON: "Esa hora está muy próxima para tener el auto listo.",
        Problem.TOO_FAR: "Solo agendo hasta dos meses adelante.",
        Problem.CLOSED_DAY: "Ese día la sucursal está cerrada.",
        Problem.CLOSED_HOUR: "A esa hora la sucursal está cerrada.",
        Problem.FULL: "Esa hora ya está llena.",
    }
    text = reasons[problem]
    if branch is not None and problem in (Problem.CLOSED_DAY, Problem.CLOSED_HOUR):
        text += f" Horario: {branch.hours}."
    if alternatives:
        options = "\n".join(f"{number}. {when_text(start)}" for number, start in enumerate(alternatives, start=1))
        text += f"\nTe puedo ofrecer:\n{options}\nElige un número o dime otra hora."
    return text


def night_refused(branch: Optional[Branch]) -> str:
    hours = f" ({branch.hours})" if branch else ""
    return f"En la noche ya estamos cerrados{hours} 🌙. ¿Te queda en la mañana o en la tarde?"


def confirmation(booking: Booking, branch: Branch) -> str:
    car = f"🚗 {booking.car_label}\n" if booking.car_label else ""
    contact = ""
    if booking.customer_phone and not booking.channel == "whatsapp":
        contact = f"\nTe contactamos al {display_phone(booking.customer_phone)} si hace falta."
    return (
        f"¡Listo! Quedó tu {kind_text(booking.kind)} ✅\n{car}📍 {branch.name}\n{branch.address}\n"
        f"📅 {when_text(booking.starts_at).capitalize()}{contact}\n"
        "Para verla escribe «mi cita»; para moverla, «cambia mi cita al lunes»."
    )


def upcoming(booking: Booking, branch: Optional[Branch]) -> str:
    car = f" para el {booking.car_label}" if booking.car_label else ""
    address = f"\n{branch.address}" if branch else ""
    return (f"Tu {kind_text(booking.kind)}{car} es el {when_text(booking.starts_at)} en {booking.branch} 📍"
            f"{address}\n¿Quieres cambiarla o cancelarla?")


def no_appointment() -> str:
    return "No tienes ninguna cita agendada. ¿Te agendo una visita o una prueba de manejo? 🚗"


def moved(booking: Booking) -> str:
    return f"¡Hecho! Tu {kind_text(booking.kind)} quedó el {when_text(booking.starts_at)} en {booking.branch} ✅"


def ask_new_time() -> str:
    return "¿Para cuándo la cambio? Escríbeme, por ejemplo, «cambia mi cita al lunes a las 11»."


def cancelled(booking: Booking) -> str:
    return (f"Listo, cancelé tu {kind_text(booking.kind)} del {when_text(booking.starts_at)}. "
            "Cuando quieras agendamos otra 🙌")


def slot_taken() -> str:
    return "¡Uy! Esa hora se acaba de llenar. ¿Me das otra?"


def notice_text(prefix: str, booking: Booking, escape) -> str:
    """The sales team's Slack line for a booking, change or cancellation; customer text escaped by `escape`."""
    car = f", {escape(booking.car_label)} ({escape(booking.stock_id or '')})" if booking.car_label else ""
    who = escape(booking.customer_name or booking.customer_id)
    phone = f", tel. {booking.customer_phone}" if booking.customer_phone else ""
    email = f", {escape(booking.customer_email)}" if booking.customer_email else ""
    consent = "" if booking.contact_consent is None else (
        ", acepta que lo contacten" if booking.contact_consent else ", NO quiere que lo contacten")
    return (f"{prefix} {kind_text(booking.kind)} #{booking.id}: {when_text(booking.starts_at)} en "
            f"{escape(booking.branch)}{car}. {who}{phone}{email}{consent} ({escape(booking.channel)}).")


def notice_details(booking: Booking) -> dict:
    return {
        "appointment_id": booking.id, "appointment_kind": booking.kind, "branch": booking.branch,
        "starts_at": booking.starts_at.isoformat(), "local_time": local_now(booking.starts_at).isoformat(),
        "stock_id": booking.stock_id, "car_label": booking.car_label, "status": booking.status,
        "customer_name": booking.customer_name, "customer_phone": booking.customer_phone,
        "customer_email": booking.customer_email, "contact_consent": booking.contact_consent,
    }
