"""The pacing of what the bot sends on its own (daily posts, notices, digests) under Discord's
global limit of 50 requests a second per bot, shared by every process of it. Replies to
interactions are not counted against that limit, and are not paced."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any, ParamSpec, TypeVar

import aiohttp
from aiolimiter import AsyncLimiter

from bot.config import Settings

OUTGOING_PER_SECOND = 46
OUTGOING_BURST = 4
"""Discord allows a bot 50 requests a second in all. A small burst lets the pacing make up for
timers that fire late (without it, 47 a second came out as 45); 46 + 4 stays within 50.
Processes that share the shards share the burst as they share the rate (at least one send
each), so that it stays within 50 with all of them fanning out at once."""


def outgoing_share(settings: Settings) -> float:
    """The sends a second this process may make on its own: the global limit is per bot, so
    processes that run some of the shards share it in proportion, and all of them fanning out
    together stay within it."""
    if settings.shard_count is None or settings.shard_ids is None:
        return OUTGOING_PER_SECOND
    return OUTGOING_PER_SECOND * len(settings.shard_ids) / settings.shard_count


def outgoing_pacing(settings: Settings) -> AsyncLimiter:
    """What paces this process's own sends: its share of the rate, and of the burst."""
    share = outgoing_share(settings)
    burst = max(1.0, OUTGOING_BURST * share / OUTGOING_PER_SECOND)
    return AsyncLimiter(burst, burst / share)


_OWN_WORK: ContextVar[bool] = ContextVar("own_work", default=False)
P = ParamSpec("P")
T = TypeVar("T")


def own_work(work: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """`work` (and the tasks it starts) is the bot's own, not an answer to someone: each
    request it makes to Discord waits its turn in the bot's outgoing pacing."""

    @functools.wraps(work)
    async def paced(*args: P.args, **kwargs: P.kwargs) -> T:
        reset = _OWN_WORK.set(True)
        try:
            return await work(*args, **kwargs)
        finally:
            _OWN_WORK.reset(reset)

    return paced


def paced_at_the_wire(settings: Settings) -> aiohttp.TraceConfig:
    """Paces the bot's own work (`outgoing_pacing`) as each request leaves, discord.py's tries
    again after a 429 too: what Discord counts is then what the pacing counted. Paced around
    the call instead, a burst of 429s came back as a burst of tries again, answered with more
    429s."""
    pacing = outgoing_pacing(settings)

    async def on_request_start(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: object
    ) -> None:
        if _OWN_WORK.get():
            await pacing.acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace
