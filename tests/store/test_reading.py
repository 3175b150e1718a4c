"""Reader queries on a real SQLite file: pages, finding stories, bookmarks, browsing, search."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.access import Changer, Hidden, StoryHidden, Viewer
from bot.library.model import ChapterDraft, Rating, Status, StoryDraft, TagKind
from bot.store import BrowseFilters, PageLength, Preferences, Store
from bot.store.browsing import HIT_END, HIT_START
from bot.store.database import Dialect, Transaction
from bot.store.postgres import PostgresDatabase
from bot.store.postgres import _arguments as postgres_arguments
from tests.conftest import ANYONE, Clock
from tests.samples import database

PARAGRAPH = "The lantern swung over the quiet harbour while the gulls slept. " * 6


def _story(title: str, rating: Rating = Rating.GENERAL, **kwargs: object) -> StoryDraft:
    chapters = (
        ChapterDraft("Arrival", "\n\n".join([PARAGRAPH] * 8), notes_before="A/N: hello"),
        ChapterDraft(
            "Departure",
            "\n\n".join([PARAGRAPH] * 3 + ["The ship left at dawn."]),
            notes_after="Thanks for reading!",
        ),
    )
    return StoryDraft(title=title, chapters=chapters, rating=rating, **kwargs)  # type: ignore[arg-type]


async def _add(store: Store, draft: StoryDraft, guild_id: int | None = None) -> int:
    _, story_id = await store.save_story(
        draft, source_key=draft.title, content_hash=draft.title, guild_id=guild_id, page_size=800
    )
    return story_id


async def test_pages_carry_notes_only_at_the_chapter_edges(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    first = await store.page(ANYONE, story_id, 1, 1)
    assert first is not None
    assert first.notes_before == "A/N: hello"
    assert first.page_count > 2
    middle = await store.page(ANYONE, story_id, 1, 2)
    assert middle is not None
    assert (middle.notes_before, middle.notes_after) == ("", "")
    last = await store.page(ANYONE, story_id, 2, 0)
    assert last is not None
    assert last.number == last.page_count
    assert last.notes_after == "Thanks for reading!"
    assert last.text.endswith("The ship left at dawn.")
    assert last.pages_read == last.story_pages


async def test_a_page_past_the_end_is_the_last_and_a_missing_chapter_is_none(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    last = await store.page(ANYONE, story_id, 1, 0)
    beyond = await store.page(ANYONE, story_id, 1, 999)
    assert beyond == last
    with pytest.raises(StoryHidden) as missing:
        await store.page(ANYONE, story_id, 3, 1)
    assert missing.value.why is Hidden.CHAPTER_GONE


async def test_pages_joined_are_the_whole_chapter(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    first = await store.page(ANYONE, story_id, 1, 1)
    assert first is not None
    pages = [await store.page(ANYONE, story_id, 1, n) for n in range(1, first.page_count + 1)]
    assert (
        "\n\n".join(page.text for page in pages if page) == (await store.chapter_texts(story_id))[0]
    )


async def test_find_stories_ranks_title_prefix_first_and_hides_what_is_not_allowed(
    store: Store,
) -> None:
    await _add(store, _story("The Long Harbour"))
    await _add(store, _story("Harbour Lights"))
    await _add(store, _story("Harbour After Dark", Rating.EXPLICIT))
    await _add(store, _story("Elsewhere", author="Harbour Writer"))
    found = await store.find_stories(Viewer(0, None, False), "harb")
    assert [s.title for s in found] == ["Harbour Lights", "The Long Harbour", "Elsewhere"]
    found = await store.find_stories(Viewer(0, None, True), "harb")
    assert [s.title for s in found][:2] == ["Harbour After Dark", "Harbour Lights"]
    assert await store.find_stories(Viewer(0, None, True), "100%_") == []


async def test_find_stories_by_a_word_start_then_by_any_run_of_three(store: Store) -> None:
    await _add(store, _story("A Bridge Of Crowns", author="Élodie Marsh"))
    await _add(store, _story('Harbour "Lights"'))

    async def titles(typed: str) -> list[str]:
        return [s.title for s in await store.find_stories(Viewer(0, None, True), typed)]

    assert await titles("br") == ["A Bridge Of Crowns"]
    assert await titles("ri") == []  # two letters inside a word would match nearly everything
    assert await titles("rid") == ["A Bridge Of Crowns"]
    assert await titles("el") == ["A Bridge Of Crowns"]  # the author, accents or not
    assert await titles('"li') == ['Harbour "Lights"']
    assert await titles("") == ["A Bridge Of Crowns", 'Harbour "Lights"']
    assert await titles("!?") == []


async def test_find_stories_follows_an_edited_title_and_a_story_gone(store: Store) -> None:
    story_id = await _add(store, _story("Harbour Lights"), guild_id=1)
    details = StoryDraft(title="Quiet Waters", author="Someone", chapters=())
    await store.edit_story(story_id, Changer(1, 5, True), details)
    assert [s.id for s in await store.find_stories(Viewer(0, 1, True), "quiet")] == [story_id]
    assert await store.find_stories(Viewer(0, 1, True), "harbour") == []
    async with database(store).transaction() as tx:
        await tx.execute("DELETE FROM story WHERE id = ?", (story_id,))
    assert await store.find_stories(Viewer(0, 1, True), "qu") == []


async def test_stories_tagged_follow_the_tags_written_replaced_edited_and_deleted(
    store: Store, tmp_path: Path
) -> None:
    tags = {TagKind.CHARACTER: ("Kurt Hummel",), TagKind.FREEFORM: ("Klaine",)}
    first = _story("First", tags=tags, warnings=("Major Character Death",))
    await _add(store, first)
    second = await _add(store, _story("Second", tags={TagKind.FREEFORM: ("klaine",)}), guild_id=1)

    async def tagged(typed: str) -> list[tuple[str, str]]:
        return [(s.title, s.tag) for s in await store.stories_tagged(Viewer(0, 1, True), typed)]

    assert await tagged("laine") == [("First", "Klaine"), ("Second", "Klaine")]  # any case
    assert await tagged("kl") == [("First", "Klaine"), ("Second", "Klaine")]  # the name's start
    assert await tagged("hummel") == [("First", "Kurt Hummel")]
    assert await tagged("death") == []  # archive warnings are not what readers look for
    await store.save_story(
        _story("First", tags={TagKind.FANDOM: ("Glee",)}),
        source_key="First",
        content_hash="replaced",
        page_size=800,
    )
    assert await tagged("hummel") == []
    assert await tagged("klaine") == [("Second", "Klaine")]
    assert await tagged("glee") == [("First", "Glee")]
    edited = StoryDraft(
        title="Second",
        author="Someone",
        chapters=(),
        rating=Rating.GENERAL,
        warnings=("Graphic Depictions Of Violence",),
        tags={TagKind.FREEFORM: ("Klaine",)},
    )
    await store.edit_story(second, Changer(1, 5, True), edited)
    assert await tagged("klaine") == [("Second", "Klaine")]
    async with database(store).transaction() as tx:
        await tx.execute("DELETE FROM story WHERE id = ?", (second,))
    assert await tagged("klaine") == []
    names = await database(store).fetch_all("SELECT name FROM tag_name")
    assert [name for (name,) in names] == ["Glee"]
    if store.dialect is Dialect.SQLITE:  # the index holds exactly the names there are
        async with database(store).transaction() as tx:
            await tx.execute(
                "INSERT INTO tag_name_fts (tag_name_fts, rank) VALUES ('integrity-check', 1)"
            )


async def test_authors_like_ranks_the_name_start_then_a_word_then_anywhere(store: Store) -> None:
    for title, author in (("One", "Joanne"), ("Two", "Mary Anne"), ("Three", "Anne Marsh")):
        await _add(store, _story(title, author=author))
    await _add(store, _story("Four", author="anne marsh"))  # the same author, written otherwise
    await _add(store, _story("Five", Rating.EXPLICIT, author="Annelise"))
    viewer = Viewer(0, None, False)
    assert await store.authors_like(viewer, "anne") == ["Anne Marsh", "Mary Anne", "Joanne"]
    assert await store.authors_like(viewer, "an") == ["Anne Marsh", "Mary Anne"]  # word starts
    assert await store.authors_like(viewer, "") == ["Anne Marsh", "Joanne", "Mary Anne"]
    assert await store.author_named(viewer, "ANNE MARSH") == "Anne Marsh"
    assert await store.author_named(viewer, "Annelise") is None  # rated Explicit
    assert await store.author_named(Viewer(0, None, True), "annelise") == "Annelise"
    assert await store.authors_sharing_word_starts(viewer, "Mari Ann") == [
        "Anne Marsh",
        "Mary Anne",
    ]


async def test_visible_story_takes_an_id_or_a_title_but_only_from_here(store: Store) -> None:
    ours = await _add(store, _story("Ours"), guild_id=1)
    assert (await store.story_named(Viewer(0, 1, True), str(ours))).title == "Ours"  # type: ignore[union-attr]
    assert (await store.story_named(Viewer(0, 1, True), "ours")).id == ours  # type: ignore[union-attr]
    assert await store.story_named(Viewer(0, 2, True), str(ours)) is None
    assert await store.story_named(Viewer(0, None, True), "Ours") is None


async def test_bookmarks_newest_first_with_progress(tmp_path: Path, clock: Clock) -> None:
    store = await Store.open(tmp_path / "clocked.db", clock=clock)
    reader = Viewer(7, None, True)
    try:
        first = await _add(store, _story("First"))
        second = await _add(store, _story("Second"))
        await store.save_bookmark(7, second, 1, 1, move=True)
        clock.now += timedelta(seconds=5)
        await store.save_bookmark(7, first, 2, 1, move=True)
        marks = await store.bookmarks(reader)
        assert [m.story_title for m in marks] == ["First", "Second"]
        assert (await store.last_bookmark(reader)).story_id == first  # type: ignore[union-attr]
        clock.now += timedelta(seconds=5)
        await store.save_bookmark(7, second, 1, 2, move=True)
        assert (await store.last_bookmark(reader)).story_id == second  # type: ignore[union-attr]
        by_story = {m.story_title: m for m in marks}
        assert by_story["First"].pages_read > by_story["Second"].pages_read
        assert await store.clear_bookmarks(7, [first]) == 1
        assert [m.story_title for m in await store.bookmarks(reader)] == ["Second"]
        assert await store.clear_bookmarks(8, [second]) == 0  # another reader's places stay
        assert await store.clear_bookmarks(7, [second]) == 1
        assert await store.bookmarks(reader) == []
    finally:
        await store.close()


async def test_browse_filters_and_sorts(store: Store) -> None:
    await _add(store, _story("Zebra", tags={TagKind.FANDOM: ("Glee",)}, status=Status.IN_PROGRESS))
    await _add(store, _story("Apple", tags={TagKind.FREEFORM: ("Fluff",)}, author="Ann"))
    await _add(store, _story("Mature One", Rating.MATURE, tags={TagKind.FANDOM: ("Glee",)}))
    stories, total = await store.browse(Viewer(0, None, False), BrowseFilters(), offset=0, limit=10)
    assert ([s.title for s in stories], total) == (["Apple", "Zebra"], 2)
    stories, total = await store.browse(
        Viewer(0, None, True), BrowseFilters(tag="glee"), offset=0, limit=1
    )
    assert ([s.title for s in stories], total) == (["Mature One"], 2)
    stories, _ = await store.browse(
        Viewer(0, None, True), BrowseFilters(status="in progress"), offset=0, limit=10
    )
    assert [s.title for s in stories] == ["Zebra"]
    stories, _ = await store.browse(
        Viewer(0, None, True), BrowseFilters(author="ann"), offset=0, limit=10
    )
    assert [s.title for s in stories] == ["Apple"]
    query = await store.save_browse_filters(5, BrowseFilters(tag="Glee", sort="updated"))
    assert await store.save_browse_filters(5, BrowseFilters(tag="Glee", sort="updated")) == query
    assert await store.browse_filters(5, query) == BrowseFilters(tag="Glee", sort="updated")
    assert await store.browse_filters(6, query) is None  # typed in another server
    assert await store.browse_filters(None, query) is None


_ODD_QUERIES = ['"unclosed', "NEAR(", "dawn AND", "*", "left: dawn -", "^ship", "gulls' OR"]


@pytest.mark.parametrize(
    "typed",
    [
        '"ship left at dawn',
        'ship left at dawn"',
        "(ship left at dawn",
        "ship* left: at -dawn",
        "^ship + left - at dawn.",
        "SHIP Left AT dawn!",
    ],
)
async def test_any_typed_query_is_valid_fts_and_finds_its_words(store: Store, typed: str) -> None:
    """What a reader types is never FTS5 syntax: stray quotes, brackets and operators neither
    fail the search nor stop it finding the words typed, as a phrase or one by one."""
    story_id = await _add(store, _story("Harbour"))
    await _add(store, _story("Lighthouse"))
    for every_word in (False, True):
        hits = await store.search(Viewer(0, None, False), typed, every_word=every_word, limit=5)
        found = [(hit.story_id, hit.chapter_number) for hit in hits]
        assert found == [(story_id, 2), (story_id + 1, 2)], every_word


@pytest.mark.parametrize(
    "typed", ["NEAR(the rocks", "rocks AND not", "NOT far", "OR so", "so they*"]
)
async def test_fts_operators_typed_are_words_of_the_text(store: Store, typed: str) -> None:
    text = "They sailed near the rocks and not far from shore, or so they said."
    draft = StoryDraft(
        title="Near And Far", chapters=(ChapterDraft("Only", text),), rating=Rating.GENERAL
    )
    story_id = await _add(store, draft)
    await _add(store, _story("Harbour"))
    for every_word in (False, True):
        hits = await store.search(Viewer(0, None, False), typed, every_word=every_word, limit=5)
        assert [hit.story_id for hit in hits] == [story_id], every_word


async def test_a_phrase_needs_its_words_in_order_and_all_words_do_not(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    viewer = Viewer(0, None, False)
    assert await store.search(viewer, "dawn at left ship", limit=5) == []
    hits = await store.search(viewer, "dawn at left ship", every_word=True, limit=5)
    assert [(hit.story_id, hit.chapter_number) for hit in hits] == [(story_id, 2)]
    assert await store.search(viewer, "ship left at midnight", every_word=True, limit=5) == []


async def test_any_typed_query_is_searched_for_in_any_of_its_words_forms(store: Store) -> None:
    await _add(store, _story("Harbour"))
    for typed in _ODD_QUERIES:  # never a syntax error, whatever was typed (/search refuses "")
        for every_word in (False, True):
            await store.search(ANYONE, typed, every_word=every_word, limit=5)
    assert await store.search(ANYONE, "gull lanterns harbours", every_word=True, limit=5)
    (hit,) = await store.search(ANYONE, "over the quiet harbours", limit=5)
    assert f"{HIT_START}over the quiet harbour{HIT_END}" in hit.snippet


async def test_search_finds_the_page_with_the_phrase(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    hits = await store.search(Viewer(0, None, False), "ship left at dawn", limit=5)
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.story_id, hit.chapter_number) == (story_id, 2)
    page = await store.page(ANYONE, story_id, 2, hit.page_number)
    assert page is not None
    assert "The ship left at dawn." in page.text
    assert f"{HIT_START}ship left at dawn{HIT_END}" in hit.snippet


async def test_a_match_deep_in_a_long_chapter_is_shown(
    store: Store,
) -> None:
    text = "\n\n".join(
        ["The lantern was dim.", *[PARAGRAPH] * 12, "A lantern glowed beneath the bridge."]
    )
    draft = StoryDraft(title="Bridge", chapters=(ChapterDraft("Night", text),))
    story_id = await _add(store, draft)
    for typed, shown in (
        ("glowed beneath", "glowed beneath"),  # its first word only there
        ("lantern glowed", "lantern glowed"),  # its first word alone at the start too
    ):
        (hit,) = await store.search(ANYONE, typed, limit=5)
        assert (hit.story_id, hit.chapter_number) == (story_id, 1)
        assert f"{HIT_START}{shown}{HIT_END}" in hit.snippet, typed
        assert "the bridge" in hit.snippet


async def test_a_phrase_is_marked_and_opened_where_it_stands_not_where_one_of_its_words_does(
    store: Store,
) -> None:
    """The phrase's first word stands alone at the end of a page, the phrase at the start of
    the next, both in the snippet: the hit opens the phrase's page, marked there alone."""
    pages = [PARAGRAPH * 2 + "A gull watched the old ship.", "Then the ship left at dawn."]
    draft = StoryDraft(title="Harbour", chapters=(ChapterDraft("One", "\n\n".join(pages)),))
    story_id = await _add(store, draft)
    (hit,) = await store.search(ANYONE, "ship left", limit=5)
    page = await store.page(ANYONE, story_id, 1, hit.page_number)
    assert page is not None
    assert "Then the ship left at dawn." in page.text
    assert "old ship" not in page.text  # it was on the page before
    assert f"the {HIT_START}ship left{HIT_END} at dawn" in hit.snippet
    assert hit.snippet.count(HIT_START) == 1


