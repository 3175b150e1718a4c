"""The pacing of one process's own sends: turns taken from the bot's shared schedule a few at a
time, kept `APART`, and let go when missed."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.pacing import APART, LATE, TAKEN_AT_ONCE, Pacing


class Schedule:
    """The shared schedule with nobody else taking turns from it, its first turn `first_in`
    seconds from now; it counts what was taken from it."""

    def __init__(self, first_in: float = 0.0):
        self.next_turn = time.monotonic() + first_in
        self.taken: list[tuple[int, float]] = []

    async def take(self, count: int, apart: float) -> float:
        self.taken.append((count, apart))
        now = time.monotonic()
        first = max(self.next_turn, now)
        self.next_turn = first + count * apart
        return first - now


async def _sent(pacing: Pacing, count: int) -> list[float]:
    """When each of `count` sends made at once was let go."""

    async def send() -> float:
        await pacing.acquire()
        return time.monotonic()

    return sorted(await asyncio.gather(*(send() for _ in range(count))))


async def test_sends_go_apart_in_turns_taken_a_few_at_a_time() -> None:
    schedule = Schedule()
    sent = await _sent(Pacing(schedule.take), 2 * TAKEN_AT_ONCE)
    assert schedule.taken == [(TAKEN_AT_ONCE, APART)] * 2  # every turn taken was used
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert min(gaps) >= APART - 0.001


async def test_a_send_waits_for_the_turn_the_schedule_gives() -> None:
    started = time.monotonic()
    (sent,) = await _sent(Pacing(Schedule(first_in=0.2).take), 1)
    assert sent - started >= 0.2 - 0.001


async def test_turns_missed_are_let_go_not_sent_at_once_later() -> None:
    schedule = Schedule()
    pacing = Pacing(schedule.take)
    await pacing.acquire()
    await asyncio.sleep(TAKEN_AT_ONCE * APART + LATE)  # busy: the other turns went by
    await pacing.acquire()
    assert len(schedule.taken) == 2
