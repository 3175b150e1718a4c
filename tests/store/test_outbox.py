"""The outbox in the store: who is told of an upload, what is pending for each, and what became
of each notice."""

from __future__ import annotations

from datetime import timedelta

from bot.access import Changer, Viewer
from bot.library.model import ChapterDraft, Rating, StoryDraft
from bot.shards import Shards
from bot.store import Delivery, Following, Notice, Recipient, Store
from bot.store.outbox import CLAIM_LEASE
from tests.conftest import Clock
from tests.samples import pending_deliveries

CLUB, OTHER_CLUB = 10, 20
MODERATOR, READER, READER2, READER3 = 1, 2, 3, 4
ANNOUNCEMENTS = 99


def _draft(title: str, rating: Rating = Rating.GENERAL, author: str = "Ada Quill") -> StoryDraft:
    return StoryDraft(
        title=title,
        author=author,
        rating=rating,
        chapters=(ChapterDraft("One", "The beacon turned. " * 40),),
    )


async def _upload(store: Store, title: str, guild_id: int = CLUB, **kw: object) -> int:
    return await store.add_upload(
        guild_id, _draft(title, **kw), content_hash=title, user_id=MODERATOR, page_size=500
    )


async def _pending(store: Store) -> dict[tuple[Recipient, int], list[int]]:
    """Each recipient's pending notices, as the story ids they are about."""
    return {
        (d.recipient_kind, d.recipient_id): [n.story_id for n in d.notices]
        for d in await pending_deliveries(store)
    }


def _ids(deliveries: list[Delivery]) -> list[int]:
    return [notice.id for delivery in deliveries for notice in delivery.notices]


async def test_an_upload_tells_its_servers_followers_once_each(store: Store) -> None:
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await store.subscribe(READER, CLUB, Following.AUTHOR, "ada quill")  # and everything: told once
    await store.subscribe(READER2, CLUB, Following.AUTHOR, "ada quill")
    await store.subscribe(READER3, CLUB, Following.AUTHOR, "someone else")
    await store.subscribe(READER3, OTHER_CLUB, Following.EVERYTHING, "")
    await store.set_announcements(CLUB, ANNOUNCEMENTS, None)
    await store.set_announcements(OTHER_CLUB, None, None)
    story_id = await _upload(store, "The Beacon", author=" Ada QUILL ")
    assert await _pending(store) == {
        (Recipient.READER, READER): [story_id],
        (Recipient.READER, READER2): [story_id],
        (Recipient.CHANNEL, ANNOUNCEMENTS): [story_id],
    }
    await _upload(store, "Elsewhere", OTHER_CLUB)
    assert (Recipient.READER, READER3) in await _pending(store)


async def test_a_followed_storys_chapters_are_told_to_its_followers_only(store: Store) -> None:
    followed = await _upload(store, "The Beacon")
    other = await _upload(store, "The Harbour")
    await store.subscribe(READER, CLUB, Following.STORY, str(followed))
    await store.subscribe(READER2, CLUB, Following.STORY, str(other))
    more = (ChapterDraft("Two", "The beacon turned again. " * 40),)
    await store.append_chapters(
        followed, Changer(CLUB, MODERATOR, True), more, content_hash="more", page_size=500
    )
    (delivery,) = await pending_deliveries(store)
    assert (delivery.recipient_kind, delivery.recipient_id) == (Recipient.READER, READER)
    (notice,) = delivery.notices
    assert notice == Notice(
        notice.id, CLUB, followed, "The Beacon", "Ada Quill", 2, 2, False, 0, Rating.GENERAL, ""
    )


async def test_pending_notices_come_by_recipient_oldest_first(store: Store) -> None:
    for reader in (READER, READER2):
        await store.subscribe(reader, CLUB, Following.EVERYTHING, "")
    first = await _upload(store, "The Beacon")
    await store.subscribe(READER3, CLUB, Following.EVERYTHING, "")
    second = await _upload(store, "The Harbour")
    assert list((await _pending(store)).items()) == [
        ((Recipient.READER, READER), [first, second]),
        ((Recipient.READER, READER2), [first, second]),
        ((Recipient.READER, READER3), [second]),
    ]
    (only,) = await pending_deliveries(store, 1)
    assert (only.recipient_id, [n.story_id for n in only.notices]) == (READER, [first, second])


async def test_a_hundred_recipients_at_most_come_at_once(store: Store) -> None:
    for reader in range(100, 201):
        await store.subscribe(reader, CLUB, Following.EVERYTHING, "")
    await _upload(store, "The Beacon")
    deliveries = await pending_deliveries(store)
    assert [delivery.recipient_id for delivery in deliveries] == list(range(100, 200))


async def test_a_notice_is_finished_once_and_a_dropped_one_stays_dropped(store: Store) -> None:
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await store.subscribe(READER2, CLUB, Following.EVERYTHING, "")
    kept = await _upload(store, "The Beacon")
    removed = await _upload(store, "The Harbour")
    before = await pending_deliveries(store)
    await store.remove_story(removed, Changer(CLUB, MODERATOR, True))
    assert await _pending(store) == {(Recipient.READER, r): [kept] for r in (READER, READER2)}
    await store.delivered(_ids(before[:1]))  # a delivery made before the removal was seen
    await store.undeliverable(_ids(before[1:]), "DMs closed", dm_closed_user=READER2)
    assert await store.outbox_counts() == {"sent": 1, "failed": 1, "dropped": 2}
    await store.delivered(_ids(before))  # finished already: nothing changes
    await store.remove_story(kept, Changer(CLUB, MODERATOR, True))  # nor does a removal after
    assert await store.outbox_counts() == {"sent": 1, "failed": 1, "dropped": 2}
    assert await store.readers_to_tell_dm_closed() == {READER2}
    assert await store.take_dm_closed_news(READER2) is True
    assert await store.take_dm_closed_news(READER2) is False


