"""What the security checks cost per turn, measured directly (issue 15: at most 2 ms per turn):

    python -m scripts.security_bench

The model-reply guard on a typical reply (evidence built from three knowledge passages, a five-car listing, a
search and a financing tool call, then the reply checked), the rate-limit and budget checks, text hygiene on a
customer message, and the erasure-marker lookup a tracker save makes. Printed as `name: value unit` lines
(median of many runs, in milliseconds)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from dealer.catalog.importer import DEFAULT_CSV, import_catalog
from dealer.catalog.presenter import car_line
from dealer.catalog.query import CarFilters
from dealer.catalog.repository import CatalogRepository
from dealer.erasures import erased_at
from dealer.financing.plans import FinancingTerms, compute_plan
from dealer.knowledge.passages import knowledge_index
from dealer.limits import DailySpend, MemoryRateLimiter, llm_call_limit, message_limit
from dealer.llm.grounding import GroundedFacts, ungrounded_claim
from dealer.text import clean_text

RUNS = 300


def median_ms(call: Callable[[], object], runs: int = RUNS) -> float:
    call()  # warm caches (the name matcher, compiled patterns)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'catalog.db'}"
        import_catalog(DEFAULT_CSV, url)
        repository = CatalogRepository(url)
        terms = FinancingTerms()
        passages = [match.passage for match in knowledge_index().search("¿qué garantía tienen y puedo devolverlo?", 3)]
        cars = repository.search(CarFilters(make="Chevrolet"), 1, 5).cars
        listing = "\n".join(f"{car_line(position, car)} · {car.stock_id}" for position, car in enumerate(cars, 1))
        plan = compute_plan(Decimal(cars[0].price), Decimal(60_000), 4, terms)
        question, history = "¿y con 60 mil de enganche a 4 años cuánto pagaría por el aveo?", ["hola", "quiero un chevrolet"]
        reply = (f"El Chevrolet {cars[0].model} {cars[0].year} con {cars[0].km:,} km cuesta ${cars[0].price:,}. Con tus "
                 f"60 mil de enganche pagarías ${plan.monthly_payment:,.2f} al mes durante 48 meses, a una tasa del 10% "
                 "anual. Incluye garantía mecánica de 6 meses o 10,000 km y devolución en 7 días o 500 km. ¿Te lo aparto?")
        matcher = repository.name_matcher()

        def guard() -> object:
            facts = GroundedFacts()
            for passage in passages:
                facts.add_knowledge(passage.text)
            facts.add_terms(terms)
            facts.add_text(listing)
            for car in cars:
                facts.add_car(car)
            for text in (question, *history):
                facts.add_customer_text(text)
            facts.add_plan(plan, with_down_payment=facts.trusted_down_payment(plan.price, plan.down_payment, terms))
            problem = ungrounded_claim(reply, facts, matcher)
            assert problem is None, problem
            return problem

        limiter, spend = MemoryRateLimiter(), DailySpend(10.0)
        customers = [f"whatsapp:+52155{n:08d}" for n in range(1000)]
        position = iter(range(10**9))

        def limits() -> object:
            customer = customers[next(position) % len(customers)]
            return message_limit(limiter, customer, 20), llm_call_limit(limiter, customer, 30), spend.exhausted()

        message = "Hola 👋 busco un\u202e chevrolet\x00 de menos de 250 mil, ¿tienen con CarPlay?\r\n" * 3
        figures = {
            "security_guard_per_reply_ms": median_ms(guard),
            "security_limits_per_turn_ms": median_ms(limits),
            "security_clean_text_ms": median_ms(lambda: clean_text(message)),
            "security_erasure_lookup_ms": median_ms(lambda: erased_at(customers[0], url)),
        }
    for name, value in figures.items():
        print(f"{name}: {value:.3f} ms")
    total = sum(figures.values())
    print(f"security_total_per_turn_ms: {total:.3f} ms")
    return 0 if total <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
