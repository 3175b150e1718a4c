"""`python -m bot …` as the person who hosts the bot runs it."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.access import Changer, Viewer
from bot.importing import import_library_if_empty
from bot.library.model import ChapterDraft, StoryDraft
from bot.store import Following, PageLength, Store
from bot.store.database import Dialect, migrations
from tests.conftest import ANYONE, REPO, SAMPLE_LIBRARY
from tests.engines import POSTGRES
from tests.processes import alive, children, needs_proc, wait_until


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


def _lines(output: str, *starts: str) -> list[str]:
    """The lines of `output` that start with one of `starts`, in order."""
    return [line for line in output.splitlines() if line.startswith(starts)]


def test_check_of_a_healthy_library_prints_each_part_and_exits_0(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert _bot("import", str(SAMPLE_LIBRARY), env=env, cwd=tmp_path).returncode == 0
    result = _bot("check", env=env | {"DISCORD_TOKEN": "x.y.z"}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert _lines(result.stdout, "database:", "integrity:", "full-text", "stories:", "token:") == [
        f"database: opens, schema version {len(migrations(Dialect.SQLITE))}",
        "integrity: ok",
        "full-text index chapter_fts: ok",
        "full-text index story_name: ok",
        "full-text index story_word: ok",
        "full-text index tag_name_fts: ok",
        "stories: 3",
        "token: set",
    ]
    assert "discord_token: ********" in result.stdout
    assert "x.y.z" not in result.stdout + result.stderr


def test_check_without_a_database_creates_none_and_goes_on_to_the_token(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = _bot("check", env=env, cwd=tmp_path)
    assert _lines(result.stdout, "database:", "token:") == [
        "database: not created yet (it is made on first start)",
        "token: missing (put DISCORD_TOKEN in .env)",
    ]
    assert result.returncode == 2
    assert not (tmp_path / "library.db").exists()
    assert _bot("check", env=env | {"DISCORD_TOKEN": "x.y.z"}, cwd=tmp_path).returncode == 0


def _imported_library(env: dict[str, str], tmp_path: Path) -> Path:
    """The sample library imported into a database file, all of it in the main file (no WAL)."""
    assert _bot("import", str(SAMPLE_LIBRARY), env=env, cwd=tmp_path).returncode == 0
    path = Path(env["DATABASE_PATH"])
    assert not path.with_name(path.name + "-wal").exists()
    return path


def test_check_names_a_damaged_table_and_still_checks_the_rest(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = _imported_library(env, tmp_path)
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'chapter'"
        ).fetchone()[0]
    connection.close()
    assert 1 < root < pages  # a page in the middle of the file, not its header
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)

    result = _bot("check", env=env | {"DISCORD_TOKEN": "x.y.z"}, cwd=tmp_path)
    assert result.returncode == 1
    (integrity,) = _lines(result.stdout, "integrity:")
    assert integrity.startswith("integrity: damaged in chapter")
    assert "full-text index chapter_fts: damaged" in result.stdout
    assert _lines(result.stdout, "stories:", "token:") == ["stories: 3", "token: set"]


def test_check_finds_a_damaged_full_text_index(env: dict[str, str], tmp_path: Path) -> None:
    path = _imported_library(env, tmp_path)
    with sqlite3.connect(path) as connection:
        # the index's segments (rows 1 and 10 are its averages and structure)
        connection.execute("DELETE FROM chapter_fts_data WHERE id > 10")
    connection.close()

    result = _bot("check", env=env | {"DISCORD_TOKEN": "x.y.z"}, cwd=tmp_path)
    assert result.returncode == 1
    assert _lines(result.stdout, "full-text") == [
        "full-text index chapter_fts: damaged: database disk image is malformed",
        "full-text index story_name: ok",
        "full-text index story_word: ok",
        "full-text index tag_name_fts: ok",
    ]
    assert "stories: 3" in result.stdout


_BOOKMARK_WRITER = """
import asyncio, os
from bot.store import Store

async def main():
    store = await Store.open(os.environ["DATABASE_PATH"])
    stories = [listed.story for listed in await store.all_stories()]
    for user in range(10**9):
        places = (store.save_bookmark(user, story.id, 1, 1, move=True) for story in stories)
        await asyncio.gather(*places)
        if user == 0:
            print("writing", flush=True)

