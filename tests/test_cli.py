"""`python -m bot …` as the person who hosts the bot runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_LIBRARY


def _bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no token, the database in a temporary folder, no .env around."""
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    clean = {key: value for key, value in os.environ.items() if key in keep}
    return clean | {
        "PYTHONPATH": str(REPO),
        "DATABASE_PATH": str(tmp_path / "library.db"),
        "COLUMNS": "200",
    }


def test_run_without_a_token_says_so_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = _bot("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "storybot: DISCORD_TOKEN is not set: put your bot token in .env (see .env.example)."
    ]


def test_a_malformed_setting_is_one_line_and_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    result = _bot("list", env=env | {"PAGE_SIZE": "tiny"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "storybot: PAGE_SIZE must be a whole number, not 'tiny'."


def test_import_sample_library_then_list_it(env: dict[str, str], tmp_path: Path) -> None:
    first = _bot("import", str(SAMPLE_LIBRARY), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count(" added ") == 3

    listed = _bot("list", "--json", env=env, cwd=tmp_path)
    stories = {story["title"]: story for story in json.loads(listed.stdout)}
    assert set(stories) == {"Hello, Princess", "Heart Broken", "We Keep Dancing"}
    assert {story["chapter_count"] for story in stories.values()} == {1}
    assert stories["Hello, Princess"]["rating"] == "Mature"
    for story in stories.values():
        assert 400 < story["word_count"] < 4000

    table = _bot("list", env=env, cwd=tmp_path).stdout
    assert "Library: 3 stories" in table and "We Keep Dancing" in table

    again = _bot("import", str(SAMPLE_LIBRARY), env=env, cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.count(" unchanged ") == 3
    assert json.loads(_bot("list", "--json", env=env, cwd=tmp_path).stdout) == json.loads(
        listed.stdout
    )


def test_a_bad_file_is_reported_and_the_rest_go_in(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "good.md").write_text("# Chapter 1\n\nA short tale of a quiet town.\n")
    result = _bot("import", str(folder), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "empty.txt" in result.stdout and "rejected" in result.stdout
    titles = [
        story["title"] for story in json.loads(_bot("list", "--json", env=env, cwd=tmp_path).stdout)
    ]
    assert titles == ["Good"]


def test_import_of_a_missing_path_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    result = _bot("import", "nowhere/", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "storybot: no such file or folder: nowhere"


def test_check_reports_the_database_and_a_missing_token(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = _bot("check", env=env, cwd=tmp_path)
    assert "database: ok, 0 stories" in result.stdout
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert _bot("check", env=env | {"DISCORD_TOKEN": "x.y.z"}, cwd=tmp_path).returncode == 0
