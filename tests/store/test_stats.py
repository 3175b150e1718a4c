"""The reading figures on both stores: counted with each page turn, distinct readers rolled up
once a day is over (and who they were forgotten), a story's drop-off from readers' places."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.access import Changer, Viewer
from bot.library.model import ChapterDraft, StoryDraft
from bot.store import Store
from tests.conftest import Clock

GUILD = 500
OTHER_GUILD = 600
HERE = Viewer(user_id=1, guild_id=GUILD, age_restricted_ok=True)


async def _story(store: Store, title: str, chapters: int = 3, guild_id: int | None = GUILD) -> int:
    draft = StoryDraft(
        title=title,
        chapters=tuple(
            ChapterDraft(f"Part {n}", f"Chapter {n} text.") for n in range(1, chapters + 1)
        ),
    )
    _, story_id = await store.save_story(
        draft, source_key=title, content_hash=title, guild_id=guild_id, page_size=800
    )
    return story_id


async def _read(
    store: Store, user: int, story: int, chapters: int, *, guild: int | None = GUILD, of: int = 3
) -> None:
    """A reader reads the first `chapters` chapters (of `of`), a page each, reading on."""
    for chapter in range(1, chapters + 1):
        await store.save_bookmark(
            user, story, chapter, 1, move=True, guild_id=guild, ends_story=chapter == of
        )


async def test_pages_readers_starts_and_finishes_are_counted_by_day(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    story = await _story(store, "Harbour Lights")
    for user in (1, 2, 3):
        await _read(store, user, story, 3)
    await _read(store, 1, story, 3)  # reading it again: pages, but no second start or finish
    clock.now += timedelta(days=1)
    await _read(store, 4, story, 1)
    await _read(store, 1, story, 1)

    stats = await store.library_stats(GUILD, 30)
    yesterday, today = stats.days[-2], stats.days[-1]
    assert (yesterday.readers, yesterday.pages, yesterday.started, yesterday.finished) == (
        3,
        12,
        3,
        3,
    )
    assert (today.readers, today.pages, today.started, today.finished) == (2, 2, 1, 0)
    assert len(stats.days) == 30
    assert stats.readers == 4
    [top] = stats.top
    assert (top.title, top.readers, top.pages, top.finished) == ("Harbour Lights", 4, 14, 3)
    hour = clock.now.hour
    assert stats.hours[clock.now.weekday()][hour] == 2


async def test_readers_are_forgotten_once_their_day_is_rolled_up(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    story = await _story(store, "Harbour Lights")
    await _read(store, 1, story, 2)
    await _read(store, 2, story, 1)
    assert await store.roll_up_readers() == 0  # the day is not over
    clock.now += timedelta(days=1)
    assert await store.roll_up_readers() == 0  # kept a day, for pages written late
    clock.now += timedelta(days=1)
    assert await store.roll_up_readers() == 2
    stats = await store.library_stats(GUILD, 3)
    assert [day.readers for day in stats.days] == [2, 0, 0]
    assert await store.roll_up_readers() == 0


async def test_a_page_read_before_midnight_and_written_after_it_counts_its_reader_once(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    story = await _story(store, "Harbour Lights")
    before_midnight = clock.now.replace(hour=23, minute=59, second=59)
    clock.now = before_midnight
    await _read(store, 1, story, 1)
    clock.now = before_midnight + timedelta(seconds=2)
    await store.roll_up_readers()  # the hourly roll-up, just after midnight
    clock.now = before_midnight  # the reader's next page, timed before it, written after it
    await store.save_bookmark(1, story, 2, 1, move=True, guild_id=GUILD)
    clock.now = before_midnight + timedelta(days=2)
    [day, _, _] = (await store.library_stats(GUILD, 3)).days
    assert (day.readers, day.pages) == (1, 2)


async def test_two_pages_of_a_new_reader_written_together_start_the_story_once(
    store: Store,
) -> None:
    story = await _story(store, "Harbour Lights", chapters=2)
    await asyncio.gather(  # one batch: two quick clicks of a reader new to the story
        store.save_bookmark(1, story, 1, 1, move=True, guild_id=GUILD),
        store.save_bookmark(1, story, 2, 1, move=True, guild_id=GUILD, ends_story=True),
        store.save_bookmark(1, story, 2, 1, move=True, guild_id=GUILD, ends_story=True),
    )
    [today] = (await store.library_stats(GUILD, 1)).days
    assert (today.pages, today.started, today.finished) == (3, 1, 1)


async def test_a_page_counts_where_it_was_read_and_bundled_stories_in_dms_nowhere(
    store: Store,
) -> None:
    ours = await _story(store, "Ours")
    bundled = await _story(store, "Bundled", guild_id=None)
    await _read(store, 1, ours, 1, guild=None)  # in DMs: the story's own server
    await _read(store, 2, bundled, 1, guild=OTHER_GUILD)
    await _read(store, 3, bundled, 1, guild=None)
    assert await store.reading_servers(30) == [GUILD, OTHER_GUILD]
    assert (await store.library_stats(GUILD, 1)).days[-1].pages == 1
    other = await store.library_stats(OTHER_GUILD, 1)
    assert (other.days[-1].pages, other.days[-1].readers) == (1, 1)
    assert [story.title for story in other.top] == ["Bundled"]


async def test_a_storys_drop_off_counts_the_furthest_chapter_each_reader_reached(
    store: Store,
) -> None:
    story = await _story(store, "Harbour Lights", chapters=3)
    for user, reached in ((1, 3), (2, 3), (3, 2), (4, 1), (5, 1)):
        await _read(store, user, story, reached)
    await store.save_bookmark(1, story, 1, 1, move=True, guild_id=GUILD)  # back to the start
    await store.save_bookmark(6, story, 3, 1, move=False, guild_id=GUILD)  # a look at the end
    stats = await store.story_stats(story)
    assert [(c.number, c.readers) for c in stats.chapters] == [(1, 6), (2, 4), (3, 3)]
    assert stats.finished == 2
    assert (stats.kudos, stats.bookmarks, stats.subscribers) == (0, 0, 0)


async def test_the_drop_off_follows_a_chapter_a_moderator_moves(store: Store) -> None:
    story = await _story(store, "Harbour Lights", chapters=3)
    await _read(store, 1, story, 2)  # reached chapter 2, now the last one
    await store.move_chapter(story, Changer(GUILD, 9, True), 2, 3)
    stats = await store.story_stats(story)
    assert [(c.number, c.readers) for c in stats.chapters] == [(1, 1), (2, 1), (3, 1)]


async def test_the_busiest_hours_are_shown_in_the_servers_time_zone(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    story = await _story(store, "Harbour Lights")
    clock.now = clock.now.replace(hour=23)  # a Monday, 23:00 UTC: Tuesday 08:00 in Tokyo
    await _read(store, 1, story, 1)
    assert (await store.library_stats(GUILD, 1)).hours[0][23] == 1
    await store.set_daily(
        GUILD,
        channel_id=1,
        post_time="09:00",
        timezone="Asia/Tokyo",
        role_id=None,
        tag="",
        next_post_at=clock.now,
        set_by=9,
    )
    stats = await store.library_stats(GUILD, 1)
    assert (stats.zone, stats.hours[1][8], sum(map(sum, stats.hours))) == ("Asia/Tokyo", 1, 1)


async def test_kudos_count_in_the_server_they_were_given_in(store: Store) -> None:
    ours = await _story(store, "Ours")
    bundled = await _story(store, "Bundled", guild_id=None)
    await _read(store, 1, bundled, 1)
    await _read(store, 2, bundled, 1, guild=OTHER_GUILD)
    await store.give_kudos(HERE, bundled)
    await store.give_kudos(Viewer(2, OTHER_GUILD, True), bundled)
    await store.give_kudos(Viewer(3, OTHER_GUILD, True), bundled)
    await store.give_kudos(Viewer(4, None, True, member_of=(GUILD,)), ours)  # in DMs: its own
    here, there = await store.library_stats(GUILD, 1), await store.library_stats(OTHER_GUILD, 1)
    assert (here.days[-1].kudos, there.days[-1].kudos) == (2, 2)
    assert [(s.title, s.kudos) for s in there.top] == [("Bundled", 2)]
    assert [(s.title, s.kudos) for s in here.top] == [("Bundled", 1)]


async def test_excerpts_and_discussion_messages_are_counted_in_their_server(store: Store) -> None:
    story = await _story(store, "Harbour Lights")
    await store.set_discussion_thread(GUILD, await store.chapter(HERE, story, 1), 777)
    await store.count_discussion_message(777)
    await store.count_discussion_message(777)
    await store.count_discussion_message(778)  # not a discussion
    await store.count_excerpt(GUILD)
    await store.count_excerpt(OTHER_GUILD)
    [today] = (await store.library_stats(GUILD, 1)).days
    assert (today.excerpts, today.discussion_messages, today.pages, today.readers) == (1, 2, 0, 0)


async def test_a_server_with_no_reading_has_a_period_of_zeros(store: Store) -> None:
    stats = await store.library_stats(GUILD, 90)
    assert len(stats.days) == 90
    assert not any(day.pages or day.readers for day in stats.days)
    assert stats.top == ()
    assert stats.hours == tuple((0,) * 24 for _ in range(7))
