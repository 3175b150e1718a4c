"""The benchmark (bench/) still works: the same seed makes the same library, and a run prints a
row for every figure. Timings are never asserted; `python -m bench --quick` in CI runs it all."""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main
from bench.library import library
from bench.report import FIGURES


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
