"""The benchmark's table, one row per figure against its floor or baseline, and its JSON."""

from __future__ import annotations

import json
import math
import platform
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import discord
from rich.console import Console
from rich.table import Table

from bench.fanout import GLOBAL_LIMIT, FanOutResult, fleet_name
from bench.figures import ColdStartResult, ImportResult, ReadingResult
from bench.harness import ON_POSTGRES, REPO, SIZED_FLOOR
from bench.latency import COMMANDS, Latency
from bench.stats import StatsResult

FIGURES = ("import", "latency", "memory", "cold-start", "fan-out", "stats")
MB = 2**20
IMPORT_RATIO, IMPORT_MEMORY = 3.0, 200 * MB
LATENCY_RATIO, SEARCH_RATIO, GROWTH_RATIO = 1.5, 3.0, 1.3
BOT_MEMORY = 200 * MB
COLD_START_SECONDS, COLD_START_RATIO = 2.0, 2.0
FANOUT_SHARE, RATE_LIMITED_SHARE, STARVATION_RATIO = 0.9, 0.01, 2.0
POSTGRES_CPU_RATIO, POSTGRES_SEARCH_RATIO = 1.3, 2.0
POSTGRES_CPU_TARGETS = ("/read", "page turn", "/excerpt", "autocomplete")
"""The commands whose CPU per interaction on PostgreSQL has a target; /search's p99 has one."""
STATS_SECONDS = 3.0
"""A stats command's figures and chart, once deferred: within the time Discord gives a first
answer, though a deferred one may take minutes."""
COUNTING_SHARE = 0.05
"""What counting may add to a page turn's CPU: less than a page turn's CPU varies by."""


@dataclass
class Results:
    """Everything one run measured; a figure not run has no entries."""

    imports: list[ImportResult] = field(default_factory=list)
    reading: list[ReadingResult] = field(default_factory=list)
    cold_starts: list[ColdStartResult] = field(default_factory=list)
    fanouts: list[FanOutResult] = field(default_factory=list)
    stats: list[StatsResult] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    figure: str
    what: str
    measured: str
    against: str
    ratio: str
    target: str
    met: bool | None


def rows(results: Results) -> list[Row]:
    """Every figure's rows; a figure that was not run or failed says so in one row (after
    what it measured before it failed)."""
    made = {
        "import": _import_rows(results.imports),
        "latency": _latency_rows(results.reading) + _postgres_rows(results.reading),
        "memory": _memory_rows(results.reading),
        "cold-start": _cold_start_rows(results.cold_starts),
        "fan-out": _fanout_rows(results.fanouts),
        "stats": _stats_rows(results.stats, results.reading),
    }
    table = []
    for figure in FIGURES:
        table += made[figure]
        if figure in results.errors:
            table.append(Row(figure, "failed", results.errors[figure], "", "", "", False))
        elif not made[figure]:
            table.append(Row(figure, "not run", "", "", "", "", None))
    return table


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if math.isfinite(seconds) else "unanswered"


def _mb(count: int) -> str:
    return f"{count / MB:.0f} MB"


def _times(ratio: float) -> str:
    return f"{ratio:.2f}×" if math.isfinite(ratio) else "—"


def _import_rows(imports: list[ImportResult]) -> list[Row]:
    found = []
    for result in imports:
        ratio = result.seconds / result.floor_seconds
        library = f"{result.size}: {result.chapters:,} chapters, {result.megabytes:,.0f} MB"
        if result.chapters_imported != result.chapters:
            library += f", only {result.chapters_imported:,} imported"
        found += [
            Row(
                "import",
                f"time ({library})",
                f"{result.seconds:.1f} s",
                f"{result.floor_seconds:.1f} s",
                _times(ratio),
                f"≤ {IMPORT_RATIO:g}×",
                ratio <= IMPORT_RATIO,
            ),
            Row(
                "import",
                f"peak memory ({result.size})",
                _mb(result.peak_rss),
                _mb(result.floor_peak_rss),
                _times(result.peak_rss / result.floor_peak_rss),
                f"≤ {_mb(IMPORT_MEMORY)}",
                result.peak_rss <= IMPORT_MEMORY,
            ),
        ]
    return found


def _p50_p99(latency: Latency) -> str:
    text = f"{_ms(latency.p50)} · {_ms(latency.p99)}"
    return text + (f" ({latency.failed} failed)" if latency.failed else "")


def _answered(result: ReadingResult, command: str) -> str:
    """p50 · p99, and the CPU time the bot and the stand-in spent on each interaction."""
    text = _p50_p99(result.latency[command])
    if command in result.cpu:
        bot, standin = result.cpu[command] * 1000, result.standin_cpu[command] * 1000
        server = result.server_cpu.get(command)
        on_server = f" + {server * 1000:.2f} PostgreSQL" if server is not None else ""
        text += f"; CPU {bot:.2f}{on_server} + {standin:.2f} ms"
    return text


def database_cpu(result: ReadingResult, command: str) -> float:
    """The CPU an interaction cost where the database work is done: the bot's process, and the
    PostgreSQL server's for a bot on PostgreSQL (on SQLite that work is in the bot's process)."""
    return result.cpu[command] + result.server_cpu.get(command, 0.0)