async def test_a_rare_phrase_of_common_words_costs_no_more_in_a_library_ten_times_larger(
    store: Store,
) -> None:
    """Where the words of a phrase stand apart in every chapter but one: the chapters holding
    them apart are not read (on PostgreSQL, whose index of words holds no positions, they would
    be), so the search costs the same in a larger library."""
    cost = _steps if store.dialect is Dialect.SQLITE else _blocks
    apart = "All of them know the way home, and all is well. " * 20

    async def add_apart(count: int) -> None:
        for _ in range(count):
            chapters = (ChapterDraft("One", apart),)
            await _add(store, StoryDraft(title=f"Apart {next(titles)}", chapters=chapters))
        async with database(store).transaction() as tx:
            await tx.execute("ANALYZE")  # as a growing library is, by autovacuum on PostgreSQL

    titles = itertools.count()
    together = await _add(
        store, StoryDraft(title="Together", chapters=(ChapterDraft("One", "They know all."),))
    )

    async def search() -> None:
        hits = await store.search(ANYONE, "know all", limit=5)
        assert [hit.story_id for hit in hits] == [together]

    await add_apart(20)
    small = await cost(store, search)
    await add_apart(180)
    large = await cost(store, search)
    assert large < 1.5 * small + 10, (small, large)


async def test_search_lists_each_story_once_at_its_first_matching_chapter(store: Store) -> None:
    first = await _add(store, _story("Harbour"))
    second = await _add(store, _story("Lighthouse"))
    hits = await store.search(Viewer(0, None, False), "quiet harbour", limit=5)
    assert [(hit.story_id, hit.chapter_number, hit.page_number) for hit in hits] == [
        (first, 1, 1),
        (second, 1, 1),
    ]
    only_one = await store.search(Viewer(0, None, False), "gulls slept", limit=1)
    assert [hit.story_id for hit in only_one] == [first]


