"""The stats figure of `python -m bench` (alone: `python -m bench.stats`): the reading figures
of a server with a year of reading behind it, and what counting adds to a page turn.

A copy of storybot's database of a benchmark library is given a year of simulated reading in
one server, from a fixed seed: each day a seventh of the readers read one to three stories, a
few pages of each, the popular ones most. The roll-ups and readers' places are written as the
bot keeps them, in bulk. Then the queries and charts of `/library stats` (30 and 365 days) and
`/story stats` (the most read story) are timed as the bot runs them once the interaction is
deferred, and the store's write of a page turn (the reader's place) is measured with its counts
and without them, taking turns.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figures import database_path
from bench.harness import copy_database
from bench.library import CACHE, library
from bot.library import charts
from bot.store import Store, reading
from bot.store.stats import COUNT_PAGE

GUILD = 1
END = datetime(2026, 6, 1, 12, tzinfo=UTC)


async def _stories(path: Path) -> list[tuple[int, int]]:
    """(id, chapters) of every story, with the database brought up to this schema."""
    store = await Store.open(path)
    try:
        return [(each.story.id, each.story.chapter_count) for each in await store.all_stories()]
    finally:
        await store.close()


def simulate(path: Path, stories: list[tuple[int, int]], readers: int, days: int) -> int:
    """A year of reading in GUILD, written as the roll-ups and places the bot keeps; the page
    turns it stands for."""
    rng = random.Random(20_240_607)
    weights = [1 / rank for rank in range(1, len(stories) + 1)]  # a few stories read most
    story_day: Counter[tuple[str, int, str]] = Counter()
    guild_hour: Counter[tuple[str, int]] = Counter()
    guild_day: dict[str, int] = {}
    places: dict[tuple[int, int], tuple[int, str, int]] = {}
    turns = 0
    for offset in range(days):
        day = (END - timedelta(days=days - 1 - offset)).date().isoformat()
        active = rng.sample(range(readers), k=readers // 7)
        guild_day[day] = len(active)
        for user in active:
            hour = rng.choice((7, 8, 12, 18, 19, 20, 21, 22, 23))
            for story, chapters in rng.choices(stories, weights, k=rng.randint(1, 3)):
                pages = rng.randint(3, 30)
                turns += pages
                furthest, _, finished = places.get((user, story), (0, "", 0))
                if not furthest:
                    story_day[day, story, "started"] += 1
                furthest = min(chapters, furthest + rng.randint(0, 3) or 1)
                if furthest == chapters and not finished:
                    finished = 1
                    story_day[day, story, "finished"] += 1
                places[user, story] = (furthest, f"{day}T{hour:02}:00:00+00:00", finished)
                story_day[day, story, "pages"] += pages
                guild_hour[day, hour] += pages
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executemany(
            "INSERT INTO story_day (guild_id, day, story_id, pages, started, finished) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (GUILD, day, story, pages, story_day[day, story, "started"],
                 story_day[day, story, "finished"])
                for (day, story, kind), pages in story_day.items() if kind == "pages"
            ],
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO guild_hour (guild_id, day, hour, pages) VALUES (?, ?, ?, ?)",
            [(GUILD, day, hour, pages) for (day, hour), pages in guild_hour.items()],
        )
        connection.executemany(
            "INSERT INTO guild_day (guild_id, day, readers) VALUES (?, ?, ?)",
            [(GUILD, day, count) for day, count in guild_day.items()],
        )
        connection.executemany(
            "INSERT INTO reading_progress (user_id, story_id, chapter_number, page_number, "
            "updated_at, guild_id, furthest_chapter, finished) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
            [
                (user, story, furthest, at, GUILD, furthest, finished)
                for (user, story), (furthest, at, finished) in places.items()
            ],
        )
    return turns


@dataclass(frozen=True)
class Timed:
    """One stats command as the bot answers it once deferred: its figures, then its chart."""

    figures_seconds: float
    chart_seconds: float


@dataclass(frozen=True)
class StatsResult:
    size: str
    readers: int
    days: int
    turns: int
    """Page turns the simulated year stands for."""
    rows: dict[str, int]
    """The rows the roll-ups (and readers' places) keep for them, by table."""
    library_stats: dict[int, Timed]
    """`/library stats` by days asked for."""
    story_stats: Timed
    story_chapters: int
    page_write_cpu: float
    """CPU seconds per page turn of the store's write (the reader's place and its counts)."""
    uncounted_write_cpu: float
    """The same write without the counts: the page turn as it was before it was counted."""


async def _timed_stats(path: Path) -> tuple[dict[int, Timed], Timed, int]:
    store = await Store.open(path, clock=lambda: END)
    try:
        library_stats = {}
        for days in (30, 365):
            started = time.perf_counter()
            stats = await store.library_stats(GUILD, days)
            read = time.perf_counter()
            await asyncio.to_thread(charts.library_chart, stats)
            library_stats[days] = Timed(read - started, time.perf_counter() - read)
        started = time.perf_counter()
        story = await store.story_stats(stats.top[0].story_id)
        read = time.perf_counter()
        await asyncio.to_thread(charts.story_chart, story)
        return library_stats, Timed(read - started, time.perf_counter() - read), len(story.chapters)
    finally:
        await store.close()


async def _page_writes(
    path: Path, stories: list[tuple[int, int]], readers: int, turns: int, *, rounds: int = 4
) -> tuple[float, float]:
    """CPU seconds per page turn's write, with the counts and without, taking turns (`rounds`
    of each, `turns` page turns in all for each), 20 readers at a time as the bot batches
    them."""
    rng = random.Random(7)
    spent = {True: 0.0, False: 0.0}
    store = await Store.open(path, clock=lambda: END)
    counts = COUNT_PAGE
    try:
        for _ in range(rounds):
            for counted in (True, False):
                vars(reading)["COUNT_PAGE"] = counts if counted else ()  # as save_bookmark reads it
                pages = [
                    (rng.randrange(readers), *rng.choice(stories)) for _ in range(turns // rounds)
                ]
                started = time.process_time()
                for at in range(0, len(pages), 20):
                    await asyncio.gather(
                        *(
                            store.save_bookmark(
                                user, story, rng.randint(1, chapters), 1, move=True, guild_id=GUILD
                            )
                            for user, story, chapters in pages[at : at + 20]
                        )
                    )
                spent[counted] += time.process_time() - started
    finally:
        vars(reading)["COUNT_PAGE"] = counts
        await store.close()
    return spent[True] / turns, spent[False] / turns


def measure_stats(
    source: Path, size: str, folder: Path, *, readers: int = 10_000, days: int = 365
) -> StatsResult:
    """A year of reading given to a copy (in `folder`) of the benchmark library's database at
    `source`, then the stats commands timed on it, and a page turn's write with its counts
    and without."""
    target = folder / "stats.db"
    copy_database(source, target)
    try:
        stories = asyncio.run(_stories(target))
        turns = simulate(target, stories, readers, days)
        with closing(sqlite3.connect(target)) as connection:
            rows = {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("story_day", "guild_hour", "guild_day", "reading_progress")
            }
        library_stats, story_stats, chapters = asyncio.run(_timed_stats(target))
        counted, uncounted = asyncio.run(_page_writes(target, stories, readers, 2_000))
    finally:
        for made in folder.glob("stats.db*"):
            made.unlink()
    return StatsResult(
        size, readers, days, turns, rows, library_stats, story_stats, chapters, counted, uncounted
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__)
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    source = database_path(library(args.size, cache=args.cache))
    with tempfile.TemporaryDirectory(prefix="storybot-stats-") as work:
        result = measure_stats(source, args.size, Path(work), readers=args.readers, days=args.days)
    print(result)


if __name__ == "__main__":
    main()
