"""Import, interaction latency with memory, and cold start: storybot and its floor, one run."""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import CLUB_CHANNEL, BenchStandin, BotProcess, reading_world, run_measured
from bench.latency import COMMANDS, Latency, Readers
from bench.library import Library
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
    cold_starts: int
    """Starts per bot; the median counts."""
    fanout: int
    """Guilds with a daily post due, and subscribers of one upload."""
    idle_reads: int
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
        return sum(story.chapter_count for story in await store.stories())
    finally:
        await store.close()


async def measure_reading(
    bot: str, library: Library, database: Path | None, plan: Plan
) -> ReadingResult:
    """Every command of COMMANDS `plan.interactions` times, after a warm-up."""
    standin = BenchStandin(reading_world(plan.concurrency))
    await standin.start()
    process = await BotProcess.start(bot, standin, plan.folder, database=database)
    try:
        readers = Readers(standin, library, plan.concurrency)
        for command in COMMANDS:
            await readers.run(command, count=plan.warmup, concurrency=plan.concurrency)
        latency, cpu, standin_cpu = {}, {}, {}
        for command in COMMANDS:
            # This process's garbage collector would otherwise pause the stand-in mid-phase.
            gc.collect()
            gc.freeze()
            stop = asyncio.Event()
            cap = asyncio.get_running_loop().call_later(plan.phase_seconds, stop.set)
            used, used_here = process.cpu_seconds(), time.process_time()
            samples = await readers.run(
                command, count=plan.interactions, stop=stop, concurrency=plan.concurrency
            )
            answered = max(1, len(samples.times))
            cpu[command] = (process.cpu_seconds() - used) / answered
            standin_cpu[command] = (time.process_time() - used_here) / answered
            cap.cancel()
            latency[command] = samples.latency()
        peak = process.peak_rss()
    finally:
        await process.stop()
        await standin.stop()
    return ReadingResult(
        bot, library.size, latency, peak, len(standin.violations), cpu, standin_cpu
    )


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