async def test_search_follows_chapters_added_replaced_and_removed(store: Store) -> None:
    async def found(words: str) -> list[tuple[int, int]]:
        hits = await store.search(Viewer(0, 1, True), words, limit=5)
        return [(hit.story_id, hit.chapter_number) for hit in hits]

    uploaded = await _add(store, _story("Lighthouse"), guild_id=1)
    await store.append_chapters(
        uploaded,
        Changer(1, 5, True),
        (ChapterDraft("Return", "The whales came back in spring."),),
        content_hash="more",
        page_size=800,
    )
    assert await found("whales came back") == [(uploaded, 3)]
    bundled = await _add(store, _story("Harbour"))
    assert await found("ship left at dawn") == [(uploaded, 2), (bundled, 2)]
    replaced = StoryDraft(title="Harbour", chapters=(ChapterDraft("Only", "Fog rolled in."),))
    await store.save_story(replaced, source_key="Harbour", content_hash="new", page_size=800)
    assert await found("fog rolled in") == [(bundled, 1)]
    assert await found("ship left at dawn") == [(uploaded, 2)]
    if store.dialect is not Dialect.SQLITE:
        return  # PostgreSQL's index is a column of the chapter: it holds what the chapter does
    async with database(store).transaction() as tx:  # the index holds the chapters there are
        await tx.execute(
            "INSERT INTO chapter_fts (chapter_fts, rank) VALUES ('integrity-check', 1)"
        )


