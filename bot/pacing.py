"""The pacing of what the bot sends on its own (daily posts, notices, digests) under Discord's
global limit of 50 requests a second per bot, shared by every process of it. Replies to
interactions are not counted against that limit, and are not paced."""

from __future__ import annotations

import asyncio
import functools
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any, ParamSpec, TypeVar

import aiohttp

OUTGOING_PER_SECOND = 46
"""Discord allows a bot 50 requests a second in all. The 4 left are for the way from the pacing
to Discord, which takes a few milliseconds and up to tens on a busy machine: sends that left
on time may arrive closer together."""
APART = 1 / OUTGOING_PER_SECOND
TAKEN_AT_ONCE = 4
"""Turns a process takes from the shared schedule at a time (one round trip for four sends)."""
LATE = 2 * APART
"""A turn missed by more than this (the process was busy) is let go: sent that late, it would
add to the sends of a later moment, another process's turns among them."""


class Pacing:
    """This process's turns to send, `APART` from each other in the schedule every process of
    the bot shares (`Store.take_turns`): one process alone sends at the whole rate, several
    fanning out together share it, whatever their shards."""

    def __init__(self, take: Callable[[int, float], Awaitable[float]]):
        self._take = take
        self._turns: deque[float] = deque()
        self._taking = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for this process's next turn."""
        async with self._taking:
            while self._turns and self._turns[0] < time.monotonic() - LATE:
                self._turns.popleft()
            if not self._turns:
                first = time.monotonic() + await self._take(TAKEN_AT_ONCE, APART)
                self._turns.extend(first + turn * APART for turn in range(TAKEN_AT_ONCE))
            turn = self._turns.popleft()
        await asyncio.sleep(turn - time.monotonic())


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


def paced_at_the_wire(take: Callable[[int, float], Awaitable[float]]) -> aiohttp.TraceConfig:
    """Paces the bot's own work (a `Pacing` of turns from `take`) as each request leaves,
    discord.py's tries again after a 429 too: what Discord counts is then what the pacing
    counted. Paced around the call instead, a burst of 429s came back as a burst of tries
    again, answered with more 429s."""
    pacing = Pacing(take)

    async def on_request_start(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: object
    ) -> None:
        if _OWN_WORK.get():
            await pacing.acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace
