"""Fan-out: many daily posts due at once, and one upload told to many subscribers, with the
stand-in holding the bot to Discord's global limit, while readers keep reading.

Each kind runs the bot twice on the same world and a copy of the small library's database:
once with nothing to deliver (the idle /read latency), then with everything due when it starts
(the scheduler's and the outbox sender's first runs come as soon as the bot is ready). The bot
runs as a fleet: one process on SQLite, or one or more on PostgreSQL sharing Discord's shards
(and so the global limit) between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import zoneinfo
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Plan
from bench.harness import BenchStandin, BotProcess, copy_database, is_post, reading_world
from bench.latency import Latency, Readers
from bench.library import Library
from bench.postgres import PostgresServer
from bot.library.model import ChapterDraft, StoryDraft
from bot.shards import Shards
from bot.store import Following, Store
from standin.world import World, on_shard

GLOBAL_LIMIT = 50
"""Requests per second: Discord's global rate limit for a bot."""
READER_PAUSE = 0.25
"""Seconds each reader waits between reads: readers keep reading, they do not flood."""


@dataclass(frozen=True)
class Fleet:
    """How the bot runs for a fan-out: `processes` of it, on SQLite or on `server`."""

    processes: int = 1
    server: PostgresServer | None = None

    @property
    def store(self) -> str:
        return "PostgreSQL" if self.server else "SQLite"

    @property
    def name(self) -> str:
        return fleet_name(self.processes, self.store)

    def shards(self, recommended: int) -> list[Shards | None]:
        """The shards of each process: one runs all Discord recommends, as the bot does
        unasked; several deal them out in turn (at least one each)."""
        if self.processes == 1:
            return [None]
        count = max(recommended, self.processes)
        return [
            Shards(count, tuple(range(count))[n :: self.processes]) for n in range(self.processes)
        ]


def fleet_name(processes: int, store: str) -> str:
    return f"{'one process' if processes == 1 else f'{processes} processes'} on {store}"


@dataclass(frozen=True)
class FanOutResult:
    kind: str
    processes: int
    store: str
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


async def daily_fanout(library: Library, database: Path, plan: Plan, fleet: Fleet) -> FanOutResult:
    """`plan.fanout` guilds with their daily excerpt due in the same minute, as many on each
    shard."""
    world = reading_world(plan.concurrency, guilds=plan.fanout)
    shards = world.recommended_shards
    for number, guild in enumerate(world.guilds[-plan.fanout :]):
        guild.id = on_shard(number % shards, shards)
    copy = await _copy(database, "fanout_daily", plan, fleet)
    idle = await _reading(world, library, copy, plan, fleet)
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
    return await _deliver("daily posts", world, library, copy, plan, fleet, idle)


async def upload_fanout(library: Library, database: Path, plan: Plan, fleet: Fleet) -> FanOutResult:
    """One upload to a guild where `plan.fanout` readers follow everything new (told by DM).

    The readers have had a notice before, so the bot knows their DM channels: each notice is
    one request (a reader's first notice costs one more, to open the channel)."""
    world = reading_world(plan.concurrency, users=plan.fanout)
    club = world.guild()
    copy = await _copy(database, "fanout_upload", plan, fleet)
    store = await Store.open(copy)
    try:
        for user in world.users[-plan.fanout :]:
            await store.subscribe(user.id, club.id, Following.EVERYTHING, "")
            await store.set_dm_channel(user.id, world.dm_channel(user).id)
    finally:
        await store.close()
    idle = await _reading(world, library, copy, plan, fleet)
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
    return await _deliver("new-story DMs", world, library, copy, plan, fleet, idle)


async def _copy(database: Path, name: str, plan: Plan, fleet: Fleet) -> Path | str:
    """A copy of the SQLite library at `database` for one fan-out, in the fleet's store."""
    if fleet.server:
        return await fleet.server.filled(name, database)
    copy = plan.folder / f"{name}.db"
    copy_database(database, copy)
    return copy


def _midday_zone() -> tuple[zoneinfo.ZoneInfo, datetime]:
    """A zone where it is about noon, and the start of this minute: a post due then is not
    pushed to tomorrow should the run cross midnight UTC."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    offset = max(-12, min(14, 12 - now.hour))
    # POSIX signs: Etc/GMT-5 is five hours ahead of UTC.
    zone = zoneinfo.ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/UTC")
    return zone, now


async def _reading(
    world: World, library: Library, database: Path | str, plan: Plan, fleet: Fleet
) -> Latency:
    """/read latency with the bot idle: the same readers, at the same pace, nothing due."""
    async with _running(world, database, plan, fleet) as standin:
        readers = await _ready_readers(standin, library, plan)
        samples = await readers.run(
            "/read", count=plan.idle_reads, concurrency=plan.concurrency, pause=READER_PAUSE
        )
    return samples.latency()


@contextlib.asynccontextmanager
async def _running(
    world: World, database: Path | str, plan: Plan, fleet: Fleet, *, limit: float | None = None
) -> AsyncIterator[BenchStandin]:
    """A stand-in of `world` (holding the bot to `limit` requests a second, if given) and the
    fleet's processes connected to it, started together; all stopped at the end.

    This process's garbage collector is off meanwhile: this process plays Discord, which does
    not stop, and a full collection over all the stand-in keeps (every message posted) grew to
    stall it for 0.8 s, after which the requests held up came in at once, over the limit."""
    gc.collect()
    gc.disable()
    standin = BenchStandin(world)
    standin.global_rate_limit = limit
    await standin.start()
    started = await asyncio.gather(
        *(
            BotProcess.start("storybot", standin, plan.folder, database=database, shards=shards)
            for shards in fleet.shards(world.recommended_shards)
        ),
        return_exceptions=True,
    )
    processes = [each for each in started if isinstance(each, BotProcess)]
    try:
        for failed in started:
            if isinstance(failed, BaseException):
                raise failed
        yield standin
    finally:
        for process in processes:
            await process.stop()
        await standin.stop()
        gc.enable()


async def _ready_readers(standin: BenchStandin, library: Library, plan: Plan) -> Readers:
    """Readers, once the bot has answered one: it has taken in every guild by then."""
    readers = Readers(standin, library, plan.concurrency)
    await readers.run("/read", count=1, concurrency=1)
    return readers


async def _deliver(
    kind: str,
    world: World,
    library: Library,
    database: Path | str,
    plan: Plan,
    fleet: Fleet,
    idle: Latency,
) -> FanOutResult:
    """Start the bot with everything due, read while it delivers, stop when all is delivered
    or at a cap well past the ideal time. The fan-out's time runs from its first post (nothing
    before is a post: the start-up's requests are not) to its last delivery."""
    async with _running(world, database, plan, fleet, limit=GLOBAL_LIMIT) as standin:
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
    requests = standin.bot_requests
    start = next((r.at for r in requests if is_post(r.route)), time.perf_counter())
    posts = [r for r in requests if r.accepted and is_post(r.route)]
    end = posts[-1].at if finished and posts else cap
    window = [r for r in requests if start <= r.at <= end]
    return FanOutResult(
        kind=kind,
        processes=fleet.processes,
        store=fleet.store,
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