async def test_bookmarks_saved_at_the_same_moment_are_all_kept(store: Store) -> None:
    first = await _add(store, _story("First"))
    second = await _add(store, _story("Second"))
    gone = second + 100
    await asyncio.gather(
        *(
            store.save_bookmark(user, first, 1, page, move=True)
            for user in (1, 2)
            for page in (1, 2, 3)
        ),
        store.save_bookmark(1, second, 2, 1, move=True),
        store.save_bookmark(1, gone, 1, 1, move=True),
    )
    marks = {
        (user, m.story_title): m
        for user in (1, 2)
        for m in await store.bookmarks(Viewer(user, None, True))
    }
    assert sorted(marks) == [(1, "First"), (1, "Second"), (2, "First")]
    assert marks[1, "First"].page_number == 3
    assert marks[2, "First"].page_number == 3
    assert marks[1, "Second"].chapter_number == 2


async def test_a_failed_batch_fails_its_own_writers_only(store: Store) -> None:
    story_id = await _add(store, _story("First"))
    broken = "INSERT INTO no_such_table VALUES (?)"
    results = await asyncio.gather(
        database(store).write_in_batch(broken, (1,)),
        database(store).write_in_batch(broken, (2,)),
        return_exceptions=True,
    )
    assert all("no_such_table" in str(result) for result in results), results
    await store.save_bookmark(1, story_id, 2, 1, move=True)
    assert [m.chapter_number for m in await store.bookmarks(Viewer(1, None, True))] == [2]