asyncio.run(main())
"""


def test_backup_while_the_library_is_written_to_is_whole(
    env: dict[str, str], tmp_path: Path
) -> None:
    _imported_library(env, tmp_path)
    live = _bot("list", "--json", env=env, cwd=tmp_path).stdout
    copy = tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-c", _BOOKMARK_WRITER],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        result = _bot("backup", str(copy), env=env, cwd=tmp_path)
        assert writer.poll() is None, "the writes went on all through the backup"
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 0, result.stdout + result.stderr
    assert _lines(result.stdout, "integrity:", "stories:", "backup:") == [
        "integrity: ok",
        "stories: 3",
        f"backup: {copy}",
    ]
    assert [path.name for path in copy.parent.iterdir()] == ["copy.db"]
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT count(*) FROM reading_progress").fetchone()[0] > 0
    connection.close()
    from_copy = _bot("list", "--json", env=env | {"DATABASE_PATH": str(copy)}, cwd=tmp_path)
    assert json.loads(from_copy.stdout) == json.loads(live)


def test_backup_replaces_a_file_only_when_forced(env: dict[str, str], tmp_path: Path) -> None:
    _imported_library(env, tmp_path)
    copy = tmp_path / "copy.db"
    copy.write_text("an older backup")
    refused = _bot("backup", str(copy), env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"storybot: {copy} already exists: give --force to replace it."
    assert copy.read_text() == "an older backup"
    assert _bot("backup", str(copy), "--force", env=env, cwd=tmp_path).returncode == 0
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT count(*) FROM story").fetchone()[0] == 3
    connection.close()


async def _library_on_two_servers(path: Path) -> None:
    """The sample library, a story uploaded to server 111, and one uploaded to 222 and removed."""
    store = await Store.open(path)
    try:
        await import_library_if_empty(store, SAMPLE_LIBRARY, page_size=1800)
        for title, guild_id in (("Harbour", 111), ("Lighthouse", 222)):
            draft = StoryDraft(title, (ChapterDraft("One", f"The {title.lower()} at dusk."),))
            _, story_id = await store.save_story(
                draft, source_key=title, content_hash=title, guild_id=guild_id, page_size=1800
            )
        await store.remove_story(story_id, Changer(222, 5, True))
    finally:
        await store.close()


def test_list_shows_every_server_and_what_was_removed(env: dict[str, str], tmp_path: Path) -> None:
    asyncio.run(_library_on_two_servers(Path(env["DATABASE_PATH"])))

    def listed(*args: str) -> list[tuple[str, int | None, bool]]:
        result = _bot("list", "--json", *args, env=env, cwd=tmp_path)
        return [
            (row["title"], row["guild_id"], row["removed"]) for row in json.loads(result.stdout)
        ]

    assert listed() == [
        ("Heart Broken", None, False),
        ("Hello, Princess", None, False),
        ("We Keep Dancing", None, False),
        ("Harbour", 111, False),
        ("Lighthouse", 222, True),
    ]
    assert listed("--guild", "222") == [("Lighthouse", 222, True)]

    table = _bot("list", env=env, cwd=tmp_path).stdout
    assert "Library: 5 stories" in table and "Server" in table
    (heart,) = _lines(table, "│ Heart Broken")
    assert "bundled" in heart and "removed" not in heart
    (lighthouse,) = _lines(table, "│ Lighthouse")
    assert "222" in lighthouse and "removed" in lighthouse


def test_import_of_two_folders_keeps_files_of_one_name_apart(
    env: dict[str, str], tmp_path: Path
) -> None:
    for folder in ("one", "two", "a/lib", "b/lib"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "story.txt").write_text(f"# Chapter 1\n\nA tale from {folder}.\n")
    result = _bot("import", "one", "two", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(" added ") == 2
    assert "one/story.txt" in result.stdout and "two/story.txt" in result.stdout

    result = _bot("import", "a/lib", "b/lib", env=env, cwd=tmp_path)
    assert result.stdout.count("│ added ") == 2
    assert "2 files share their path under folders of the same name" in result.stdout
    assert "a/lib/story.txt, b/lib/story.txt" in result.stdout
    assert len(json.loads(_bot("list", "--json", env=env, cwd=tmp_path).stdout)) == 4


def _story_count(database: Path) -> int:
    """The stories saved so far, read without creating the file (0 until there is one)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            count = connection.execute("SELECT count(*) FROM story").fetchone()[0]
        connection.close()
    except sqlite3.Error:
        return 0
    return count


