"""Members' submissions in the store: the queue, each decision taken once, and what approval
puts in the library."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.access import Changer, Hidden, StoryHidden, Viewer
from bot.library.model import ChapterDraft, Rating, Status, StoryDraft, TagKind
from bot.store import AlreadyDecided, DuplicateUpload, Following, Store, SubmissionState
from bot.store.settings import Submitters
from tests.conftest import Clock
from tests.samples import pending_deliveries

CLUB, OTHER_CLUB = 10, 20
MODERATOR, WRITER, READER = 1, 2, 3
PAGE = 500


def _draft(title: str = "The Glass Orchard", chapters: int = 2) -> StoryDraft:
    return StoryDraft(
        title=title,
        author="Wren",
        summary="An orchard of glass.",
        rating=Rating.TEEN,
        warnings=("No Archive Warnings Apply",),
        tags={TagKind.FANDOM: ("Original Work",), TagKind.FREEFORM: ("Glass",)},
        status=Status.IN_PROGRESS,
        chapters=tuple(
            ChapterDraft(f"Part {n}", f"The glass rang, part {n}. " * 40, notes_before="Hi!")
            for n in range(1, chapters + 1)
        ),
    )


async def _published(store: Store, title: str = "The Glass Orchard") -> int:
    """A story the writer submitted and a moderator approved: its id."""
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(title), content_hash=title)
    _, published = await store.approve_submission(
        CLUB, submission.id, moderator_id=MODERATOR, page_size=PAGE
    )
    return published.story_id


async def test_a_submission_waits_unseen_and_keeps_its_story_as_sent(store: Store) -> None:
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="a")
    assert (submission.state, submission.new_story, submission.chapter_count) == (
        SubmissionState.WAITING,
        True,
        2,
    )
    assert await store.story_count() == 0  # nothing of it is in the library
    assert await store.find_stories(Viewer(READER, CLUB, True), "Glass") == []
    assert await store.submission_draft(CLUB, submission.id) == _draft()
    assert await store.submission_draft(OTHER_CLUB, submission.id) is None  # not another's
    assert [s.id for s in await store.waiting_submissions(CLUB)] == [submission.id]
    assert await store.waiting_submissions(OTHER_CLUB) == []


async def test_the_queue_is_oldest_first_and_holds_only_waiting_ones(store: Store) -> None:
    first = await store.submit(CLUB, WRITER, "Wren", _draft("One"), content_hash="1")
    second = await store.submit(CLUB, READER, "Ash", _draft("Two"), content_hash="2")
    third = await store.submit(CLUB, WRITER, "Wren", _draft("Three"), content_hash="3")
    await store.turn_down_submission(CLUB, second.id, moderator_id=MODERATOR, reason="no")
    assert [s.id for s in await store.waiting_submissions(CLUB)] == [first.id, third.id]


async def test_approving_publishes_the_story_as_the_members_with_its_notices(
    store: Store,
) -> None:
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="a")
    _, published = await store.approve_submission(
        CLUB, submission.id, moderator_id=MODERATOR, page_size=PAGE
    )
    assert (published.first_chapter, published.last_chapter) == (1, 2)
    story = await store.changeable_story(Changer(CLUB, MODERATOR, True), str(published.story_id))
    assert story is not None
    assert (story.title, story.author, story.author_id) == ("The Glass Orchard", "Wren", WRITER)
    assert story.tags[TagKind.FREEFORM] == ("Glass",)
    after = await store.submission(CLUB, submission.id)
    assert after is not None
    assert (after.state, after.decided_by, after.story_id) == (
        SubmissionState.APPROVED,
        MODERATOR,
        published.story_id,
    )
    history = await store.history(published.story_id, Changer(CLUB, MODERATOR, True))
    assert [(entry.user_id, entry.action.value) for entry in history] == [
        (MODERATOR, "approve"),
        (WRITER, "upload"),
    ]
    assert len(await pending_deliveries(store)) == 1  # the subscriber's notice
    assert [(s.id, readers) for s, readers in await store.authors_stories(CLUB, WRITER)] == [
        (story.id, 0)
    ]


async def test_an_author_may_change_their_own_stories_and_a_moderator_any(store: Store) -> None:
    theirs = await _published(store)
    others = await store.add_upload(
        CLUB, _draft("Someone Else's"), content_hash="x", user_id=MODERATOR, page_size=PAGE
    )
    here = Viewer(WRITER, CLUB, True)
    author, moderator = Changer(CLUB, WRITER, False), Changer(CLUB, MODERATOR, True)
    assert [s.id for s in await store.find_stories(here, "", changer=author)] == [theirs]
    assert {s.id for s in await store.find_stories(here, "", changer=moderator)} == {theirs, others}
    assert await store.changeable_story(author, str(others)) is None
    assert not await store.remove_story(others, author)
    assert await store.remove_story(theirs, author)
    assert await store.restore_story(theirs, author, within=timedelta(hours=1))
    assert [entry.action.value for entry in await store.history(theirs, author)][:2] == [
        "restore",
        "remove",
    ]
    assert await store.history(others, author) == []  # another's story's record is not theirs
    elsewhere = Changer(OTHER_CLUB, WRITER, False)
    assert await store.changeable_story(elsewhere, str(theirs)) is None


async def test_a_decision_is_taken_once(store: Store) -> None:
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="a")
    await store.approve_submission(CLUB, submission.id, moderator_id=MODERATOR, page_size=PAGE)
    with pytest.raises(AlreadyDecided) as second:
        await store.approve_submission(CLUB, submission.id, moderator_id=READER, page_size=PAGE)
    assert second.value.submission.decided_by == MODERATOR
    with pytest.raises(AlreadyDecided):
        await store.turn_down_submission(CLUB, submission.id, moderator_id=READER, reason="x")
    assert await store.story_count() == 1


async def test_a_submission_is_decided_only_in_its_own_server(store: Store) -> None:
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="a")
    for decide in (
        store.turn_down_submission(OTHER_CLUB, submission.id, moderator_id=READER, reason="x"),
        store.approve_submission(OTHER_CLUB, submission.id, moderator_id=READER, page_size=PAGE),
    ):
        with pytest.raises(StoryHidden) as hidden:
            await decide
        assert hidden.value.why is Hidden.GONE
    assert [s.id for s in await store.waiting_submissions(CLUB)] == [submission.id]
    assert await store.story_count() == 0


async def test_turning_down_keeps_the_reason_and_publishes_nothing(store: Store) -> None:
    submission = await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="a")
    asked = await store.turn_down_submission(
        CLUB, submission.id, moderator_id=MODERATOR, reason="Fix chapter 2", changes_asked=True
    )
    assert (asked.state, asked.reason) == (SubmissionState.CHANGES_ASKED, "Fix chapter 2")
    assert await store.story_count() == 0
    assert [s.state for s in await store.authors_submissions(CLUB, WRITER)] == [
        SubmissionState.CHANGES_ASKED
    ]


async def test_chapters_go_only_to_the_members_own_story(store: Store) -> None:
    story_id = await _published(store)
    with pytest.raises(StoryHidden) as hidden:
        await store.submit(
            CLUB, READER, "Ash", _draft(), content_hash="b", adds_to=story_id
        )  # not theirs
    assert hidden.value.why is Hidden.GONE
    more = await store.submit(
        CLUB, WRITER, "Wren", _draft(chapters=1), content_hash="b", adds_to=story_id
    )
    assert not more.new_story
    _, published = await store.approve_submission(
        CLUB, more.id, moderator_id=MODERATOR, page_size=PAGE
    )
    assert (published.story_id, published.first_chapter, published.last_chapter) == (
        story_id,
        3,
        3,
    )


async def test_the_same_file_is_refused_while_it_waits_or_once_it_is_in(store: Store) -> None:
    await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="same")
    with pytest.raises(DuplicateUpload):
        await store.submit(CLUB, WRITER, "Wren", _draft(), content_hash="same")
    await _published(store, "Another")
    with pytest.raises(DuplicateUpload):
        await store.submit(CLUB, READER, "Ash", _draft(), content_hash="Another")
    await store.submit(OTHER_CLUB, WRITER, "Wren", _draft(), content_hash="same")  # elsewhere


async def test_submissions_are_counted_per_member_per_server_since_a_time(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    await store.submit(CLUB, WRITER, "Wren", _draft("One"), content_hash="1")
    since = store.now()
    await store.submit(CLUB, WRITER, "Wren", _draft("Two"), content_hash="2")
    await store.submit(OTHER_CLUB, WRITER, "Wren", _draft("Three"), content_hash="3")
    assert await store.submissions_since(CLUB, WRITER, since) == 2
    assert await store.submissions_since(CLUB, READER, since) == 0


async def test_trusted_writers_and_who_may_submit_are_kept(store: Store) -> None:
    assert not await store.is_trusted_writer(CLUB, WRITER)
    await store.set_trusted_writer(CLUB, WRITER, True, by=MODERATOR)
    await store.set_trusted_writer(CLUB, WRITER, True, by=MODERATOR)  # twice: still once
    assert await store.is_trusted_writer(CLUB, WRITER)
    assert not await store.is_trusted_writer(OTHER_CLUB, WRITER)
    await store.set_trusted_writer(CLUB, WRITER, False, by=MODERATOR)
    assert not await store.is_trusted_writer(CLUB, WRITER)
    assert (await store.guild_settings(CLUB)).submissions is Submitters.NOBODY
    await store.set_submissions(
        CLUB, Submitters.WRITERS, writer_role_id=77, max_bytes=1024, per_day=5
    )
    settings = await store.guild_settings(CLUB)
    assert (settings.submissions, settings.writer_role_id) == (Submitters.WRITERS, 77)
    assert (settings.submission_max_bytes, settings.submissions_per_day) == (1024, 5)


async def test_a_trusted_writers_chapters_are_published_at_once_to_their_own_story(
    store: Store,
) -> None:
    story_id = await _published(store)
    first, last = await store.append_chapters(
        story_id,
        Changer(CLUB, WRITER, False),
        _draft(chapters=2).chapters,
        content_hash="more",
        page_size=PAGE,
    )
    assert (first, last) == (3, 4)
    with pytest.raises(StoryHidden):
        await store.append_chapters(
            story_id,
            Changer(CLUB, READER, False),
            _draft(chapters=1).chapters,
            content_hash="x",
            page_size=PAGE,
        )