async def test_a_readers_place_is_committed_without_waiting_for_the_disk_alone(
    store: Store,
) -> None:
    """A page turn's place is not worth a wait for the disk (a power cut may lose the last
    moment's), a setting is: on PostgreSQL each transaction says so (`synchronous_commit`); SQLite
    commits every one without waiting (WAL, `synchronous = NORMAL`, 1)."""
    story_id = await _add(store, _story("First"))
    db = database(store)
    transaction = db.transaction
    setting = (
        "PRAGMA synchronous"
        if store.dialect is Dialect.SQLITE
        else "SELECT current_setting('synchronous_commit')"
    )
    seen = []

    @contextlib.asynccontextmanager
    async def watched(*, durable: bool = True) -> AsyncIterator[Transaction]:
        async with transaction(durable=durable) as tx:
            seen.append(await tx.scalar(setting))
            yield tx

    db.transaction = watched  # type: ignore[method-assign]
    try:
        await store.save_bookmark(1, story_id, 2, 1, move=True)
        await store.set_mature_in_dms(1, True)
    finally:
        del db.transaction
    assert seen == ([1, 1] if store.dialect is Dialect.SQLITE else ["off", "on"])
    assert [m.chapter_number for m in await store.bookmarks(Viewer(1, None, True))] == [2]