def _latency_rows(reading: list[ReadingResult]) -> list[Row]:
    floor = next((result for result in reading if result.bot == "floor"), None)
    sized = next((result for result in reading if result.bot == SIZED_FLOOR), None)
    bots = [result for result in reading if result.bot == "storybot"]
    found = []
    for command in COMMANDS:
        limit = SEARCH_RATIO if command == "/search" else LATENCY_RATIO
        base = floor.latency[command] if floor else None
        for result in bots:
            mine = result.latency[command]
            ratio = mine.p99 / base.p99 if base else None
            found.append(
                Row(
                    "latency",
                    f"{command} p50 · p99 ({result.size}, {mine.count:,} answered)",
                    _answered(result, command),
                    _answered(floor, command) if floor else "",
                    _times(ratio) if ratio else "",
                    f"p99 ≤ {limit:g}× floor",
                    ratio <= limit if ratio else None,
                )
            )
        if sized and floor and base:
            found.append(
                Row(
                    "latency",
                    f"{command} p50 · p99, the floor answering with storybot-sized replies",
                    _answered(sized, command),
                    _answered(floor, command),
                    _times(sized.latency[command].p99 / base.p99),
                    "(what the reply alone costs)",
                    None,
                )
            )
        if len(bots) == 2:
            small, large = (result.latency[command] for result in bots)
            growth = large.p99 / small.p99
            found.append(
                Row(
                    "latency",
                    f"{command} p99, {bots[1].size} ÷ {bots[0].size}",
                    _ms(large.p99),
                    _ms(small.p99),
                    _times(growth),
                    f"≤ {GROWTH_RATIO:g}×",
                    growth <= GROWTH_RATIO,
                )
            )
    return found


def _postgres_rows(reading: list[ReadingResult]) -> list[Row]:
    """storybot on PostgreSQL against storybot on SQLite with the same library, in one run."""
    found = []
    for postgres in (result for result in reading if result.bot == ON_POSTGRES):
        sqlite = next((r for r in reading if r.bot == "storybot" and r.size == postgres.size), None)
        if sqlite is None:
            continue
        for command in COMMANDS:
            if command == "/search":
                what, limit = "p99", POSTGRES_SEARCH_RATIO
                ratio = postgres.latency[command].p99 / sqlite.latency[command].p99
            else:
                what = "CPU per interaction (bot + PostgreSQL against bot)"
                limit = POSTGRES_CPU_RATIO if command in POSTGRES_CPU_TARGETS else None
                ratio = database_cpu(postgres, command) / database_cpu(sqlite, command)
            found.append(
                Row(
                    "latency",
                    f"{command} on PostgreSQL ÷ on SQLite ({postgres.size}): {what}",
                    _answered(postgres, command),
                    _answered(sqlite, command),
                    _times(ratio),
                    f"≤ {limit:g}× SQLite" if limit else "(shown, not a target)",
                    ratio <= limit if limit else None,
                )
            )
    return found


def _memory_rows(reading: list[ReadingResult]) -> list[Row]:
    floor = next((result for result in reading if result.bot == "floor"), None)
    return [
        Row(
            "memory",
            f"peak RSS after the latency run ({result.size})",
            _mb(result.peak_rss),
            _mb(floor.peak_rss) if floor else "",
            _times(result.peak_rss / floor.peak_rss) if floor else "",
            f"≤ {_mb(BOT_MEMORY)}",
            result.peak_rss <= BOT_MEMORY,
        )
        for result in reading
        if result.bot == "storybot"
    ]


def _cold_start_rows(starts: list[ColdStartResult]) -> list[Row]:
    floor = next((result for result in starts if result.bot == "floor"), None)
    found = []
    for result in starts:
        if result.bot != "storybot":
            continue
        ratio = result.seconds / floor.seconds if floor else None
        found.append(
            Row(
                "cold-start",
                f"process start to /read answered ({result.size})",
                f"{result.seconds:.2f} s",
                f"{floor.seconds:.2f} s" if floor else "",
                _times(ratio) if ratio else "",
                f"≤ {COLD_START_SECONDS:g} s and ≤ {COLD_START_RATIO:g}×",
                result.seconds <= COLD_START_SECONDS
                and (ratio is None or ratio <= COLD_START_RATIO),
            )
        )
    return found


