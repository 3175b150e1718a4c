"""The schedule of what the bot sends on its own: one for every process of the bot, so that
together they keep to Discord's global limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.store import Store


@pytest.fixture
async def another_process(database: str, store: Store) -> AsyncIterator[Store]:
    """The library as another process of the bot has it: its own connections to the same
    PostgreSQL database. An SQLite file has one bot process, so there it is the same store."""
    if "://" not in database:
        yield store
        return
    opened = await Store.open(database)
    yield opened
    await opened.close()


async def test_processes_take_their_turns_one_after_another_from_one_schedule(
    store: Store, another_process: Store
) -> None:
    started = time.monotonic()
    assert await store.take_turns(4, 1.0) == pytest.approx(0, abs=0.05)  # nothing before them
    theirs = await another_process.take_turns(4, 1.0)
    assert theirs == pytest.approx(4 - (time.monotonic() - started), abs=0.05)  # after those
    again = await store.take_turns(1, 1.0)
    assert again == pytest.approx(8 - (time.monotonic() - started), abs=0.05)


async def test_turns_not_taken_in_their_time_are_gone(store: Store) -> None:
    await store.take_turns(1, 0.01)
    await asyncio.sleep(0.1)
    # the schedule was idle: the next turn is now, not made up for by several at once
    assert await store.take_turns(1, 0.01) == pytest.approx(0, abs=0.005)
