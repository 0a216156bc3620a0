"""One conversation's turns one at a time, in arrival order, across Sanic workers and replicas (Redis).

Rasa OSS's RedisLockStore keeps each conversation's ticket queue as one JSON value that every process reads,
changes and writes back without a transaction: two processes that issue a ticket at the same moment both read
the same queue, both take the same ticket number and both run their turn at once. Its wait loop also polls once
a second. This store keeps the queue in Redis data structures and changes it only in Lua scripts, which Redis
runs atomically:

- a ticket is `INCR` on the conversation's counter and joins the conversation's sorted set (score = its number),
  so the order of tickets is the order in which the messages reached any process;
- a ticket holds the lock when it is the lowest in the set; each ticket has a heartbeat key (PX expiry) that a
  thread of its process renews while the ticket waits and while its turn runs, so a crashed process's tickets
  lapse after `lease_seconds` and the next message goes ahead instead of waiting forever. A thread, not a task:
  Rasa runs inference inside the event loop, and a loop starved by a busy machine must not pass for a dead one;
- the ticket number is a fencing token: it only grows, so a holder that lost its lease can tell.

With no Redis URL (`make run`: one process) it is Rasa's in-memory lock store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockError
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# KEYS: counter, queue, ticket-key prefix. ARGV: lease ms, key lifetime ms. Returns the new ticket number.
_ISSUE = """
local number = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], number, number)
redis.call('SET', KEYS[3] .. number, 1, 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return number
"""

# KEYS: queue, ticket-key prefix. ARGV: my number, lease ms. Returns 1 when my ticket is first, 0 while others are
# ahead, -1 when my ticket is gone (it lapsed: this process stalled longer than the lease).
_TRY_ACQUIRE = """
local me = ARGV[1]
if redis.call('ZSCORE', KEYS[1], me) == false then return -1 end
redis.call('SET', KEYS[2] .. me, 1, 'PX', ARGV[2])
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == me then return 1 end
  if redis.call('EXISTS', KEYS[2] .. head) == 1 then return 0 end
  redis.call('ZREM', KEYS[1], head)  -- its holder died: skip it
end
"""

# KEYS: queue, ticket-key prefix. ARGV: my number, lease ms. Returns 1 while my ticket stands, 0 once it lapsed.
_RENEW = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('SET', KEYS[2] .. ARGV[1], 1, 'PX', ARGV[2])
return 1
"""

# KEYS: queue, ticket-key prefix. ARGV: my number.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2] .. ARGV[1])
return 1
"""


class ConversationLockStore(InMemoryLockStore):
    """`lock_store: type: connectors.lock_store.ConversationLockStore` with `url` (a redis:// URL, or empty for
    in-process locks), `key_prefix`, `lease_seconds` (how long a crashed holder blocks its conversation) and
    `wait_timeout_seconds` (how long a message waits for the turns ahead of it)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **overrides: Any) -> None:
        super().__init__()
        options = {**(endpoint_config.kwargs if endpoint_config else {}), **overrides}
        url = (endpoint_config.url if endpoint_config else None) or options.get("url") or ""
        self.redis_url: Optional[str] = url.strip() or None
        self.key_prefix = str(options.get("key_prefix") or "dealer") + ":lock:"
        self.lease_seconds = _positive(options, "lease_seconds", 10.0)
        self.wait_timeout_seconds = _positive(options, "wait_timeout_seconds", 120.0)
        # Redis forgets an idle conversation's counter and queue after a day.
        self.key_lifetime_ms = 24 * 3600 * 1000
        self._redis: Any = None
        self._scripts: dict[str, Any] = {}
        self._keeper: Optional[_TicketKeeper] = None

    def _client(self) -> Any:
        # Made in the running event loop (each Sanic worker is its own process with its own loop).
        if self._redis is None:
            import redis.asyncio

            self._redis = redis.asyncio.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
            self._scripts = {
                name: self._redis.register_script(source)
                for name, source in (("issue", _ISSUE), ("try", _TRY_ACQUIRE), ("release", _RELEASE))
            }
            self._keeper = _TicketKeeper(self.redis_url, self.lease_seconds)
        return self._redis

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = self.key_prefix + conversation_id
        return base + ":counter", base + ":queue", base + ":ticket:"

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = 0, wait_time_in_seconds: float = 0
    ) -> AsyncIterator[TicketLock]:
        if self.redis_url is None:
            async with super().lock(conversation_id) as lock:
                yield lock
            return
        ticket = await self.issue(conversation_id)
        _, queue, tickets = self._keys(conversation_id)
        self._keeper.hold(queue, tickets, ticket)
        try:
            await self._wait_for_turn(conversation_id, ticket)
            # The holder's ticket, for whoever wants the fencing token (lock.now_serving).
            yield TicketLock(conversation_id, deque([Ticket(ticket, time.time() + self.lease_seconds)]))
        finally:
            self._keeper.drop(queue, tickets, ticket)
            await self.release(conversation_id, ticket)

    async def issue(self, conversation_id: str) -> int:
        """A ticket behind every message of this conversation that arrived before."""
        self._client()
        counter, queue, tickets = self._keys(conversation_id)
        try:
            return int(await self._scripts["issue"](
                keys=[counter, queue, tickets], args=[self._lease_ms, self.key_lifetime_ms]
            ))
        except Exception as error:
            raise LockError(f"could not take a ticket for conversation {conversation_id!r}: {error}") from error

    async def _wait_for_turn(self, conversation_id: str, ticket: int) -> None:
        _, queue, tickets = self._keys(conversation_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_timeout_seconds
        pause = 0.005
        while True:
            state = int(await self._scripts["try"](keys=[queue, tickets], args=[ticket, self._lease_ms]))
            if state == 1:
                return
            if state == -1:
                raise LockError(f"ticket {ticket} of conversation {conversation_id!r} lapsed while waiting")
            if loop.time() > deadline:
                raise LockError(f"conversation {conversation_id!r}: waited {self.wait_timeout_seconds:.0f} s for its turn")
            await asyncio.sleep(pause)
            pause = min(0.05, pause * 1.5)

    async def release(self, conversation_id: str, ticket: int) -> None:
        _, queue, tickets = self._keys(conversation_id)
        try:
            await self._scripts["release"](keys=[queue, tickets], args=[ticket])
        except Exception:  # the ticket lapses on its own after the lease
            logger.warning("conversation %s: could not release ticket %d", conversation_id, ticket, exc_info=True)

    @property
    def _lease_ms(self) -> int:
        return int(self.lease_seconds * 1000)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
            self._redis = None
            self._keeper.stop()


class _TicketKeeper:
    """Renews the heartbeat of every ticket this process holds, every third of the lease, from its own thread."""

    def __init__(self, redis_url: str, lease_seconds: float):
        import redis

        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        self._renew = self._redis.register_script(_RENEW)
        self._lease_ms = int(lease_seconds * 1000)
        self._interval = lease_seconds / 3
        self._held: set[tuple[str, str, int]] = set()
        self._guard = threading.Lock()
        self._stopped = threading.Event()
        threading.Thread(target=self._run, name="lock-ticket-keeper", daemon=True).start()

    def hold(self, queue: str, tickets: str, ticket: int) -> None:
        with self._guard:
            self._held.add((queue, tickets, ticket))

    def drop(self, queue: str, tickets: str, ticket: int) -> None:
        with self._guard:
            self._held.discard((queue, tickets, ticket))

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            with self._guard:
                held = list(self._held)
            for queue, tickets, ticket in held:
                try:
                    if not int(self._renew(keys=[queue, tickets], args=[ticket, self._lease_ms])):
                        logger.error("lock ticket %d (%s) lapsed before its process let it go", ticket, queue)
                        self.drop(queue, tickets, ticket)
                except Exception:  # Redis briefly away: the lease still has two thirds of its time
                    logger.warning("could not renew lock ticket %d (%s)", ticket, queue, exc_info=True)


def _positive(options: dict[str, Any], name: str, default: float) -> float:
    raw = options.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"lock store {name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"lock store {name} must be above 0, got {raw!r}")
    return value
