"""A server's own library in the store: uploads, new chapters and reordering, with the audit
trail, the notices they queue and readers' places."""

from __future__ import annotations

import pytest

from bot.access import Changer, Hidden, StoryHidden, Viewer
from bot.library.model import ChapterDraft, Rating, StoryDraft
from bot.store import AuditEntry, DuplicateUpload, Following, Store
from bot.store.uploads import AuditAction
from tests.conftest import Clock
from tests.samples import pending_deliveries

CLUB, OTHER_CLUB = 10, 20
MODERATOR, READER, READER2 = 1, 2, 3
HERE = Viewer(READER, CLUB, True)


def _chapter(n: int) -> ChapterDraft:
    """Chapter `n`, longer the later it comes: a page or two more each."""
    return ChapterDraft(
        f"Light {n}",
        "\n\n".join(f"Light {n} paragraph {p}: the beacon turned. " * 8 for p in range(4 * n)),
    )


def _draft(chapters: int = 4, title: str = "The Beacon") -> StoryDraft:
    return StoryDraft(
        title=title,
        author="Ada Quill",
        rating=Rating.GENERAL,
        chapters=tuple(_chapter(n) for n in range(1, chapters + 1)),
    )


async def _upload(store: Store, draft: StoryDraft | None = None, content: str = "file") -> int:
    return await store.add_upload(
        CLUB, draft or _draft(), content_hash=content, user_id=MODERATOR, page_size=500
    )


async def _append(
    store: Store, story_id: int, *numbers: int, content: str = "more"
) -> tuple[int, int]:
    return await store.append_chapters(
        story_id,
        Changer(CLUB, MODERATOR, True),
        tuple(_chapter(n) for n in numbers),
        content_hash=content,
        page_size=500,
    )


async def _chapter_starts(store: Store, story_id: int) -> list[str]:
    """The first words of each chapter, in the story's order."""
    return [text.split(":")[0] for text in await store.chapter_texts(story_id)]