async def _add_alike(store: Store, count: int, guild_id: int | None = None) -> None:
    """`count` more one-chapter stories that all match "kur" by title, author and tags: the worst
    case for a lookup, written straight to the tables (as an import would, but faster)."""
    async with database(store).transaction() as tx:
        first = await tx.scalar("SELECT ifnull(max(id), 0) + 1 FROM story")
        ids = range(first, first + count)
        await tx.execute_many(
            """
            INSERT INTO story (id, guild_id, source_key, content_hash, title, author, summary,
                rating, status, language, source, chapter_count, word_count, page_count,
                created_at, updated_at)
            VALUES (:id, :guild, :source, '', :title, :author, '',
                'General Audiences', 'complete', 'en', '', 1, 1, 1, '', '')
            """,
            [
                {
                    "id": story_id,
                    "guild": guild_id,
                    "source": str(story_id),
                    "title": f"Kurt Story {story_id}",
                    "author": f"Kurt Writer {story_id % 50}",
                }
                for story_id in ids
            ],
        )
        await tx.execute_many(
            "INSERT INTO story_tag (story_id, kind, name, position) VALUES (?, ?, ?, 0)",
            [
                (story_id, kind, name)
                for story_id in ids
                for kind, name in (("character", "Kurt Hummel"), ("freeform", f"Kurt {story_id}"))
            ],
        )


