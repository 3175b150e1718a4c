"""Readers together in the store: kudos counted once, shelves, discussions and digests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.access import Hidden, StoryHidden, Viewer
from bot.library.model import ChapterDraft, Rating, StoryDraft
from bot.shards import Shards
from bot.store import Shelved, Store
from tests.conftest import Clock

CLUB, OTHER_CLUB = 10, 20
READER, READER2, WRITER, MODERATOR = 1, 2, 3, 4
HERE = Viewer(READER, CLUB, False)


def _draft(title: str, rating: Rating = Rating.GENERAL) -> StoryDraft:
    return StoryDraft(
        title=title,
        rating=rating,
        chapters=(ChapterDraft("One", "A harbour at dawn. " * 50), ChapterDraft("Two", "Noon.")),
    )


async def _story(store: Store, title: str = "Harbour", **kw: object) -> int:
    draft = _draft(title, **kw)  # type: ignore[arg-type]
    return await store.add_upload(CLUB, draft, content_hash=title, user_id=MODERATOR, page_size=400)


async def _writers_story(store: Store) -> int:
    submission = await store.submit(CLUB, WRITER, "Wren", _draft("Theirs"), content_hash="t")
    _, published = await store.approve_submission(
        CLUB, submission.id, moderator_id=MODERATOR, page_size=400
    )
    return published.story_id


async def test_kudos_are_one_a_reader_and_counted_on_the_story(store: Store) -> None:
    story_id = await _story(store)
    assert (await store.give_kudos(HERE, story_id)).new
    assert not (await store.give_kudos(HERE, story_id)).new
    assert (await store.give_kudos(Viewer(READER2, CLUB, False), story_id)).new
    assert (await store.story(HERE, story_id)).kudos_count == 2


async def test_kudos_only_where_the_story_may_be_seen(store: Store) -> None:
    mature = await _story(store, "Night", rating=Rating.MATURE)
    with pytest.raises(StoryHidden) as hidden:
        await store.give_kudos(HERE, mature)
    assert hidden.value.why is Hidden.AGE_RESTRICTED
    with pytest.raises(StoryHidden):
        await store.give_kudos(Viewer(READER, OTHER_CLUB, True), mature)  # another server's
    assert (await store.story(Viewer(READER, CLUB, True), mature)).kudos_count == 0


async def test_a_shelf_keeps_each_story_once_a_kind_newest_first(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    first, second = await _story(store, "First"), await _story(store, "Second")
    assert (await store.shelve(HERE, first, Shelved.BOOKMARK, note="x" * 900, public=True)).new
    clock.now += timedelta(minutes=1)
    assert (await store.shelve(HERE, second, Shelved.LATER)).new
    assert not (await store.shelve(HERE, first, Shelved.BOOKMARK, note="kept", public=True)).new
    entries, others = await store.shelf(HERE)
    assert [(e.title, e.kind, e.note) for e in entries] == [
        ("Second", Shelved.LATER, ""),
        ("First", Shelved.BOOKMARK, "kept"),
    ]
    assert others == 0
    assert await store.public_bookmarks(Viewer(READER2, CLUB, False), first) == [(READER, "kept")]
    assert await store.public_bookmarks(Viewer(READER2, OTHER_CLUB, False), first) == []
    assert await store.unshelve(READER, second, Shelved.LATER)
    assert [e.title for e in (await store.shelf(HERE))[0]] == ["First"]


async def test_a_note_is_cut_to_its_limit(store: Store) -> None:
    story_id = await _story(store)
    await store.shelve(HERE, story_id, Shelved.BOOKMARK, note="y" * 900)
    (entry,), _ = await store.shelf(HERE)
    assert len(entry.note) == 500


async def test_the_shelf_says_how_far_the_reader_is(store: Store) -> None:
    story_id = await _story(store)
    await store.shelve(HERE, story_id, Shelved.LATER)
    await store.save_bookmark(READER, story_id, 1, 2, move=True)
    (entry,), _ = await store.shelf(HERE)
    assert (entry.chapter_number, entry.page_number, entry.pages_read) == (1, 2, 2)


async def test_a_chapters_discussion_is_kept_once_and_moves_with_a_new_thread(
    store: Store,
) -> None:
    story_id = await _story(store)
    chapter = await store.chapter(HERE, story_id, 2)
    assert (chapter.number, chapter.title, chapter.story_title) == (2, "Two", "Harbour")
    with pytest.raises(StoryHidden) as gone:
        await store.chapter(HERE, story_id, 3)
    assert gone.value.why is Hidden.CHAPTER_GONE
    with pytest.raises(StoryHidden):
        await store.chapter(Viewer(READER, OTHER_CLUB, False), story_id, 2)  # another server's
    assert await store.discussion_thread(CLUB, chapter.id) is None
    await store.set_discussion_thread(CLUB, chapter, 555)
    await store.set_discussion_thread(CLUB, chapter, 556)  # the first was deleted
    assert await store.discussion_thread(CLUB, chapter.id) == 556
    assert await store.discussion_thread(OTHER_CLUB, chapter.id) is None
    assert await store.story_threads(CLUB, story_id) == [556]
    assert await store.discussion_threads(Shards(2, (0,))) == {556}  # CLUB is on shard 0
    assert await store.discussion_threads(Shards(2, (1,))) == set()


async def test_a_digest_is_due_for_news_and_not_again_within_the_day(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    theirs = await _writers_story(store)
    day_ago = lambda: (clock.now - timedelta(days=1)).isoformat(timespec="seconds")  # noqa: E731
    assert await store.due_digests(day_ago()) == []
    await store.give_kudos(HERE, theirs)
    await store.give_kudos(Viewer(READER2, CLUB, False), theirs)
    chapter = await store.chapter(HERE, theirs, 1)
    await store.set_discussion_thread(CLUB, chapter, 777)
    await store.count_discussion_message(777)
    await store.flush()
    (digest,) = await store.due_digests(day_ago())
    assert (digest.guild_id, digest.author_id, digest.lines) == (CLUB, WRITER, (("Theirs", 2, 1),))
    await store.digest_sent(digest)
    clock.now += timedelta(hours=1)
    await store.give_kudos(Viewer(MODERATOR, CLUB, False), theirs)
    assert await store.due_digests(day_ago()) == []  # heard an hour ago
    clock.now += timedelta(days=1)
    (later,) = await store.due_digests(day_ago())
    assert later.lines == (("Theirs", 1, 0),)  # only what came since