@needs_proc
def test_import_workers_end_when_the_import_is_killed(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(200):  # enough for the worker processes (see _POOL_AFTER), and to take a while
        (folder / f"{n:03}.txt").write_text(
            f"# Chapter 1\n\n{f'Tale {n}, told by the sea. ' * 100}\n"
        )
    cli = subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(folder)],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A story saved: a worker has parsed a file, so it was all set up when the import died.
        wait_until(lambda: _story_count(Path(env["DATABASE_PATH"])) > 0, "a story to be saved")
        workers = children(cli.pid)
        assert cli.poll() is None and workers
    finally:
        cli.kill()
        cli.wait()
    wait_until(lambda: not any(alive(pid) for pid in workers), "the workers to end", seconds=10)


def test_a_database_url_that_cannot_be_used_is_one_line_without_its_password(
    env: dict[str, str], tmp_path: Path
) -> None:
    unreachable = {"DATABASE_URL": "postgresql://reader:s3cret@127.0.0.1:1/storybot"}
    for command in (["list"], ["import", str(SAMPLE_LIBRARY)]):
        result = _bot(*command, env=env | unreachable, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.strip().splitlines()
        shown = "postgresql://reader:********@127.0.0.1:1/storybot"
        assert line.startswith(f"storybot: cannot use the database at {shown}: "), line
        assert "s3cret" not in result.stdout + result.stderr
    checked = _bot("check", env=env | unreachable, cwd=tmp_path)
    assert "database_url: postgresql://reader:********@127.0.0.1:1/storybot" in checked.stdout
    assert _lines(checked.stdout, "database:")[0].startswith("database: cannot connect: ")
    assert "s3cret" not in checked.stdout + checked.stderr
    assert checked.returncode == 1
    wrong = _bot("list", env=env | {"DATABASE_URL": "mysql://reader@db/storybot"}, cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("storybot: DATABASE_URL must be a PostgreSQL URL")


async def test_check_and_import_on_postgresql(env: dict[str, str], tmp_path: Path) -> None:
    url = await POSTGRES.fresh_database()
    try:
        on_postgres = env | {"DATABASE_URL": url, "DISCORD_TOKEN": "x.y.z"}
        imported = await asyncio.to_thread(
            _bot, "import", str(SAMPLE_LIBRARY), env=on_postgres, cwd=tmp_path
        )
        assert imported.returncode == 0, imported.stderr
        result = await asyncio.to_thread(_bot, "check", env=on_postgres, cwd=tmp_path)
        assert result.returncode == 0, result.stdout
        assert _lines(result.stdout, "database:", "stories:") == [
            f"database: PostgreSQL, connects, schema version {len(migrations(Dialect.POSTGRES))}",
            "stories: 3",
        ]
        assert not (tmp_path / "library.db").exists()  # the SQLite file was never made
    finally:
        await POSTGRES.drop(url)


async def test_copy_library_moves_everything_and_the_bot_goes_on_where_it_stopped(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The sample library, a story in a series, a reader's place and preferences, the reading
    figures, a subscription and a daily schedule move to PostgreSQL; there the reader's place,
    search and new stories all work; a second copy into the same database is refused."""
    sqlite = Path(env["DATABASE_PATH"])
    store = await Store.open(sqlite)
    await import_library_if_empty(store, SAMPLE_LIBRARY, 1800)
    (heart,) = [s for s in await store.find_stories(ANYONE, "Heart Broken")]
    await store.save_bookmark(7, heart.id, 1, 3, move=True, guild_id=99)
    await store.count_excerpt(99)
    await store.set_preferences(7, page_length=PageLength.SHORT)
    await store.subscribe(7, 99, Following.STORY, str(heart.id))
    await store.set_daily(
        99,
        channel_id=5,
        post_time="09:00",
        timezone="Europe/Paris",
        role_id=None,
        tag="",
        next_post_at=datetime(2026, 6, 2, 7, tzinfo=UTC),
        set_by=1,
    )
    in_series = StoryDraft(
        title="Part Two", chapters=(ChapterDraft("One", "Text."),), series="Nights", series_part=2
    )
    _, part_two = await store.save_story(
        in_series, source_key="two", content_hash="b", page_size=1800
    )
    await store.close()
    url = await POSTGRES.fresh_database()
    try:
        copied = await asyncio.to_thread(_bot, "copy-library", "--to", url, env=env, cwd=tmp_path)
        assert copied.returncode == 0, copied.stderr
        assert "story" in copied.stdout and "reading_progress" in copied.stdout
        moved = await Store.open(url)
        try:
            mark = await moved.last_bookmark(Viewer(7, None, True), heart.id)
            assert mark is not None and (mark.chapter_number, mark.page_number) == (1, 3)
            assert (await moved.preferences(7)).page_length is PageLength.SHORT
            assert [s.target for s in await moved.subscriptions(Viewer(7, 99, True))] == [
                str(heart.id)
            ]
            [today] = (await moved.library_stats(99, 1)).days  # the reading figures too
            assert (today.readers, today.pages, today.excerpts) == (1, 1, 1)
            schedule = await moved.daily(99)
            assert schedule is not None and schedule.post_time == "09:00"
            assert await moved.search(ANYONE, "heart", every_word=True, limit=5)
            moved_part = await moved.story(ANYONE, part_two)
            assert (moved_part.series, moved_part.series_part) == ("Nights", 2)
            draft = StoryDraft(title="After The Move", chapters=(ChapterDraft("One", "Text."),))
            _, new_id = await moved.save_story(
                draft, source_key="after", content_hash="a", page_size=1800
            )
            assert new_id > max(s.id for s in await moved.find_stories(ANYONE, "heart"))
        finally:
            await moved.close()
        again = await asyncio.to_thread(_bot, "copy-library", "--to", url, env=env, cwd=tmp_path)
        assert again.returncode == 2
        assert again.stderr.startswith("storybot: the target database already has rows in story")
    finally:
        await POSTGRES.drop(url)


async def _read_in_server_111(path: Path) -> None:
    """Two readers of the Harbour story uploaded to server 111, today."""
    store = await Store.open(path)
    try:
        draft = StoryDraft("Harbour", (ChapterDraft("One", "The harbour at dusk."),))
        _, harbour = await store.save_story(
            draft, source_key="Harbour", content_hash="Harbour", guild_id=111, page_size=1800
        )
        for user in (7, 8):
            await store.save_bookmark(user, harbour, 1, 1, move=True, guild_id=111, ends_story=True)
    finally:
        await store.close()


def test_stats_prints_each_servers_figures_and_writes_the_chart(
    env: dict[str, str], tmp_path: Path
) -> None:
    empty = _bot("stats", env=env, cwd=tmp_path)
    assert empty.returncode == 0
    assert "Nothing was read in any server in the last 30 days." in empty.stdout
    asyncio.run(_read_in_server_111(Path(env["DATABASE_PATH"])))
    printed = _bot("stats", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert "Server 111" in printed.stdout
    assert "< 3 readers read 2 pages; stories started < 3, finished < 3" in printed.stdout
    assert "1. Harbour: < 3 readers" in printed.stdout and "**" not in printed.stdout
    chart = tmp_path / "reading.png"
    written = _bot(
        "stats", "--guild", "111", "--days", "7", "--png", str(chart), env=env, cwd=tmp_path
    )
    assert written.returncode == 0 and chart.read_bytes().startswith(b"\x89PNG")
    for args, says in (
        (("--days", "0"), "The figures go back 1 to 365 days, not 0."),
        (("--days", "366"), "not 366"),
        (("--png", "x.png"), "--png needs --guild"),
    ):
        refused = _bot("stats", *args, env=env, cwd=tmp_path)
        assert refused.returncode == 2 and says in refused.stderr
