"""The open answer of one turn: the chat model with tools when it is configured and behaves, else the best
knowledge passage, else nothing (the caller shows the menu). Never raises, never takes longer than the timeout."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Optional

import openai
from openai import AsyncOpenAI
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import SQLAlchemyError

from dealer.catalog.repository import CatalogRepository
from dealer.financing.presenter import terms_summary
from dealer.knowledge.passages import KnowledgeIndex, Match
from dealer.limits import DailySpend, MemoryRateLimiter, RateLimiter, llm_call_limit
from dealer.llm.grounding import GroundedFacts, ungrounded_claim
from dealer.llm.memory import ConversationMemory
from dealer.llm.prompt import Turn, clip_question, plan_prompt
from dealer.llm.tools import TOOL_SPECS, CatalogTools
from dealer.llm.usage import ModelUsage
from dealer.reply_checks import is_spanish
from dealer.settings import Settings
from dealer.text import WHATSAPP_MAX_CHARS

logger = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 3
PASSAGES_IN_PROMPT = 3
FINANCING_TOPIC = "financing"  # data/knowledge/financing.md: its answers carry the configured terms

Source = Literal["llm", "knowledge", "none"]

LLM_CALLS = Counter("llm_calls_total", "Chat completion requests made")
LLM_FAILURES = Counter("llm_failures_total", "Open answers the model could not give", ["reason"])
OPEN_ANSWERS = Counter("open_answers_total", "Open answers given, by where they came from", ["source"])
OPEN_ANSWER_SECONDS = Histogram("open_answer_seconds", "Time to produce an open answer",
                                buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 10))


@dataclass(frozen=True)
class OpenAnswer:
    text: Optional[str]  # None: nothing grounded to say (the caller shows the menu)
    source: Source
    failure: Optional[str] = None  # why the model's answer was not used, when it was tried
    # The running summary with the turns this prompt had to leave out folded in (for the caller to keep).
    memory: ConversationMemory = field(default_factory=ConversationMemory)
    usage: Optional[ModelUsage] = None  # what the model was asked and took, when it was called
    # The question matched a passage of the dealer's knowledge (KNOWLEDGE_MIN_SCORE): it was about the dealer, and
    # the answer, the model's or the passage, is grounded on it.
    on_topic: bool = False


class OpenAnswerer:
    def __init__(self, settings: Settings, index: KnowledgeIndex, repository: CatalogRepository,
                 limiter: Optional[RateLimiter] = None):
        self.settings = settings
        self.llm = settings.llm
        self.index = index
        self.repository = repository
        self.limiter = limiter or MemoryRateLimiter()  # LLM_CALLS_PER_HOUR per customer
        self.spend = DailySpend(settings.limits.llm_daily_budget_usd)  # LLM_DAILY_BUDGET_USD
        self.client: Optional[AsyncOpenAI] = None
        if self.llm.online:
            self.client = AsyncOpenAI(
                api_key=self.llm.api_key, base_url=self.llm.base_url, timeout=self.llm.timeout_seconds,
                max_retries=self.llm.max_retries,
            )

    async def answer(self, question: str, listing: str = "", listed_cars: Sequence = (), history: Sequence[Turn] = (),
                     memory: ConversationMemory = ConversationMemory(), profile: str = "",
                     customer_id: str = "") -> OpenAnswer:
        """`history`: the session's turns since the last reset, oldest first; `memory`: the summary of turns left out
        of earlier prompts; `profile`: what a returning customer told us in earlier sessions; `customer_id`: whose
        model calls count against LLM_CALLS_PER_HOUR."""
        started = time.perf_counter()
        question = clip_question(question)
        matches = self.index.search(question, PASSAGES_IN_PROMPT)
        plan = plan_prompt(question, [match.passage for match in matches], listing, history, self.llm.context_tokens)
        try:
            memory = await asyncio.to_thread(lambda: memory.fold(plan.dropped, self.repository.name_matcher()))
        except SQLAlchemyError:
            logger.warning("open answer: catalog names unavailable; the running summary waits for the next turn")
        messages = plan.messages("\n".join(line for line in (profile, memory.as_text()) if line))
        result, usage = None, None
        refusal = self._over_limit(customer_id) if self.client is not None else None
        if refusal is not None:
            result = self._offline(matches, failure=refusal)
            LLM_FAILURES.labels(refusal).inc()
        elif self.client is not None:
            customer_texts = [question, *(turn.text for turn in history if turn.role == "user")]
            usage, model_started = ModelUsage(self.llm.model), time.perf_counter()
            try:
                text = await asyncio.wait_for(
                    self._chat(messages, matches, listed_cars, usage, listing, customer_texts),
                    timeout=self.llm.timeout_seconds,
                )
                result = OpenAnswer(text, "llm")
            except _Refused as refusal:
                result = self._offline(matches, failure=str(refusal))
            except asyncio.TimeoutError:
                result = self._offline(matches, failure="timeout")
            except openai.RateLimitError:
                result = self._offline(matches, failure="rate_limited")
            except (openai.APIError, ValueError, KeyError, TypeError, AttributeError) as problem:
                result = self._offline(matches, failure=type(problem).__name__)
            usage.seconds, usage.outcome = time.perf_counter() - model_started, result.failure or "ok"
            self.spend.add(usage.cost_usd(self.llm))
            if result.failure:
                LLM_FAILURES.labels(result.failure.split(":")[0]).inc()
                logger.warning("open answer: the model's reply was not used (%s); answering offline", result.failure)
        else:
            result = self._offline(matches)
        OPEN_ANSWERS.labels(result.source).inc()
        OPEN_ANSWER_SECONDS.observe(time.perf_counter() - started)
        return replace(result, memory=memory, usage=usage, on_topic=self._on_topic(matches))

    def _on_topic(self, matches: list[Match]) -> bool:
        return bool(matches) and matches[0].score >= self.llm.knowledge_min_score

    def _offline(self, matches: list[Match], failure: Optional[str] = None) -> OpenAnswer:
        if self._on_topic(matches):
            passage = matches[0].passage
            heading = passage.title.split(" — ")[-1]
            text = f"*{heading}*\n{passage.text}"
            if passage.topic == FINANCING_TOPIC:
                text += "\n" + terms_summary(self.settings.financing)
            return OpenAnswer(text, "knowledge", failure)
        return OpenAnswer(None, "none", failure)

    def _over_limit(self, customer_id: str) -> Optional[str]:
        """Why the model may not be called now (the offline answer goes instead), or None."""
        if self.spend.exhausted():
            return "daily_budget"
        if customer_id and not llm_call_limit(self.limiter, customer_id, self.settings.limits.llm_calls_per_hour).allowed:
            return "customer_rate_limited"
        return None

    async def _chat(self, messages: list, matches: list[Match], listed_cars: Sequence, usage: ModelUsage,
                    listing: str = "", customer_texts: Sequence[str] = ()) -> str:
        facts = GroundedFacts()
        for match in matches:
            facts.add_knowledge(match.passage.text)
        facts.add_terms(self.settings.financing)
        facts.add_text(listing)
        for car in listed_cars:
            facts.add_car(car)
        for text in customer_texts:
            facts.add_customer_text(text)
        tools = CatalogTools(self.repository, self.settings.financing, facts)
        for _round in range(MAX_TOOL_ROUNDS + 1):
            LLM_CALLS.inc()
            options = {"tools": TOOL_SPECS} if self.llm.tools and _round < MAX_TOOL_ROUNDS else {}
            completion = await self.client.chat.completions.create(
                model=self.llm.model, messages=messages, temperature=0.3, max_tokens=400, **options
            )
            usage.add_completion(completion.usage)
            message = completion.choices[0].message
            if not message.tool_calls:
                return self._checked(message.content, facts)
            messages.append({"role": "assistant", "content": message.content or "", "tool_calls": [
                {"id": call.id, "type": "function",
                 "function": {"name": call.function.name, "arguments": call.function.arguments}}
                for call in message.tool_calls
            ]})
            for call in message.tool_calls:
                result = await asyncio.to_thread(tools.run, call.function.name, call.function.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        raise _Refused("too_many_tool_rounds")

    def _checked(self, content: object, facts: GroundedFacts) -> str:
        if not isinstance(content, str) or not content.strip():
            raise _Refused("empty_reply")
        text = content.strip()
        if len(text) > WHATSAPP_MAX_CHARS:
            text = text[: WHATSAPP_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
        if not is_spanish(text):
            raise _Refused("not_spanish")
        problem = ungrounded_claim(text, facts, self.repository.name_matcher())
        if problem:
            raise _Refused(f"ungrounded: {problem}")
        return text


class _Refused(Exception):
    """The model answered, but not with something we may send."""


