"""Fan-out: many daily posts due at once, and one upload told to many subscribers, with the
stand-in holding the bot to Discord's global limit, while readers keep reading.

Each kind runs the bot twice on the same world and a copy of the small library's database:
once with nothing to deliver (the idle /read latency), then with everything due when it starts
(the scheduler's and the outbox sender's first runs come as soon as the bot is ready).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Plan
from bench.harness import BenchStandin, BotProcess, copy_database, is_post, reading_world
from bench.latency import Latency, Readers
from bench.library import Library
from bot.library.model import ChapterDraft, StoryDraft
from bot.store import Following, Store
from standin.world import World

GLOBAL_LIMIT = 50
"""Requests per second: Discord's global rate limit for a bot."""
READER_PAUSE = 0.25
"""Seconds each reader waits between reads: readers keep reading, they do not flood."""


@dataclass(frozen=True)
class FanOutResult:
    kind: str
    count: int
    delivered: int
    finished: bool
    """False when the run was stopped at its time cap before everything was delivered."""
    seconds: float
    """From the fan-out's first request to its last delivery (or the cap)."""
    ideal_seconds: float
    """What `delivered` messages take at exactly the global limit."""
    requests: int
    """Accepted requests under the global limit in that time."""
    rate_limited: int
    read_during: Latency
    read_idle: Latency


async def daily_fanout(library: Library, database: Path, plan: Plan) -> FanOutResult:
    """`plan.fanout` guilds with their daily excerpt due in the same minute."""
    world = reading_world(plan.concurrency, guilds=plan.fanout)
    copy = plan.folder / "fanout-daily.db"
    copy_database(database, copy)
    idle = await _reading(world, library, copy, plan)
    store = await Store.open(copy)
    try:
        zone, due = _midday_zone()
        for guild in world.guilds[-plan.fanout :]:
            await store.set_daily(
                guild.id,
                channel_id=guild.channels[0].id,
                post_time=due.astimezone(zone).strftime("%H:%M"),
                timezone=zone.key,
                role_id=None,
                tag="",
                next_post_at=due,
                set_by=world.user("moderator").id,
            )
    finally:
        await store.close()
    return await _deliver("daily posts", world, library, copy, plan, idle)


async def upload_fanout(library: Library, database: Path, plan: Plan) -> FanOutResult:
    """One upload to a guild where `plan.fanout` readers follow everything new (told by DM).

    The readers have had a notice before, so the bot knows their DM channels: each notice is
    one request (a reader's first notice costs one more, to open the channel)."""
    world = reading_world(plan.concurrency, users=plan.fanout)
    club = world.guild()
    copy = plan.folder / "fanout-upload.db"
    copy_database(database, copy)
    store = await Store.open(copy)
    try:
        for user in world.users[-plan.fanout :]:
            await store.subscribe(user.id, club.id, Following.EVERYTHING, "")
            await store.set_dm_channel(user.id, world.dm_channel(user).id)
    finally:
        await store.close()
    idle = await _reading(world, library, copy, plan)
    store = await Store.open(copy)
    try:
        story = StoryDraft(
            title="A Story Everyone Follows",
            author="bench",
            chapters=(ChapterDraft("Chapter 1", "It began on a quiet morning. " * 40),),
        )
        await store.add_upload(
            club.id,
            story,
            content_hash=f"fanout-{time.time_ns()}",
            user_id=world.user("moderator").id,
            page_size=1800,
        )
    finally:
        await store.close()
    return await _deliver("new-story DMs", world, library, copy, plan, idle)


def _midday_zone() -> tuple[zoneinfo.ZoneInfo, datetime]:
    """A zone where it is about noon, and the start of this minute: a post due then is not
    pushed to tomorrow should the run cross midnight UTC."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    offset = max(-12, min(14, 12 - now.hour))
    # POSIX signs: Etc/GMT-5 is five hours ahead of UTC.
    zone = zoneinfo.ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/UTC")
    return zone, now


async def _reading(world: World, library: Library, database: Path, plan: Plan) -> Latency:
    """/read latency with the bot idle: the same readers, at the same pace, nothing due."""
    standin = BenchStandin(world)
    await standin.start()
    process = await BotProcess.start("storybot", standin, plan.folder, database=database)
    try:
        readers = await _ready_readers(standin, library, plan)
        samples = await readers.run(
            "/read", count=plan.idle_reads, concurrency=plan.concurrency, pause=READER_PAUSE
        )
    finally:
        await process.stop()
        await standin.stop()
    return samples.latency()


async def _ready_readers(standin: BenchStandin, library: Library, plan: Plan) -> Readers:
    """Readers, once the bot has answered one: it has taken in every guild by then."""
    readers = Readers(standin, library, plan.concurrency)
    await readers.run("/read", count=1, concurrency=1)
    return readers


async def _deliver(
    kind: str, world: World, library: Library, database: Path, plan: Plan, idle: Latency
) -> FanOutResult:
    """Start the bot with everything due, read while it delivers, stop when all is delivered
    or at a cap well past the ideal time."""
    standin = BenchStandin(world)
    standin.global_rate_limit = GLOBAL_LIMIT
    await standin.start()
    process = await BotProcess.start("storybot", standin, plan.folder, database=database)
    try:
        standin.bot_requests.clear()  # what came before was the start-up
        standin.posted = 0
        readers = await _ready_readers(standin, library, plan)
        stop = asyncio.Event()
        reading = asyncio.create_task(
            readers.run("/read", stop=stop, concurrency=plan.concurrency, pause=READER_PAUSE)
        )
        allowed = 3 * plan.fanout / GLOBAL_LIMIT + 30
        cap = time.perf_counter() + allowed
        with contextlib.suppress(AssertionError):  # the cap came first
            await standin.until(lambda: standin.posted >= plan.fanout, kind, allowed)
        finished = standin.posted >= plan.fanout
        stop.set()
        during = (await reading).latency()
    finally:
        await process.stop()
        await standin.stop()
    requests = standin.bot_requests
    start = requests[0].at if requests else time.perf_counter()
    posts = [r for r in requests if r.accepted and is_post(r.route)]
    end = posts[-1].at if finished and posts else cap
    window = [r for r in requests if r.at <= end]
    return FanOutResult(
        kind=kind,
        count=plan.fanout,
        delivered=min(standin.posted, plan.fanout),
        finished=finished,
        seconds=end - start,
        ideal_seconds=min(standin.posted, plan.fanout) / GLOBAL_LIMIT,
        requests=sum(r.accepted for r in window),
        rate_limited=sum(not r.accepted for r in window),
        read_during=during,
        read_idle=idle,
    )
