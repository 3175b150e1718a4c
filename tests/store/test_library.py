"""The library store on a real SQLite file: migrations, saving stories, all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.access import Viewer
from bot.library import pages
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind
from bot.store import BrowseFilters, Preferences, SaveOutcome, Store
from bot.store.database import Dialect, migrations
from tests.conftest import ANYONE
from tests.samples import database


def _draft(title: str = "Prom Night", chapters: int = 2, words: str = "dance") -> StoryDraft:
    return StoryDraft(
        title=title,
        author="Someone",
        rating=Rating.TEEN,
        warnings=("No Archive Warnings Apply",),
        tags={TagKind.FANDOM: ("Glee",), TagKind.FREEFORM: ("Prom", "Fluff")},
        chapters=tuple(
            ChapterDraft(title=f"Part {n}", text=f"{words} {n}. " * 50, notes_after=f"note {n}")
            for n in range(1, chapters + 1)
        ),
    )


async def _library_rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: [
            tuple(row)
            for row in await database(store).fetch_all(f"SELECT * FROM {table} ORDER BY 1, 2")
        ]
        for table in ("story", "story_tag", "chapter", "page")
    }


async def test_migrations_build_an_empty_file_and_rerun_as_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    store = await Store.open(path)
    await store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(
            migrations(Dialect.SQLITE)
        )
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        schema = connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    store = await Store.open(path)
    await store.close()
    with sqlite3.connect(path) as connection:
        assert (
            connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
        )


async def test_a_newer_database_than_the_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {len(migrations(Dialect.SQLITE)) + 1}")
    with pytest.raises(RuntimeError, match="newer than this bot knows"):
        await Store.open(path)


def _database_at(path: Path, version: int) -> sqlite3.Connection:
    """A database file made by the migrations up to `version` (as an older bot left it)."""
    connection = sqlite3.connect(path)
    script = "".join(sql + "\n" for number, sql in migrations(Dialect.SQLITE) if number <= version)
    connection.executescript(f"{script}PRAGMA user_version = {version};")
    return connection


async def test_the_tags_of_stories_already_there_are_found_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "older.db"
    with _database_at(path, 10) as connection:
        connection.execute(
            "INSERT INTO story (id, source_key, content_hash, title, author, summary, rating, "
            "status, language, source, chapter_count, word_count, page_count, created_at, "
            "updated_at) VALUES (1, 'k', 'h', 'Prom Night', 'Someone', '', 'Teen And Up "
            "Audiences', 'complete', 'en', '', 0, 0, 0, '', '')"
        )
        connection.executemany(
            "INSERT INTO story_tag (story_id, kind, name, position) VALUES (1, ?, ?, 0)",
            [("fandom", "Glee"), ("freeform", "glee"), ("warning", "Major Character Death")],
        )
    connection.close()
    store = await Store.open(path)
    try:
        assert [s.tag for s in await store.stories_tagged(ANYONE, "glee")] == ["Glee"]
        assert await store.stories_tagged(ANYONE, "death") == []
    finally:
        await store.close()


async def test_the_upgrade_makes_the_chapter_index_again_with_word_forms(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    with _database_at(path, 12) as connection:
        connection.execute(
            "INSERT INTO story (id, source_key, content_hash, title, author, summary, rating, "
            "status, language, source, chapter_count, word_count, page_count, created_at, "
            "updated_at) VALUES (1, 'k', 'h', 'Clockwork', 'Wren', '', 'General Audiences', "
            "'complete', 'en', '', 1, 6, 1, '', '')"
        )
        text = "She oiled the last gear."
        connection.execute(
            "INSERT INTO chapter (id, story_id, number, title, text, notes_before, notes_after, "
            "word_count, page_count, pages_before) VALUES (1, 1, 1, 'One', ?, '', '', 5, 1, 0)",
            (text,),
        )
        connection.execute("INSERT INTO page VALUES (1, 1, 0, ?)", (len(text),))
        connection.execute("INSERT INTO chapter_fts (rowid, text) VALUES (1, ?)", (text,))
    connection.close()
    store = await Store.open(path)
    try:
        hits = await store.search(ANYONE, "gears", limit=5)
        assert [(hit.story_title, hit.page_number) for hit in hits] == [("Clockwork", 1)]
    finally:
        await store.close()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO chapter_fts (chapter_fts, rank) VALUES ('integrity-check', 1)"
        )
    connection.close()


async def test_saved_story_reads_back_with_tags_and_counts(store: Store) -> None:
    outcome, story_id = await store.save_story(
        _draft(), source_key="prom.txt", content_hash="a", page_size=1800
    )
    assert outcome is SaveOutcome.ADDED
    story = await store.story(ANYONE, story_id)
    assert story is not None
    assert (story.title, story.chapter_count, story.word_count) == ("Prom Night", 2, 200)
    assert story.rating is Rating.TEEN
    assert story.warnings == ("No Archive Warnings Apply",)
    assert story.tags == {TagKind.FANDOM: ("Glee",), TagKind.FREEFORM: ("Prom", "Fluff")}
    assert [s.story.title for s in await store.all_stories()] == ["Prom Night"]


async def test_same_content_again_changes_nothing(store: Store, tmp_path: Path) -> None:
    _, story_id = await store.save_story(
        _draft(), source_key="p.txt", content_hash="a", page_size=900
    )
    before = await _library_rows(store)
    outcome, again = await store.save_story(
        _draft(), source_key="p.txt", content_hash="a", page_size=900
    )
    assert (outcome, again) == (SaveOutcome.UNCHANGED, story_id)
    assert await _library_rows(store) == before


async def test_changed_content_replaces_the_story_in_place(store: Store) -> None:
    _, story_id = await store.save_story(
        _draft(), source_key="p.txt", content_hash="a", page_size=900
    )
    outcome, again = await store.save_story(
        _draft(chapters=3, words="waltz"), source_key="p.txt", content_hash="b", page_size=900
    )
    assert (outcome, again) == (SaveOutcome.UPDATED, story_id)
    story = await store.story(ANYONE, story_id)
    assert story is not None and story.chapter_count == 3
    texts = await store.chapter_texts(story_id)
    assert len(texts) == 3 and all("waltz" in text and "dance" not in text for text in texts)
    assert len(await store.all_stories()) == 1


async def test_a_failure_halfway_through_leaves_the_library_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.save_story(_draft(), source_key="p.txt", content_hash="a", page_size=900)
    before = await _library_rows(store)

    async def crash_after_the_chapters(*args: object) -> None:
        raise OSError("disk unplugged")  # the chapters and pages are written by now

    monkeypatch.setattr("bot.store.library.add_excerpts", crash_after_the_chapters)
    for source_key, content_hash in (("p.txt", "b"), ("new.txt", "c")):
        with pytest.raises(OSError, match="disk unplugged"):
            await store.save_story(
                _draft(chapters=3), source_key=source_key, content_hash=content_hash, page_size=900
            )
    assert await _library_rows(store) == before


async def test_pages_are_stored_once_per_chapter(store: Store, tmp_path: Path) -> None:
    _, story_id = await store.save_story(
        _draft(chapters=1), source_key="p.txt", content_hash="a", page_size=500
    )
    text = (await store.chapter_texts(story_id))[0]
    stored = (await _library_rows(store))["page"]
    assert [(start, end) for _, _, start, end in stored] == pages.paginate(text, 500)


async def test_guild_stories_are_visible_only_in_their_guild(store: Store) -> None:
    await store.save_story(_draft("Bundled"), source_key="b.txt", content_hash="a", page_size=900)
    await store.save_story(
        _draft("Guild A's"), source_key="x", content_hash="x", guild_id=111, page_size=900
    )

    async def titles(guild_id: int) -> list[str]:
        found = await store.find_stories(Viewer(1, guild_id, True), "")
        return [story.title for story in found]

    assert await titles(111) == ["Bundled", "Guild A's"]
    assert await titles(222) == ["Bundled"]


async def test_after_the_upgrade_readers_read_and_resume_as_before(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    with _database_at(path, 13) as connection:
        connection.execute(
            "INSERT INTO story (id, source_key, content_hash, title, author, summary, rating, "
            "status, language, source, chapter_count, word_count, page_count, created_at, "
            "updated_at) VALUES (1, 'k', 'h', 'Clockwork', 'Wren', '', 'General Audiences', "
            "'complete', 'en', '', 1, 5, 1, '', '')"
        )
        connection.execute(
            "INSERT INTO chapter (id, story_id, number, title, text, notes_before, notes_after, "
            "word_count, page_count, pages_before) VALUES "
            "(1, 1, 1, 'One', 'She oiled the gear.', '', '', 4, 1, 0)"
        )
        connection.execute(
            "INSERT INTO page (chapter_id, number, start_offset, end_offset) VALUES (1, 1, 0, 19)"
        )
        connection.execute("INSERT INTO reader (user_id, mature_in_dms) VALUES (1, 1)")
        connection.execute(
            "INSERT INTO reading_progress (user_id, story_id, chapter_number, page_number, "
            "updated_at) VALUES (1, 1, 1, 1, '')"
        )
    connection.close()
    store = await Store.open(path)
    try:
        assert await store.preferences(1) == Preferences()
        assert (await store.page(ANYONE, 1, 1, 1)).preferences == Preferences()
        assert (await store.last_bookmark(ANYONE)).part == 1  # type: ignore[union-attr]
        assert await store.mature_in_dms(1)
    finally:
        await store.close()


async def _save_part(
    store: Store, title: str, part: int | None, rating: Rating = Rating.TEEN, **where: int
) -> int:
    draft = replace(_draft(title), series="Keepers", series_part=part, rating=rating)
    saved = await store.save_story(
        draft, source_key=title, content_hash=title, page_size=900, **where
    )
    return saved[1]


async def test_a_series_keeps_its_parts_in_order_and_the_next_part_is_one_the_reader_may_see(
    store: Store,
) -> None:
    first = await _save_part(store, "One", 1)
    await _save_part(store, "Three", 3)
    await _save_part(store, "Two (Mature)", 2, Rating.MATURE)
    await _save_part(store, "Two (another server's)", 2, guild_id=222)
    await _save_part(store, "Unnumbered", None)
    await store.save_story(_draft("Alone"), source_key="alone", content_hash="a", page_size=900)
    story = await store.story(ANYONE, first)
    assert (story.series, story.series_part) == ("Keepers", 1)

    normal = Viewer(1, 111, age_restricted_ok=False)
    following = await store.next_in_series(normal, await store.story(normal, first))
    assert following is not None and following.title == "Three"
    assert (await store.next_in_series(ANYONE, story)).title == "Two (Mature)"
    assert await store.next_in_series(ANYONE, await store.story(ANYONE, first + 1)) is None

    listed, total = await store.browse(
        ANYONE, BrowseFilters(series="keepers", sort="length"), offset=0, limit=8
    )
    assert [s.title for s in listed] == ["One", "Two (Mature)", "Three", "Unnumbered"]
    assert total == 4
    assert await store.series_like(normal, "eep") == ["Keepers"]
    assert await store.series_like(normal, "alone") == []
