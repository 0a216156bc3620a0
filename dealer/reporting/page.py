"""The report as one self-contained HTML page: figures as cards and tables, charts drawn by matplotlib as inline
SVG (no external file, script or font), in a layout that stacks into one column on a phone."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Optional

import matplotlib

matplotlib.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402

from dealer.reporting import analysis  # noqa: E402
from dealer.reporting.sources import Period, Records  # noqa: E402

_BLUE, _ORANGE, _GREEN, _GREY = "#1f5fa8", "#e07b1a", "#2e8b57", "#666666"
plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller files, the page's font
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
})


@dataclass(frozen=True)
class Report:
    period: Period
    conversations: dict[date, int]
    turns: int
    funnel: list[tuple[str, int]]
    latency_p50_ms: Optional[float]
    latency_p95_ms: Optional[float]
    latency_by_day: dict[date, tuple[float, float]]
    model_share: float
    cost: Optional[analysis.Cost]
    unanswered: list[analysis.UnansweredQuestion]
    nps: Optional[float]
    nps_answers: int
    nps_questions: int
    nps_by_week: dict[date, tuple[float, int]]
    nps_comments: list[str]
    leads: int
    leads_by_brand: list[tuple[str, int]]


def build_report(records: Records, period: Period) -> Report:
    turns = analysis.turns_of(records.events)
    conversations = analysis.conversations_per_day(turns)
    p50, p95 = analysis.latency_ms(turns)
    scores = [record.score for record in records.nps if record.score is not None]
    return Report(
        period=period,
        conversations=conversations,
        turns=len(turns),
        funnel=analysis.funnel(turns),
        latency_p50_ms=p50,
        latency_p95_ms=p95,
        latency_by_day=analysis.latency_by_day(turns),
        model_share=analysis.model_share(turns),
        cost=analysis.model_cost(records.usage, sum(conversations.values()), len(records.leads)),
        unanswered=analysis.unanswered_questions(turns),
        nps=analysis.nps_score(scores),
        nps_answers=len(scores),
        nps_questions=len(records.nps),
        nps_by_week=analysis.nps_by_week(records.nps),
        nps_comments=[record.comment for record in sorted(records.nps, key=lambda r: r.asked_at) if record.comment][-10:],
        leads=len(records.leads),
        leads_by_brand=analysis.leads_by_brand(records.leads),
    )


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # No metadata block: nothing in the page but the drawing (and the same data gives the same page).
    no_metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata=no_metadata)
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG sits inside HTML


def _figure() -> tuple[Figure, plt.Axes]:
    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _day_labels(days: Sequence[date]) -> list[str]:
    return [day.strftime("%d/%m") for day in days]


def conversations_chart(per_day: dict[date, int]) -> str:
    figure, axes = _figure()
    days = list(per_day)
    axes.bar(_day_labels(days), list(per_day.values()), color=_BLUE)
    axes.set_ylabel("conversaciones")
    axes.tick_params(axis="x", labelrotation=60, labelsize=8)
    return _svg(figure)


def _horizontal_bars(items: Sequence[tuple[str, int]], color: str, label: str) -> str:
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(items) + 0.9))
    names, values = [name for name, _ in items][::-1], [value for _, value in items][::-1]
    bars = axes.barh(names, values, color=color)
    axes.bar_label(bars, padding=3)
    axes.set_xlabel(label)
    axes.margins(x=0.15)
    return _svg(figure)


def funnel_chart(stages: Sequence[tuple[str, int]]) -> str:
    return _horizontal_bars(stages, _GREEN, "conversaciones que llegaron a cada paso")


def leads_chart(by_brand: Sequence[tuple[str, int]]) -> str:
    return _horizontal_bars(by_brand[:12], _ORANGE, "leads")


def nps_chart(by_week: dict[date, tuple[float, int]]) -> str:
    figure, axes = _figure()
    weeks = list(by_week)
    values = [score for score, _ in by_week.values()]
    axes.plot(_day_labels(weeks), values, marker="o", color=_BLUE)
    for x, (score, answers) in enumerate(by_week.values()):
        axes.annotate(f"n={answers}", (x, score), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8)
    axes.axhline(0, color=_GREY, linewidth=0.8)
    axes.set_ylim(-100, 110)
    axes.set_ylabel("NPS (semana)")
    return _svg(figure)


def latency_chart(by_day: dict[date, tuple[float, float]]) -> str:
    figure, axes = _figure()
    labels = _day_labels(list(by_day))
    axes.plot(labels, [p50 for p50, _ in by_day.values()], marker="o", color=_BLUE, label="p50")
    axes.plot(labels, [p95 for _, p95 in by_day.values()], marker="o", color=_ORANGE, label="p95")
    axes.set_ylabel("ms por turno")
    axes.legend(frameon=False)
    axes.tick_params(axis="x", labelrotation=60, labelsize=8)
    return _svg(figure)


_STYLE = """
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
background:#f4f5f7;line-height:1.4}header{background:#1f5fa8;color:#fff;padding:16px}header h1{margin:0;font-size:1.3rem}
header p{margin:4px 0 0;opacity:.85;font-size:.9rem}main{max-width:1100px;margin:0 auto;padding:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:12px}
.card{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:1.5rem}.card span{font-size:.85rem;color:#555}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:12px}
section{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:0}
section h2{font-size:1.05rem;margin:0 0 8px}figure{margin:0}figure svg{width:100%;height:auto;display:block}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{text-align:left;padding:6px;border-top:1px solid #eee;
vertical-align:top}td.n{text-align:right;white-space:nowrap}.empty{color:#777;font-style:italic}
ul{padding-left:18px;margin:0}small{color:#666}
"""


def _chart(name: str, title: str, svg: Optional[str]) -> str:
    body = f'<figure class="chart" data-chart="{name}">{svg}</figure>' if svg else '<p class="empty">Sin datos en el periodo.</p>'
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def _number(value: Optional[float], suffix: str = "", digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def _cards(report: Report) -> str:
    cost = report.cost
    cards = [
        (f"{sum(report.conversations.values()):,}", "conversaciones"),
        (f"{report.turns:,}", "mensajes de clientes"),
        (_number(report.nps, digits=0), f"NPS ({report.nps_answers} de {report.nps_questions} respondieron)"),
        (_number(report.latency_p50_ms, " ms"), "latencia p50 por turno"),
        (_number(report.latency_p95_ms, " ms"), "latencia p95 por turno"),
        (f"{report.model_share:.1%}", "turnos que llegaron al modelo"),
        ("no registrado" if cost is None else f"US$ {cost.total_usd:,.4f}", "costo del modelo"),
        ("—" if cost is None or cost.per_conversation_usd is None else f"US$ {cost.per_conversation_usd:,.4f}",
         "costo por conversación"),
        ("—" if cost is None or cost.per_lead_usd is None else f"US$ {cost.per_lead_usd:,.4f}", "costo por lead"),
        (f"{report.leads:,}", "leads"),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>' for value, label in cards
    ) + "</div>"


def _unanswered_table(questions: Sequence[analysis.UnansweredQuestion]) -> str:
    if not questions:
        return '<p class="empty">Ninguna en el periodo.</p>'
    rows = "".join(
        f'<tr><td class="n">{question.count}</td><td>{escape(question.examples[0])}'
        + (f"<br><small>también: {escape(' · '.join(question.examples[1:]))}</small>" if len(question.examples) > 1 else "")
        + "</td></tr>"
        for question in questions
    )
    return f'<table data-table="unanswered"><tr><th>veces</th><th>pregunta (ejemplos)</th></tr>{rows}</table>'


def render_html(report: Report, generated_at: datetime) -> str:
    since, until = report.period.since, report.period.until
    comments = "".join(f"<li>{escape(comment)}</li>" for comment in report.nps_comments)
    sections = [
        _chart("conversations", "Conversaciones por día",
               conversations_chart(report.conversations) if report.conversations else None),
        _chart("funnel", "Embudo: búsqueda → detalles → plan → cita → asesor",
               funnel_chart(report.funnel) if report.turns else None),
        _chart("nps", "NPS por semana", nps_chart(report.nps_by_week) if report.nps_by_week else None),
        _chart("latency", "Latencia por turno (mensaje → última respuesta)",
               latency_chart(report.latency_by_day) if report.latency_by_day else None),
        _chart("leads", "Leads por marca", leads_chart(report.leads_by_brand) if report.leads_by_brand else None),
        "<section><h2>Preguntas sin respuesta estructurada (fallback)</h2>" + _unanswered_table(report.unanswered) + "</section>",
        "<section><h2>Qué podríamos mejorar (últimos comentarios NPS)</h2>"
        + (f"<ul>{comments}</ul>" if comments else '<p class="empty">Sin comentarios en el periodo.</p>') + "</section>",
    ]
    return f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Informe del asistente · {since:%d/%m/%Y} – {until:%d/%m/%Y}</title>
<style>{_STYLE}</style></head>
<body><header><h1>Informe del asistente de ventas</h1>
<p>{since:%d/%m/%Y %H:%M} – {until:%d/%m/%Y %H:%M} UTC · generado {generated_at:%d/%m/%Y %H:%M} UTC</p></header>
<main>{_cards(report)}<div class="grid">{"".join(sections)}</div></main></body></html>
"""