async def _steps(store: Store, lookup: Callable[[], Awaitable[object]]) -> int:
    """How many hundred steps of SQLite's virtual machine a lookup takes, counted on the
    connections it reads from: a measure of its work that, unlike time, is the same every run."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    readers = database(store)._readers  # what a query costs is counted where it runs
    for reader in readers:
        await reader.set_progress_handler(step, 100)
    await lookup()
    for reader in readers:
        await reader.set_progress_handler(None, 0)  # type: ignore[arg-type]
    return steps


async def test_nothing_typed_suggests_stories_here_however_many_other_servers_add(
    store: Store,
) -> None:
    await _add(store, _story("Ours", author="Wren"), guild_id=1)
    await _add(store, _story("Bundled"))
    await _add_alike(store, 300, guild_id=2)
    here = Viewer(0, 1, True)
    assert [s.title for s in await store.find_stories(here, "")] == ["Bundled", "Ours"]
    assert [s.title for s in await store.find_stories(here, "", changer=Changer(1, 0, True))] == [
        "Ours"
    ]
    assert await store.authors_like(here, "") == ["Unknown", "Wren"]
    assert [s.title for s in await store.find_stories(Viewer(0, None, True), "")] == ["Bundled"]


_LOOKUPS: dict[str, Callable[[Store], Awaitable[object]]] = {
    "nothing typed": lambda store: store.find_stories(ANYONE, ""),
    "a word start": lambda store: store.find_stories(ANYONE, "ku"),
    "a run of three": lambda store: store.find_stories(ANYONE, "kur"),
    "a typo's candidates": lambda store: store.stories_sharing_word_starts(ANYONE, "kurt"),
    "a tag's start": lambda store: store.stories_tagged(ANYONE, "ku"),
    "a run of three of a tag": lambda store: store.stories_tagged(ANYONE, "kur"),
    "authors, nothing typed": lambda store: store.authors_like(ANYONE, ""),
    "an author's word start": lambda store: store.authors_like(ANYONE, "ku"),
    "a run of three of an author": lambda store: store.authors_like(ANYONE, "kur"),
    "no author of that name": lambda store: store.author_named(ANYONE, "Kurt Writer 50"),
    "an author's typo candidates": lambda store: store.authors_sharing_word_starts(ANYONE, "kurt"),
}


async def _blocks(store: Store, lookup: Callable[[], Awaitable[object]]) -> int:
    """How many of PostgreSQL's blocks (pages of tables and indexes) the lookup's statements
    touch, as EXPLAIN (ANALYZE, BUFFERS) counts them: the same every run, as steps are."""
    db = database(store)
    assert isinstance(db, PostgresDatabase)
    ran: list[tuple[str, Any]] = []
    fetch_all = db.fetch_all

    async def counted(sql: str, params: Any = ()) -> list[Any]:
        ran.append((sql, params))
        return await fetch_all(sql, params)

    db.fetch_all = counted  # type: ignore[method-assign]
    try:
        await lookup()
    finally:
        del db.fetch_all
    blocks = 0
    for sql, params in ran:
        text, values = postgres_arguments(sql, params)
        explained = await db._pool.fetchval(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, *values
        )
        plan = json.loads(explained)[0]["Plan"]
        blocks += plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
    return blocks


@pytest.mark.parametrize("lookup", _LOOKUPS)
async def test_a_lookup_costs_no_more_in_a_library_ten_times_larger(
    store: Store, lookup: str
) -> None:
    cost = _steps if store.dialect is Dialect.SQLITE else _blocks
    await _add_alike(store, 400)
    small = await cost(store, lambda: _LOOKUPS[lookup](store))
    await _add_alike(store, 3600)
    large = await cost(store, lambda: _LOOKUPS[lookup](store))
    assert large < 1.5 * small + 10, (small, large)


async def test_suggested_tags_are_those_of_stories_the_viewer_may_see(store: Store) -> None:
    await _add(
        store,
        _story(
            "Apple",
            tags={TagKind.FREEFORM: ("Fluff", "Found Family", "100% Fluff")},
            warnings=("Major Character Death",),
        ),
    )
    await _add(store, _story("Mature One", Rating.MATURE, tags={TagKind.FREEFORM: ("Forbidden",)}))
    await _add(store, _story("Ours", tags={TagKind.FREEFORM: ("Fjords",)}), guild_id=5)
    assert await store.tags_like(Viewer(0, None, False), "f") == ["Fluff", "Found Family"]
    assert await store.tags_like(Viewer(0, 5, True), "F") == [
        "Fjords",
        "Fluff",
        "Forbidden",
        "Found Family",
    ]
    assert await store.tags_like(Viewer(0, None, True), "Major") == []  # a warning is no tag
    assert await store.tags_like(Viewer(0, None, True), "100%") == ["100% Fluff"]
    assert await store.tags_like(Viewer(0, None, True), "_00") == []


async def test_at_most_25_suggestions_places_and_tags_by_default(store: Store) -> None:
    tags = tuple(f"Tag {n:02}" for n in range(30))
    for n in range(30):
        story_id = await _add(store, _story(f"Harbour {n:02}", tags={TagKind.FREEFORM: tags}))
        await store.save_bookmark(7, story_id, 1, 1, move=True)
    everything = Viewer(7, None, True)
    assert [s.title for s in await store.find_stories(everything, "harbour")] == [
        f"Harbour {n:02}" for n in range(25)
    ]
    assert len(await store.bookmarks(everything)) == 25
    assert await store.tags_like(everything, "tag") == list(tags[:25])


async def test_a_typed_nul_is_ignored_and_a_huge_number_is_a_title(store: Store) -> None:
    ours = await _add(store, _story("Ours"), guild_id=1)
    here = Viewer(0, 1, True)
    assert [s.id for s in await store.find_stories(here, "Ou\x00rs")] == [ours]
    assert (await store.story_named(here, "Ou\x00rs\x00")).id == ours  # type: ignore[union-attr]
    for typed in ("9" * 19, "9" * 30, str(2**63 - 1)):
        assert await store.story_named(here, typed) is None
    assert (await store.story_named(here, f" {ours} ")).id == ours  # type: ignore[union-attr]


async def test_a_servers_own_stories_can_be_looked_for_alone(store: Store) -> None:
    ours = await _add(store, _story("Harbour Ours"), guild_id=1)
    bundled = await _add(store, _story("Harbour Bundled"))
    here = Viewer(0, 1, True)
    assert [s.id for s in await store.find_stories(here, "harbour")] == [bundled, ours]
    assert [
        s.id for s in await store.find_stories(here, "harbour", changer=Changer(1, 0, True))
    ] == [ours]


async def test_a_hidden_story_says_why_to_the_caller(store: Store) -> None:
    dark = await _add(store, _story("Dark", Rating.EXPLICIT))
    ours = await _add(store, _story("Ours"), guild_id=1)
    for viewer, in_dms in ((Viewer(7, None, False), True), (Viewer(7, 1, False), False)):
        with pytest.raises(StoryHidden) as restricted:
            await store.page(viewer, dark, 1, 1)
        hidden = restricted.value
        assert (hidden.why, hidden.rating, hidden.in_dms) == (
            Hidden.AGE_RESTRICTED,
            Rating.EXPLICIT,
            in_dms,
        )
    await store.save_bookmark(7, dark, 1, 1, move=True)
    with pytest.raises(StoryHidden) as restricted:
        await store.last_bookmark(Viewer(7, 1, False))
    assert (restricted.value.why, restricted.value.in_dms) == (Hidden.AGE_RESTRICTED, False)
    with pytest.raises(StoryHidden) as elsewhere:
        await store.page(Viewer(7, 2, True), ours, 1, 1)
    assert (elsewhere.value.why, elsewhere.value.rating) == (Hidden.GONE, None)
    await store.remove_story(ours, Changer(1, 5, True))
    with pytest.raises(StoryHidden) as removed:
        await store.page(Viewer(7, 1, True), ours, 1, 1)
    assert removed.value.why is Hidden.GONE
    await store.save_bookmark(8, ours, 1, 1, move=True)
    with pytest.raises(StoryHidden) as was_reading:
        await store.last_bookmark(Viewer(8, 1, True))
    assert (was_reading.value.why, was_reading.value.title) == (Hidden.REMOVED, "Ours")


async def test_a_place_moves_with_the_reader_and_counts_pages_read(store: Store) -> None:
    first = await _add(store, _story("First"))
    second = await _add(store, _story("Second"))
    reader = Viewer(7, None, True)
    await store.save_bookmark(7, first, 1, 2, move=True)
    await store.save_bookmark(7, first, 2, 1, move=True)
    await store.save_bookmark(7, second, 1, 99, move=True)  # past a shortened chapter's end
    chapter_one = await store.page(reader, first, 1, 1)
    place = await store.last_bookmark(reader, first)
    assert place is not None
    assert (place.story_id, place.chapter_number, place.page_number) == (first, 2, 1)
    assert place.pages_read == chapter_one.page_count + 1
    beyond = await store.last_bookmark(reader, second)
    assert (beyond.page_number, beyond.pages_read) == (99, chapter_one.page_count)  # type: ignore[union-attr]
    assert await store.last_bookmark(reader, second + 1) is None


async def test_a_storys_chapter_titles_only_where_it_may_be_seen(store: Store) -> None:
    ours = await _add(store, _story("Ours"), guild_id=1)
    dark = await _add(store, _story("Dark", Rating.EXPLICIT))
    assert await store.chapter_titles(Viewer(0, 1, True), ours, 0, 25) == [
        (1, "Arrival"),
        (2, "Departure"),
    ]
    assert await store.chapter_titles(Viewer(0, 1, True), ours, 1, 1) == [(2, "Departure")]
    assert await store.chapter_titles(Viewer(0, 2, True), ours, 0, 25) == []
    assert await store.chapter_titles(Viewer(0, None, False), dark, 0, 25) == []


async def test_browse_by_rating(store: Store) -> None:
    await _add(store, _story("Apple"))
    await _add(store, _story("Teen One", Rating.TEEN))
    stories, total = await store.browse(
        Viewer(0, None, True), BrowseFilters(rating=Rating.TEEN.value), offset=0, limit=10
    )
    assert ([s.title for s in stories], total) == (["Teen One"], 1)


async def test_preferences_are_the_readers_own_and_change_one_at_a_time(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    assert await store.preferences(7) == Preferences(PageLength.STANDARD, notes_shown=True)
    short = await store.set_preferences(7, page_length=PageLength.SHORT)
    assert short == Preferences(PageLength.SHORT, notes_shown=True)
    assert await store.set_preferences(7, notes_shown=False) == Preferences(PageLength.SHORT, False)
    assert await store.set_preferences(7) == Preferences(PageLength.SHORT, False)
    await store.set_mature_in_dms(7, True)  # another of the reader's settings leaves them be
    assert await store.preferences(7) == Preferences(PageLength.SHORT, False)
    assert await store.preferences(8) == Preferences()
    in_a_server = await store.page(Viewer(7, 1, False), story_id, 1, 1)
    assert in_a_server.preferences == Preferences(PageLength.SHORT, False)
    assert (await store.page(Viewer(8, 1, False), story_id, 1, 1)).preferences == Preferences()


async def test_a_place_keeps_the_part_of_its_page(store: Store) -> None:
    story_id = await _add(store, _story("Harbour"))
    reader, other = Viewer(7, None, True), Viewer(8, None, True)
    await store.save_bookmark(7, story_id, 1, 2, part=3, move=True)
    await store.save_bookmark(7, story_id, 1, 1, part=1, move=False)  # a jump: the place stays
    mark = await store.last_bookmark(reader)
    assert (mark.page_number, mark.part) == (2, 3)  # type: ignore[union-attr]
    await store.save_bookmark(7, story_id, 1, 3, part=2, move=True)
    mark = await store.last_bookmark(reader)
    assert (mark.page_number, mark.part) == (3, 2)  # type: ignore[union-attr]
    await store.save_bookmark(8, story_id, 1, 1, move=False)
    assert (await store.last_bookmark(other)).part == 1  # type: ignore[union-attr]
