"""Import, interaction latency with memory, and cold start: storybot and its floor, one run."""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import CLUB_CHANNEL, BenchStandin, BotProcess, reading_world, run_measured
from bench.latency import COMMANDS, Latency, Readers, Samples
from bench.library import Library
from bench.postgres import PostgresServer
from bot.store import Store


@dataclass(frozen=True)
class Plan:
    """How much of everything a run does."""

    interactions: int
    """Per command and bot, at `concurrency`."""
    concurrency: int
    warmup: int
    """Unmeasured interactions per command before measuring (SQLite's and the OS's caches)."""
    phase_seconds: float
    """A command too slow to answer `interactions` in this time is measured on fewer."""
    turns: int
    """Turns the bots of a latency run take at each command, `interactions / turns` each."""
    cold_starts: int
    """Starts per bot; the median counts."""
    fanout: int
    """Guilds with a daily post due, and subscribers of one upload."""
    idle_reads: int
    stats_readers: int
    """Readers of the simulated year the stats commands are timed on."""
    folder: Path


@dataclass(frozen=True)
class ImportResult:
    size: str
    chapters: int
    megabytes: float
    """Of story files read."""
    seconds: float
    peak_rss: int
    cpu_seconds: float
    chapters_imported: int
    database_bytes: int
    floor_seconds: float
    floor_peak_rss: int
    floor_cpu_seconds: float
    floor_database_bytes: int


@dataclass(frozen=True)
class ReadingResult:
    """Latency per command, and the bot's peak memory after answering all of it."""

    bot: str
    size: str
    latency: dict[str, Latency]
    peak_rss: int
    violations: int
    cpu: dict[str, float]
    """Seconds of CPU the bot used per interaction answered, by command."""
    standin_cpu: dict[str, float]
    """The same for this process: the stand-in and the readers driving it."""
    server_cpu: dict[str, float]
    """The same for the PostgreSQL server the bot is on (none for a bot on SQLite)."""


@dataclass(frozen=True)
class Contender:
    """A bot of a latency run, the library its readers read, and its database: an SQLite file,
    or a database on `server` (none for the floor)."""

    bot: str
    library: Library
    database: Path | str | None = None
    server: PostgresServer | None = None


@dataclass(frozen=True)
class ColdStartResult:
    bot: str
    size: str
    seconds: float
    """Median, from spawning the process to the stand-in holding the answer to a /read."""
    connect_seconds: float
    """Median, from spawning to the bot identifying on the gateway."""
    runs: tuple[float, ...]


def database_path(library: Library) -> Path:
    """Where storybot's import of `library` is kept between runs."""
    return library.path.with_name(f"{library.path.name}.storybot.db")


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _size_of(path: Path) -> int:
    files = (Path(f"{path}{suffix}") for suffix in ("", "-wal"))
    return sum(file.stat().st_size for file in files if file.exists())


def measure_import(library: Library, folder: Path) -> ImportResult:
    """`python -m bot import` of the library into a new database, then the floor's import of
    the same files; the import's database is kept for the other figures."""
    floor_db = folder / f"floor-{library.size}.db"
    _remove_database(floor_db)
    floor = run_measured(
        f"floor-import-{library.size}",
        ["-m", "bench.floor", "import", str(floor_db), str(library.path)],
        folder,
        {},
    )
    floor_bytes = _size_of(floor_db)
    _remove_database(floor_db)
    database = folder / f"storybot-{library.size}.db"
    _remove_database(database)
    bot = run_measured(
        f"storybot-import-{library.size}",
        ["-m", "bot", "import", str(library.path)],
        folder,
        {"DATABASE_PATH": str(database)},
    )
    if bot.returncode or floor.returncode:
        raise RuntimeError(f"an import failed; see the logs in {folder}")
    imported = asyncio.run(_chapter_count(database))
    kept = database_path(library)
    _remove_database(kept)
    database.rename(kept)
    return ImportResult(
        size=library.size,
        chapters=library.chapters,
        megabytes=library.bytes / 2**20,
        seconds=bot.seconds,
        peak_rss=bot.peak_rss,
        cpu_seconds=bot.cpu_seconds,
        chapters_imported=imported,
        database_bytes=_size_of(kept),
        floor_seconds=floor.seconds,
        floor_peak_rss=floor.peak_rss,
        floor_cpu_seconds=floor.cpu_seconds,
        floor_database_bytes=floor_bytes,
    )