async def test_a_passing_failure_is_counted_until_it_is_given_up(store: Store) -> None:
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await store.subscribe(READER2, CLUB, Following.EVERYTHING, "")
    await _upload(store, "The Beacon")
    failing, waiting = await pending_deliveries(store)
    for attempt in range(1, 3):
        await store.delivery_failed(_ids([failing]), "Discord error 503", 3)
        deliveries = await pending_deliveries(store)
        assert [(d.recipient_id, d.notices[0].attempts) for d in deliveries] == [
            (READER, attempt),
            (READER2, 0),
        ]
    await store.delivery_failed(_ids([failing]), "Discord error 503", 3)
    assert await store.outbox_counts() == {"failed": 1, "pending": 1}
    assert [d.recipient_id for d in await pending_deliveries(store)] == [waiting.recipient_id]


async def test_a_failure_after_some_messages_went_out_leaves_theirs_sent(store: Store) -> None:
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await _upload(store, "The Beacon")
    await _upload(store, "The Tide")
    (delivery,) = await pending_deliveries(store)
    sent, unsent = _ids([delivery])
    await store.delivered([sent])  # its message went out; the next one failed
    await store.delivery_failed([sent, unsent], "Discord error 503", 1)
    assert await store.outbox_counts() == {"sent": 1, "failed": 1}


async def test_a_notice_is_shown_only_where_its_story_may_be(store: Store) -> None:
    for guild_id in (CLUB, OTHER_CLUB):
        await store.subscribe(READER, guild_id, Following.EVERYTHING, "")
    general = await _upload(store, "The Beacon")
    await _upload(store, "After Dark", rating=Rating.EXPLICIT)
    await _upload(store, "Elsewhere", OTHER_CLUB)
    (delivery,) = await pending_deliveries(store)
    by_story = {notice.story_id: notice.id for notice in delivery.notices}
    ids = list(by_story.values())
    assert await store.visible_notices(Viewer(READER, CLUB, False), ids) == {by_story[general]}
    assert len(await store.visible_notices(Viewer(READER, CLUB, True), ids)) == 2


async def test_two_senders_never_hold_the_same_notices_and_a_stopped_ones_are_taken_over(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    for reader in (READER, READER2):
        await store.subscribe(reader, CLUB, Following.EVERYTHING, "")
    await _upload(store, "The Beacon")
    first = await store.claim_deliveries("first", limit=1)
    (held,) = [d.recipient_id for d in first]
    (other,) = {READER, READER2} - {held}
    second = await store.claim_deliveries("second")
    assert [d.recipient_id for d in second] == [other]  # not the first sender's
    assert await store.claim_deliveries("third") == []
    await store.release_claim("second")  # a send that failed in a passing way: free again
    assert [d.recipient_id for d in await store.claim_deliveries("third")] == [other]
    await store.delivered(_ids(first))
    await store.release_claim("first")  # what was sent stays sent
    clock.now += CLAIM_LEASE - timedelta(seconds=1)
    assert await store.claim_deliveries("fourth") == []
    clock.now += timedelta(seconds=2)  # "third" stopped without a word: its claim lapsed
    assert [d.recipient_id for d in await store.claim_deliveries("fourth")] == [other]


async def test_a_readers_next_delivery_holds_only_what_is_still_to_tell(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    await store.subscribe(READER, CLUB, Following.EVERYTHING, "")
    await _upload(store, "The Beacon")
    await store.delivered(_ids(await store.claim_deliveries("first")))
    clock.now += CLAIM_LEASE * 2  # long after: the sent notice's claim has lapsed too
    later = await _upload(store, "The Harbour")
    (delivery,) = await store.claim_deliveries("second")
    assert [notice.story_id for notice in delivery.notices] == [later]


async def test_a_sender_takes_announcements_of_its_shards_guilds_and_any_readers_notices(
    store: Store,
) -> None:
    on_shard_1 = (1 << 22) + CLUB * 2  # (id >> 22) % 2 == 1
    assert Shards(2, (1,)).holds(on_shard_1) and not Shards(2, (0,)).holds(on_shard_1)
    await store.set_announcements(on_shard_1, ANNOUNCEMENTS, None)
    await store.subscribe(READER, on_shard_1, Following.EVERYTHING, "")
    await _upload(store, "The Beacon", on_shard_1)
    zero = await store.claim_deliveries("shard 0", shards=Shards(2, (0,)))
    assert [(d.recipient_kind, d.recipient_id) for d in zero] == [(Recipient.READER, READER)]
    one = await store.claim_deliveries("shard 1", shards=Shards(2, (1,)))
    assert [(d.recipient_kind, d.recipient_id) for d in one] == [(Recipient.CHANNEL, ANNOUNCEMENTS)]