def _fanout_rows(fanouts: list[FanOutResult]) -> list[Row]:
    found = []
    for result in fanouts:
        fleet = fleet_name(result.processes, result.store)
        share = result.ideal_seconds / result.seconds if result.seconds else 0.0
        used = result.requests / (GLOBAL_LIMIT * result.seconds) if result.seconds else 0.0
        refused = result.rate_limited / max(1, result.requests + result.rate_limited)
        stopped = "" if result.finished else ", stopped at the cap"
        starved = result.read_during.p99 / result.read_idle.p99
        found += [
            Row(
                "fan-out",
                f"{result.kind}, {fleet}: {result.delivered:,} of {result.count:,} "
                f"delivered{stopped} ({result.requests:,} requests, {used:.0%} of the limit; "
                f"{result.rate_limited:,} answered 429, {refused:.1%})",
                f"{result.seconds:.1f} s",
                f"{result.ideal_seconds:.1f} s ideal",
                f"{share:.0%}",
                f"≥ {FANOUT_SHARE:.0%} of the limit, < {RATE_LIMITED_SHARE:.0%} answered 429",
                share >= FANOUT_SHARE and refused < RATE_LIMITED_SHARE,
            ),
            Row(
                "fan-out",
                f"{result.kind}, {fleet}: /read p99 during ÷ idle",
                _p50_p99(result.read_during),
                _p50_p99(result.read_idle),
                _times(starved),
                f"≤ {STARVATION_RATIO:g}×",
                starved <= STARVATION_RATIO,
            ),
        ]
    return found + _fleet_rows(fanouts)


def _stats_rows(stats: list[StatsResult], reading: list[ReadingResult]) -> list[Row]:
    """The stats commands on a year of reading, and what counting adds to a page turn: to the
    whole page turn's CPU of storybot on the same library when the latency figure ran, else
    to the store's write alone."""
    found = []
    for result in stats:
        year = f"{result.size}, {result.readers:,} readers over {result.days} days"
        commands = [(f"/library stats days:{n}", t) for n, t in result.library_stats.items()]
        commands.append((f"/story stats ({result.story_chapters} chapters)", result.story_stats))
        for command, timed in commands:
            seconds = timed.figures_seconds + timed.chart_seconds
            found.append(
                Row(
                    "stats",
                    f"{command} once deferred: figures + chart ({year})",
                    f"{timed.figures_seconds * 1000:.0f} + {timed.chart_seconds * 1000:.0f} ms",
                    "",
                    "",
                    f"≤ {STATS_SECONDS:g} s",
                    seconds <= STATS_SECONDS,
                )
            )
        kept = sum(result.rows.values())
        found.append(
            Row(
                "stats",
                f"rows kept for {result.turns:,} page turns ({year}): "
                + ", ".join(f"{table} {rows:,}" for table, rows in result.rows.items()),
                f"{kept:,}",
                f"{result.turns:,} turns",
                f"{kept / result.turns:.3f} per turn",
                "(grows with days × stories read)",
                None,
            )
        )
        added = result.page_write_cpu - result.uncounted_write_cpu
        page_turn = next(
            (
                r.cpu["page turn"]
                for r in reading
                if r.bot == "storybot" and r.size == result.size and "page turn" in r.cpu
            ),
            None,
        )
        whole = page_turn if page_turn is not None else result.uncounted_write_cpu
        share = added / whole
        found.append(
            Row(
                "stats",
                "counting's CPU per page turn: the store's write with the counts ÷ without, "
                + ("against a whole page turn's CPU" if page_turn else "against the write alone"),
                f"+{added * 1e6:.0f} µs ({result.page_write_cpu * 1e6:.0f} µs)",
                f"{whole * 1e6:.0f} µs",
                f"{share:+.1%}",
                f"≤ {COUNTING_SHARE:.0%} of a page turn",
                share <= COUNTING_SHARE if page_turn else None,
            )
        )
    return found


def _fleet_rows(fanouts: list[FanOutResult]) -> list[Row]:
    """Several processes on PostgreSQL against one, for each kind of fan-out: the readers'
    interactions failed or not answered while it went on."""
    found = []
    on_postgres = [result for result in fanouts if result.store == "PostgreSQL"]
    for one in (result for result in on_postgres if result.processes == 1):
        for many in (r for r in on_postgres if r.kind == one.kind and r.processes > 1):
            found.append(
                Row(
                    "fan-out",
                    f"{one.kind}: /read failed or unanswered during it, "
                    f"{fleet_name(many.processes, many.store)} against one",
                    _failed(many.read_during),
                    _failed(one.read_during),
                    "",
                    "no more than one process",
                    many.read_during.failed <= one.read_during.failed,
                )
            )
    return found


def _failed(latency: Latency) -> str:
    return f"{latency.failed:,} of {latency.count + latency.failed:,}"


def print_table(table: list[Row], command: str, console: Console) -> None:
    shown = Table(title=f"storybot against its floor: {command}", show_lines=False)
    for column in ("figure", "what", "storybot", "floor / baseline", "ratio", "target", "met"):
        shown.add_column(column, overflow="fold")
    marks = {True: "yes", False: "NO", None: ""}
    for row in table:
        shown.add_row(
            row.figure, row.what, row.measured, row.against, row.ratio, row.target, marks[row.met]
        )
    console.print(shown)


def write_json(
    path: Path,
    command: str,
    environment: dict[str, str],
    plan: dict[str, Any],
    results: Results,
    table: list[Row],
) -> None:
    document = {
        "command": command,
        "environment": environment,
        "plan": plan,
        "results": asdict(results),
        "rows": [asdict(row) for row in table],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n")


def describe_environment() -> dict[str, str]:
    """What the numbers were measured on: the code's commit and the tools' versions."""
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "commit": commit,
        "python": platform.python_version(),
        "discord.py": discord.__version__,
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}",
    }