def ensure_database(library: Library, folder: Path) -> Path:
    """storybot's database of `library`: the one kept from an import, else a new import."""
    path = database_path(library)
    if not path.exists():
        measure_import(library, folder)
    return path


async def _chapter_count(database: Path) -> int:
    store = await Store.open(database)
    try:
        return sum(listed.story.chapter_count for listed in await store.all_stories())
    finally:
        await store.close()


@dataclass
class _Turns:
    """One bot of a latency run, on its own stand-in, and what its turns measured so far."""

    contender: Contender
    standin: BenchStandin
    process: BotProcess
    readers: Readers
    samples: dict[str, Samples] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    standin_cpu: dict[str, float] = field(default_factory=dict)
    server_cpu: dict[str, float] = field(default_factory=dict)

    async def take(self, command: str, count: int, plan: Plan) -> None:
        """`count` interactions of `command`, adding up their latencies and CPU time."""
        # This process's garbage collector would otherwise pause the stand-in mid-phase.
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        cap = asyncio.get_running_loop().call_later(plan.phase_seconds / plan.turns, stop.set)
        server = self.contender.server
        before = (
            self.process.cpu_seconds(),
            time.process_time(),
            server.cpu_seconds() if server else 0.0,
        )
        taken = await self.readers.run(
            command, count=count, stop=stop, concurrency=plan.concurrency
        )
        cap.cancel()
        _add(self.cpu, command, self.process.cpu_seconds() - before[0])
        _add(self.standin_cpu, command, time.process_time() - before[1])
        if server:
            _add(self.server_cpu, command, server.cpu_seconds() - before[2])
        samples = self.samples.setdefault(command, Samples())
        samples.times += taken.times
        samples.failures += taken.failures

    def result(self) -> ReadingResult:
        answered = {command: max(1, len(s.times)) for command, s in self.samples.items()}

        def each(spent: dict[str, float]) -> dict[str, float]:
            return {command: seconds / answered[command] for command, seconds in spent.items()}

        return ReadingResult(
            self.contender.bot,
            self.contender.library.size,
            {command: samples.latency() for command, samples in self.samples.items()},
            self.process.peak_rss(),
            len(self.standin.violations),
            each(self.cpu),
            each(self.standin_cpu),
            each(self.server_cpu),
        )


def _add(spent: dict[str, float], command: str, seconds: float) -> None:
    spent[command] = spent.get(command, 0.0) + seconds


async def measure_reading(bots: list[Contender], plan: Plan) -> list[ReadingResult]:
    """Every command of COMMANDS `plan.interactions` times per bot, after a warm-up. The bots
    take turns, `plan.turns` times per command, each on its own stand-in, so that a shared
    machine whose speed drifts during the run slows them alike."""
    started: list[_Turns] = []
    try:
        for contender in bots:
            standin = BenchStandin(reading_world(plan.concurrency))
            await standin.start()
            try:
                process = await BotProcess.start(
                    contender.bot, standin, plan.folder, database=contender.database
                )
            except BaseException:
                await standin.stop()
                raise
            readers = Readers(standin, contender.library, plan.concurrency)
            started.append(_Turns(contender, standin, process, readers))
        for turns in started:
            for command in COMMANDS:
                await turns.readers.run(command, count=plan.warmup, concurrency=plan.concurrency)
        for command in COMMANDS:
            for _ in range(plan.turns):
                for turns in started:
                    await turns.take(command, plan.interactions // plan.turns, plan)
        return [turns.result() for turns in started]
    finally:
        for turns in started:
            await turns.process.stop()
            await turns.standin.stop()


async def measure_cold_start(
    bot: str, library: Library, database: Path | None, plan: Plan
) -> ColdStartResult:
    """Start the bot `plan.cold_starts` times and time each until a /read is answered."""
    totals, connects = [], []
    story = library.stories[0]
    for _ in range(plan.cold_starts):
        standin = BenchStandin(reading_world(1))
        await standin.start()
        process = await BotProcess.start(bot, standin, plan.folder, database=database)
        try:
            reader = standin.user("bench-reader-0")
            await reader.slash("read", where=CLUB_CHANNEL, story=story.title)
            totals.append(time.perf_counter() - process.spawned)
            connects.append(process.connected - process.spawned)
        finally:
            await process.stop()
            await standin.stop()
    return ColdStartResult(
        bot,
        library.size,
        statistics.median(totals),
        statistics.median(connects),
        tuple(totals),
    )
