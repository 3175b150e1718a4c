"""`python -m bench.stats`: the reading figures of a server with a year of reading behind it.

A copy (in a temporary folder) of storybot's database of a benchmark library, made by
`python -m bench` and kept in its cache, is given a year of simulated reading in one server,
from a fixed seed: each day a seventh of the readers read one to three stories, a few pages of
each, the popular ones most. The roll-ups and readers' places are written as the bot keeps
them, in bulk. Then the queries and charts of `/library stats` (30 and 365 days) and
`/story stats` (the most read story) are timed as the bot runs them once the interaction is
deferred.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figures import database_path
from bench.harness import copy_database
from bench.library import CACHE, library
from bot.library import charts
from bot.store import Store

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


async def measure(path: Path) -> None:
    store = await Store.open(path, clock=lambda: END)
    try:
        for days in (30, 365):
            started = time.perf_counter()
            stats = await store.library_stats(GUILD, days)
            read = time.perf_counter()
            await asyncio.to_thread(charts.library_chart, stats)
            drawn = time.perf_counter()
            print(
                f"/library stats days:{days}: figures {1000 * (read - started):.0f} ms, chart "
                f"{1000 * (drawn - read):.0f} ms; {stats.readers:,} readers, "
                f"{sum(day.pages for day in stats.days):,} pages"
            )
        top = stats.top[0]
        started = time.perf_counter()
        story = await store.story_stats(top.story_id)
        read = time.perf_counter()
        await asyncio.to_thread(charts.story_chart, story)
        drawn = time.perf_counter()
        print(
            f"/story stats ({len(story.chapters)} chapters, {story.chapters[0].readers:,} "
            f"readers): figures {1000 * (read - started):.0f} ms, chart "
            f"{1000 * (drawn - read):.0f} ms"
        )
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__)
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    source = database_path(library(args.size, cache=args.cache))
    work = Path(tempfile.mkdtemp(prefix="storybot-stats-"))
    target = work / "stats.db"
    copy_database(source, target)
    stories = asyncio.run(_stories(target))
    started = time.perf_counter()
    turns = simulate(target, stories, args.readers, args.days)
    with closing(sqlite3.connect(target)) as connection:
        rows = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("story_day", "guild_hour", "guild_day", "reading_progress")
        }
    print(
        f"{len(stories):,} stories; {args.readers:,} readers over {args.days} days: "
        f"{turns:,} page turns kept as {rows} rows ({time.perf_counter() - started:.0f} s)"
    )
    asyncio.run(measure(target))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
