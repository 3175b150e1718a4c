"""Importing story files: which story each file becomes, however the files are named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.importing import import_files, import_library_if_empty, story_files
from bot.store import SaveOutcome, Store
from tests.conftest import REPO, SAMPLE_LIBRARY
from tests.processes import alive, children, needs_proc, wait_until
from tests.samples import database


def _story(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Chapter 1\n\n{text}\n")
    return path


async def _import(store: Store, *paths: Path) -> list[SaveOutcome | None]:
    return [
        result.outcome for result in await import_files(store, story_files(paths), page_size=900)
    ]


async def _source_keys(store: Store) -> list[str]:
    rows = await database(store).fetch_all("SELECT source_key FROM story ORDER BY 1")
    return [key for (key,) in rows]


async def test_the_bundled_library_keeps_its_bare_file_names(store: Store, tmp_path: Path) -> None:
    await import_library_if_empty(store, SAMPLE_LIBRARY, page_size=900)
    # the keys databases made before have, so an upgrade never adds the samples twice
    assert await _source_keys(store) == [
        "000_6f9fc9c0cdbf0d79.txt",
        "001_973e67e1a776df10.txt",
        "002_d006954e598079f7.txt",
    ]
    assert await _import(store, SAMPLE_LIBRARY) == [SaveOutcome.UNCHANGED] * 3


async def test_files_of_one_name_in_two_folders_given_are_two_stories(
    store: Store, tmp_path: Path
) -> None:
    one = _story(tmp_path / "one" / "story.txt", "The first tale.")
    two = _story(tmp_path / "two" / "story.txt", "The second tale.")
    assert await _import(store, one.parent, two.parent) == [SaveOutcome.ADDED] * 2
    assert await _source_keys(store) == ["one/story.txt", "two/story.txt"]

    two.write_text("# Chapter 1\n\nThe second tale, told again.\n")
    assert await _import(store, one.parent, two.parent) == [
        SaveOutcome.UNCHANGED,
        SaveOutcome.UPDATED,
    ]
    assert await store.story_count() == 2


async def test_a_file_is_keyed_by_its_path_inside_the_folder_given(
    store: Store, tmp_path: Path
) -> None:
    _story(tmp_path / "library" / "glee" / "story.md", "A Glee tale.")
    _story(tmp_path / "library" / "bones" / "story.md", "A Bones tale.")
    alone = _story(tmp_path / "elsewhere" / "single.txt", "Given by itself.")
    assert await _import(store, tmp_path / "library", alone) == [SaveOutcome.ADDED] * 3
    assert await _source_keys(store) == [
        "bones/story.md",
        "glee/story.md",
        "single.txt",
    ]


def test_a_file_named_twice_is_imported_once(tmp_path: Path) -> None:
    story = _story(tmp_path / "one" / "story.txt", "Only one.")
    assert [file.source_key for file in story_files([story.parent, story])] == ["story.txt"]


async def test_files_whose_paths_still_collide_are_keyed_by_content(
    store: Store, tmp_path: Path
) -> None:
    first = _story(tmp_path / "a" / "lib" / "story.txt", "From a.")
    second = _story(tmp_path / "b" / "lib" / "story.txt", "From b.")
    _story(tmp_path / "a" / "lib" / "other.txt", "Only in a.")
    files = story_files([first.parent, second.parent])
    assert [(file.path, file.source_key) for file in files] == [
        (tmp_path / "a" / "lib" / "other.txt", "other.txt"),
        (first, None),
        (second, None),
    ]
    assert await _import(store, first.parent, second.parent) == [SaveOutcome.ADDED] * 3
    assert await _import(store, first.parent, second.parent) == [SaveOutcome.UNCHANGED] * 3
    keys = await _source_keys(store)
    assert keys[0].startswith("content:") and keys[1].startswith("content:")
    assert keys[0] != keys[1] and keys[2] == "other.txt"


def test_a_longer_key_never_takes_the_key_of_another_file(tmp_path: Path) -> None:
    one = _story(tmp_path / "one" / "story.txt", "One.")
    two = _story(tmp_path / "two" / "story.txt", "Two.")
    nested = _story(tmp_path / "x" / "one" / "story.txt", "Nested.")
    files = story_files([one.parent, two.parent, tmp_path / "x"])
    assert [(file.path, file.source_key) for file in files] == [
        (one, None),
        (two, "two/story.txt"),
        (nested, "one/story.txt"),
    ]


_ORPHAN = """
import os, sys, time
import bot.importing as importing

importing._killed_with_parent = lambda: False  # as where the kernel cannot be asked
importing._die_with_parent(os.getppid())
print("ready", flush=True)
time.sleep(60)
"""

_PARENT = f"""
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", {_ORPHAN!r}])
time.sleep(60)
"""


@needs_proc
def test_without_the_kernel_a_worker_still_exits_when_its_parent_is_killed(
    tmp_path: Path,
) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline() == "ready\n"
        (worker,) = children(parent.pid)
    finally:
        parent.kill()
        parent.wait()
    wait_until(lambda: not alive(worker), "the orphaned worker to exit")
