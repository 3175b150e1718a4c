"""The benchmark (bench/) still works: the same seed makes the same library, and a run prints a
row for every figure. Timings are never asserted; `python -m bench --quick` in CI runs it all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.__main__ import main
from bench.fanout import FanOutResult, Fleet
from bench.figures import ReadingResult
from bench.harness import ON_POSTGRES, tree_cpu_seconds
from bench.latency import COMMANDS, Latency
from bench.library import library
from bench.report import FIGURES, Results, rows
from bench.stats import StatsResult, Timed


def test_the_same_seed_makes_the_same_library(tmp_path: Path) -> None:
    first = library("tiny", seed=3, cache=tmp_path / "first")
    again = library("tiny", seed=3, cache=tmp_path / "again")
    other = library("tiny", seed=4, cache=tmp_path / "other")
    assert [path.read_bytes() for path in first.files] == [
        path.read_bytes() for path in again.files
    ]
    assert first.stories == again.stories
    assert first.queries == again.queries
    assert first.stories != other.stories
    assert sum(story.chapters for story in first.stories) == first.chapters == 40
    assert first.files[0].read_text(encoding="utf-8").startswith("---\ntitle: ")


def test_a_run_prints_a_row_for_every_figure(tmp_path: Path, capsys) -> None:
    arguments = ["--quick", "--size", "small", "--only", "import", "--cache", str(tmp_path)]
    assert main(arguments) == 0
    results = tmp_path / "results.json"
    printed = capsys.readouterr().out
    written = json.loads(results.read_text(encoding="utf-8"))
    figures = [row["figure"] for row in written["rows"]]
    assert set(figures) == set(FIGURES)
    for figure in FIGURES:
        assert figure in printed
    imported = [row for row in written["rows"] if row["figure"] == "import"]
    assert [row["what"].split(" (")[0] for row in imported] == ["time", "peak memory"]
    assert all(row["measured"] and row["against"] for row in imported)
    assert written["command"] == "python -m bench " + " ".join(arguments)


def test_several_processes_deal_out_every_shard_once() -> None:
    assert Fleet().shards(11) == [None]  # one process runs what Discord recommends
    for recommended in (1, 11):
        dealt = Fleet(2).shards(recommended)
        count = max(2, recommended)
        assert [shards.count for shards in dealt if shards] == [count, count]
        ids = [n for shards in dealt if shards for n in shards.ids]
        assert sorted(ids) == list(range(count))
    assert [shards.ids for shards in Fleet(2).shards(1) if shards] == [(0,), (1,)]


def _reading(bot: str, cpu: float, server: float | None, p99: float) -> ReadingResult:
    latency = Latency(count=10, failed=0, p50=p99 / 2, p99=p99)
    every = dict.fromkeys(COMMANDS, cpu)
    return ReadingResult(
        bot,
        "large",
        dict.fromkeys(COMMANDS, latency),
        peak_rss=0,
        violations=0,
        cpu=every,
        standin_cpu=every,
        server_cpu={} if server is None else dict.fromkeys(COMMANDS, server),
    )


def test_postgresql_is_held_to_the_cpu_of_the_bot_and_the_server_together() -> None:
    sqlite = _reading("storybot", cpu=0.004, server=None, p99=0.1)
    postgres = _reading(ON_POSTGRES, cpu=0.002, server=0.003, p99=0.19)
    found = {row.what.split(" on PostgreSQL")[0]: row for row in rows(_results(sqlite, postgres))}
    assert found["/read"].ratio == "1.25×" and found["/read"].met is True
    assert "2.00 + 3.00 PostgreSQL + 2.00 ms" in found["/read"].measured
    assert found["/search"].what.endswith("p99") and found["/search"].met is True
    assert found["/continue"].met is None  # shown, not a target
    slower = _reading(ON_POSTGRES, cpu=0.002, server=0.0033, p99=0.21)
    found = {row.what.split(" on PostgreSQL")[0]: row for row in rows(_results(sqlite, slower))}
    assert found["/read"].met is False and found["/search"].met is False


def _results(*reading: ReadingResult) -> Results:
    results = Results()
    results.reading += reading
    return results


def test_a_fan_out_with_one_percent_answered_429_misses_its_target() -> None:
    def fanned(rate_limited: int, processes: int = 1, failed: int = 0) -> FanOutResult:
        reads = Latency(count=100, failed=failed, p50=0.01, p99=0.02)
        return FanOutResult(
            "daily posts", processes, "PostgreSQL", 1000, 1000, True, 21.0, 20.0, 1000,
            rate_limited, reads, reads,
        )  # fmt: skip

    delivered = [row for row in rows(_fanouts(fanned(9), fanned(11))) if "delivered" in row.what]
    assert [row.met for row in delivered] == [True, False]
    compared = [
        row for row in rows(_fanouts(fanned(0), fanned(0, 2, failed=1))) if "against" in row.what
    ]
    assert [(row.measured, row.against, row.met) for row in compared] == [
        ("1 of 101", "0 of 100", False)
    ]


def _fanouts(*fanouts: FanOutResult) -> Results:
    results = Results()
    results.fanouts += fanouts
    return results


def test_counting_is_weighed_against_a_whole_page_turn_when_the_latency_ran() -> None:
    stats = StatsResult(
        "large", 10_000, 365, 100_000, {"story_day": 4_000}, {365: Timed(0.4, 2.7)},
        Timed(0.1, 0.5), 30, page_write_cpu=150e-6, uncounted_write_cpu=100e-6,
    )  # fmt: skip
    results = Results()
    results.stats.append(stats)
    alone = [row for row in rows(results) if row.what.startswith("counting")]
    assert [(row.measured, row.ratio, row.met) for row in alone] == [
        ("+50 µs (150 µs)", "+50.0%", None)  # the write alone: shown, not held to the target
    ]
    results.reading.append(_reading("storybot", cpu=0.004, server=None, p99=0.1))
    deferred, story, kept, counting = (row for row in rows(results) if row.figure == "stats")
    assert (counting.against, counting.ratio, counting.met) == ("4000 µs", "+1.2%", True)
    assert (deferred.measured, deferred.met) == ("400 + 2700 ms", False)  # over 3 s in all
    assert story.met is True and kept.measured == "4,000"


def test_the_cpu_of_a_process_tree_counts_its_children_that_ended() -> None:
    subprocess.run([sys.executable, "-c", "sum(range(3_000_000))"], check=True)
    mine = os.times()
    counted = tree_cpu_seconds(os.getpid())
    assert counted >= mine.user + mine.system + mine.children_user + mine.children_system - 0.05
    assert mine.children_user + mine.children_system > 0