async def test_an_upload_is_the_guilds_with_its_audit_entry_and_notices(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await store.set_announcements(CLUB, 99, None)
    story_id = await _upload(store)
    assert (await store.story(HERE, story_id)).title == "The Beacon"
    with pytest.raises(StoryHidden):
        await store.story(Viewer(READER, OTHER_CLUB, True), story_id)
    assert await store.history(story_id, Changer(CLUB, MODERATOR, True)) == [
        AuditEntry(MODERATOR, AuditAction.UPLOAD, "“The Beacon”, 4 chapters", clock.now.isoformat())
    ]
    deliveries = await pending_deliveries(store)
    recipients = [(d.recipient_kind, d.recipient_id) for d in deliveries]
    assert recipients == [("user", READER), ("channel", 99)]
    for delivery in deliveries:
        (notice,) = delivery.notices
        assert (notice.story_id, notice.story_title, notice.author) == (
            story_id,
            "The Beacon",
            "Ada Quill",
        )
        assert (notice.first_chapter, notice.last_chapter, notice.new_story) == (1, 4, True)


async def test_the_same_file_is_refused_until_its_story_is_removed(store: Store) -> None:
    story_id = await _upload(store)
    with pytest.raises(DuplicateUpload, match="The Beacon"):
        await _upload(store, _draft(title="Another Name"))
    assert await store.add_upload(
        OTHER_CLUB, _draft(), content_hash="file", user_id=MODERATOR, page_size=500
    )  # another server's library is its own
    assert await store.remove_story(story_id, Changer(CLUB, MODERATOR, True))
    again = await _upload(store)
    assert (await store.story(HERE, again)).chapter_count == 4


async def test_new_chapters_follow_the_last_with_their_notices(clocked_store: Store) -> None:
    store = clocked_store
    story_id = await _upload(store, _draft(2))
    await store.subscribe(READER, CLUB, Following.STORY, str(story_id))
    await store.subscribe(READER2, CLUB, Following.AUTHOR, "ada quill")
    before = await store.page(HERE, story_id, 2, 0)
    assert await _append(store, story_id, 3, 4) == (3, 4)
    assert await _chapter_starts(store, story_id) == [f"Light {n} paragraph 0" for n in range(1, 5)]
    third = await store.page(HERE, story_id, 3, 1)
    assert third.pages_before == before.pages_read
    fourth = await store.page(HERE, story_id, 4, 1)
    assert fourth.pages_before == third.pages_before + third.page_count
    assert (fourth.chapter_count, fourth.story_pages) == (
        4,
        fourth.pages_read - 1 + fourth.page_count,
    )
    assert (await store.history(story_id, Changer(CLUB, MODERATOR, True)))[
        0
    ].detail == "chapters 3–4"
    notices = [
        (d.recipient_id, n.first_chapter, n.last_chapter, n.new_story)
        for d in await pending_deliveries(store)
        for n in d.notices
    ]
    assert sorted(notices) == [(READER, 3, 4, False), (READER2, 3, 4, False)]


async def test_new_chapters_are_refused_for_a_file_sent_before_or_a_story_gone(
    store: Store,
) -> None:
    story_id = await _upload(store, _draft(2))
    await _append(store, story_id, 3)
    with pytest.raises(DuplicateUpload, match="The Beacon"):
        await _append(store, story_id, 4)
    with pytest.raises(DuplicateUpload, match="The Beacon"):
        await _append(store, story_id, 4, content="file")  # the story's own file
    with pytest.raises(StoryHidden) as elsewhere:
        await store.append_chapters(
            story_id, Changer(OTHER_CLUB, 9, True), (_chapter(4),), content_hash="x", page_size=500
        )
    assert elsewhere.value.why is Hidden.GONE
    await store.remove_story(story_id, Changer(CLUB, MODERATOR, True))
    with pytest.raises(StoryHidden) as removed:
        await _append(store, story_id, 4, content="latest")
    assert removed.value.why is Hidden.GONE
    assert await pending_deliveries(store) == []


@pytest.mark.parametrize(
    ("moved", "to", "order"),
    [(3, 1, [3, 1, 2, 4]), (1, 3, [2, 3, 1, 4]), (2, 4, [1, 3, 4, 2]), (4, 2, [1, 4, 2, 3])],
)
async def test_a_moved_chapter_takes_its_readers_places_along(
    store: Store, moved: int, to: int, order: list[int]
) -> None:
    story_id = await _upload(store, _draft(4))
    for reader, chapter in enumerate((1, 2, 3, 4), start=100):
        await store.save_bookmark(reader, story_id, chapter, 2, move=True)
    await store.move_chapter(story_id, Changer(CLUB, MODERATOR, True), moved, to)
    assert await _chapter_starts(store, story_id) == [f"Light {n} paragraph 0" for n in order]
    for reader, chapter in enumerate((1, 2, 3, 4), start=100):
        mark = await store.last_bookmark(Viewer(reader, CLUB, True))
        assert mark is not None
        assert (order[mark.chapter_number - 1], mark.page_number) == (chapter, 2)
        page = await store.page(Viewer(reader, CLUB, True), story_id, mark.chapter_number, 2)
        assert page.text.startswith(f"Light {chapter} paragraph")
        assert mark.pages_read == page.pages_read  # counted in the new order
    pages = [await store.page(HERE, story_id, n, 1) for n in range(1, 5)]
    assert [page.pages_before for page in pages] == [
        sum(page.page_count for page in pages[:n]) for n in range(4)
    ]
    assert (await store.history(story_id, Changer(CLUB, MODERATOR, True)))[
        0
    ].detail == f"chapter {moved} to {to}"


async def test_a_chapter_moved_to_where_it_is_stays(store: Store) -> None:
    story_id = await _upload(store, _draft(3))
    await store.save_bookmark(READER, story_id, 2, 1, move=True)
    await store.move_chapter(story_id, Changer(CLUB, MODERATOR, True), 2, 2)
    assert await _chapter_starts(store, story_id) == [f"Light {n} paragraph 0" for n in (1, 2, 3)]
    assert (await store.last_bookmark(HERE)).chapter_number == 2  # type: ignore[union-attr]


async def test_only_the_guilds_own_chapters_can_be_moved(store: Store) -> None:
    story_id = await _upload(store, _draft(3))
    with pytest.raises(StoryHidden) as missing:
        await store.move_chapter(story_id, Changer(CLUB, MODERATOR, True), 4, 1)
    assert missing.value.why is Hidden.CHAPTER_GONE
    with pytest.raises(StoryHidden) as elsewhere:
        await store.move_chapter(story_id, Changer(OTHER_CLUB, 9, True), 2, 1)
    assert elsewhere.value.why is Hidden.GONE
    await store.remove_story(story_id, Changer(CLUB, MODERATOR, True))
    with pytest.raises(StoryHidden) as removed:
        await store.move_chapter(story_id, Changer(CLUB, MODERATOR, True), 2, 1)
    assert removed.value.why is Hidden.GONE
    assert await _chapter_starts(store, story_id) == [f"Light {n} paragraph 0" for n in (1, 2, 3)]
