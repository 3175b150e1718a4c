"""`python -m bench`: measure storybot against its floor and print one table (and JSON).

Figures: import (storybot's importer against a plain sqlite3 + FTS5 bulk insert), latency
(p50/p99 per command through the Discord stand-in against a bare discord.py bot, and storybot on
PostgreSQL against storybot on SQLite), memory (peak RSS after the latency run), cold-start
(process start to a /read answered), fan-out (daily posts and subscriber DMs under Discord's
global limit of 50 requests a second, with readers reading: one process on SQLite, one and two
on PostgreSQL) and stats (the stats commands on a year of reading, and what counting adds to a
page turn). Latency and memory come from the same run, so asking for either measures both.
The PostgreSQL server is BENCH_DATABASE_URL's, or one started for the run (bench/postgres.py).

Libraries are generated from a fixed seed and cached in bench/.cache/ (the large one is about
1 GB and takes a minute or two the first time). --quick runs every figure on tiny libraries
and counts, in a minute or two, to show the benchmark still works; its numbers mean little.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from bench import fanout, figures
from bench.fanout import Fleet
from bench.figures import Contender, Plan
from bench.harness import ON_POSTGRES, SIZED_FLOOR
from bench.library import CACHE, Library, library
from bench.postgres import PostgresServer
from bench.report import (
    FIGURES,
    Results,
    describe_environment,
    print_table,
    rows,
    write_json,
)
from bench.stats import measure_stats

console = Console(width=None if sys.stdout.isatty() else 160)  # logs: one line per row
_SIZES = {False: ("small", "large"), True: ("tiny", "mini")}
"""The library sizes standing for small and large, in a full run and in --quick."""
_RUNS_KEPT_SECONDS = 24 * 3600


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0].split(": ", 1)[1]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a minute or two")
    parser.add_argument(
        "--size", choices=("small", "large"), help="only this library size (default: both)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=FIGURES, metavar="FIGURE", help=", ".join(FIGURES)
    )
    parser.add_argument(
        "--json", type=Path, help="where to write the results (default: CACHE/results.json)"
    )
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help=f"libraries, databases, logs (default: {CACHE})"
    )
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    wanted = set(args.only or FIGURES)
    if "memory" in wanted:
        wanted.add("latency")
    small, large = _SIZES[args.quick]
    sizes = {"small": (small,), "large": (large,), None: (small, large)}[args.size]
    folder = _run_folder(args.cache)
    plan = _plan(args.quick, folder)

    started = time.monotonic()
    environment = describe_environment()  # before measuring: the code may change meanwhile
    console.print(f"Libraries: {', '.join(sizes)} (generated once, then cached in {args.cache})")
    libraries = {size: library(size, cache=args.cache) for size in sizes}
    results = Results()
    _measure(results, wanted, libraries, plan, args.cache)
    console.print(f"Measured in {time.monotonic() - started:.0f} s.")
    table = rows(results)
    print_table(table, command, console)
    output = args.json or args.cache / "results.json"
    write_json(output, command, environment, asdict(plan), results, table)
    for database in folder.glob("*.db*"):  # the copies the fan-out used; logs are kept
        database.unlink()
    console.print(f"Results written to {output}; the bots' logs are in {folder}")
    return 1 if results.errors or _unanswered(results) else 0


def _run_folder(cache: Path) -> Path:
    """A new folder for this run's logs and scratch databases; those of runs over a day old go
    (a younger one may belong to a run still going)."""
    runs = cache / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for old in runs.iterdir():
        if time.time() - old.stat().st_mtime > _RUNS_KEPT_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    folder = runs / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    folder.mkdir()
    return folder


def _plan(quick: bool, folder: Path) -> Plan:
    if quick:
        return Plan(
            interactions=30,
            concurrency=10,
            warmup=5,
            phase_seconds=20,
            turns=2,
            cold_starts=1,
            fanout=40,
            idle_reads=30,
            stats_readers=100,
            folder=folder,
        )
    return Plan(
        interactions=2_000,
        concurrency=20,
        warmup=100,
        phase_seconds=300,
        turns=4,
        cold_starts=3,
        fanout=10_000,
        idle_reads=1_000,
        stats_readers=10_000,
        folder=folder,
    )


def _measure(
    results: Results, wanted: set[str], libraries: dict[str, Library], plan: Plan, cache: Path
) -> None:
    """Each wanted figure in turn; one that fails is recorded and the others still run."""
    ordered = list(libraries.values())
    largest, smallest = ordered[-1], ordered[0]
    server = PostgresServer(cache / "postgres")

    def imports() -> None:
        for each in ordered:
            console.print(f"Import: {each.size} library")
            results.imports.append(figures.measure_import(each, plan.folder))

    def latency() -> None:
        bots = [
            Contender("storybot", each, figures.ensure_database(each, plan.folder))
            for each in ordered
        ]
        console.print(f"Latency: the {largest.size} library on PostgreSQL (kept, or copied now)")
        copying = time.monotonic()
        sqlite = figures.ensure_database(largest, plan.folder)
        on_postgres = asyncio.run(server.filled(f"bench_{largest.size}", sqlite, kept=True))
        console.print(f"Ready in {time.monotonic() - copying:.0f} s.")
        bots += [
            Contender(ON_POSTGRES, largest, on_postgres, server),
            Contender("floor", largest),
            Contender(SIZED_FLOOR, largest),
        ]
        console.print(
            f"Latency: storybot ({', '.join(each.size for each in ordered)} library, and "
            f"{largest.size} on PostgreSQL), the floor and the floor with storybot-sized "
            "replies, taking turns"
        )
        results.reading += asyncio.run(figures.measure_reading(bots, plan))

    def cold_start() -> None:
        console.print(f"Cold start: storybot ({largest.size} library) and floor")
        database = figures.ensure_database(largest, plan.folder)
        for bot, used in (("storybot", database), ("floor", None)):
            result = asyncio.run(figures.measure_cold_start(bot, largest, used, plan))
            results.cold_starts.append(result)

    def fan_out() -> None:
        database = figures.ensure_database(smallest, plan.folder)
        for fleet in (Fleet(), Fleet(1, server), Fleet(2, server)):
            for name, measure in (
                ("daily posts", fanout.daily_fanout),
                ("DMs", fanout.upload_fanout),
            ):
                console.print(f"Fan-out: {plan.fanout:,} {name}, {fleet.name}")
                results.fanouts.append(asyncio.run(measure(smallest, database, plan, fleet)))

    def stats() -> None:
        console.print(f"Stats: a year of reading in the {largest.size} library")
        source = figures.ensure_database(largest, plan.folder)
        results.stats.append(
            measure_stats(source, largest.size, plan.folder, readers=plan.stats_readers)
        )

    steps: dict[str, Callable[[], None]] = {
        "import": imports,
        "latency": latency,
        "cold-start": cold_start,
        "fan-out": fan_out,
        "stats": stats,
    }
    try:
        for figure, step in steps.items():
            if figure not in wanted:
                continue
            try:
                step()
            except Exception as error:
                traceback.print_exc()
                results.errors[figure] = f"{type(error).__name__}: {error}"[:300]
    finally:
        server.stop()


def _unanswered(results: Results) -> bool:
    """Whether some command got no answer at all: the benchmark no longer measures it."""
    latencies = [latency for reading in results.reading for latency in reading.latency.values()]
    latencies += [f.read_during for f in results.fanouts] + [f.read_idle for f in results.fanouts]
    return any(latency.count == 0 for latency in latencies)


if __name__ == "__main__":
    sys.exit(main())
