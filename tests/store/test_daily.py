"""The daily post in the store: schedules, which are due, and each day's claim, send, retries
and giving up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.shards import Shards
from bot.store import DailyPost, DailySchedule, Store
from tests.conftest import Clock

CLUB, OTHER_CLUB, THIRD_CLUB = 10, 20, 30
CHANNEL = 55
DAY, NEXT_DAY = date(2026, 6, 1), date(2026, 6, 2)


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


async def _set(store: Store, guild_id: int = CLUB, at: datetime | None = None) -> None:
    await store.set_daily(
        guild_id,
        channel_id=CHANNEL,
        post_time="09:00",
        timezone="Europe/London",
        role_id=7,
        tag="angst",
        next_post_at=at or _at(8),
        set_by=1,
    )


async def _claim(store: Store, day: date = DAY, excerpt_id: int = 5, **kw: object) -> DailyPost:
    options = {"channel_id": CHANNEL, "late": False, **kw}
    return await store.claim_daily_post(CLUB, day, excerpt_id=excerpt_id, **options)  # type: ignore[arg-type]


async def test_a_schedule_is_kept_as_set_and_setting_it_again_resumes_it(
    clocked_store: Store,
) -> None:
    store = clocked_store
    await _set(store)
    expected = DailySchedule(
        CLUB, CHANNEL, "09:00", "Europe/London", 7, "angst", _at(8), None, False, None
    )
    assert await store.daily(CLUB) == expected
    await store.pause_daily(CLUB, "Paused because its channel was deleted.")
    paused = await store.daily(CLUB)
    assert (paused.paused_reason, paused.paused_told) == (  # type: ignore[union-attr]
        "Paused because its channel was deleted.",
        False,
    )
    await store.mark_pause_told(CLUB)
    assert (await store.daily(CLUB)).paused_told is True  # type: ignore[union-attr]
    await store.retry_daily_post(CLUB, DAY, trouble_since=_at(9), retry_at=_at(9, 1))
    await _set(store, at=_at(9, day=2))
    assert await store.daily(CLUB) == DailySchedule(
        CLUB, CHANNEL, "09:00", "Europe/London", 7, "angst", _at(9, day=2), None, False, None
    )
    assert await store.daily(OTHER_CLUB) is None


async def test_only_active_schedules_that_are_due_are_due_most_overdue_first(store: Store) -> None:
    await _set(store, CLUB, _at(9))
    await _set(store, OTHER_CLUB, _at(8, 30))
    await _set(store, THIRD_CLUB, _at(8))
    await store.pause_daily(THIRD_CLUB, "Paused because I can no longer see its channel.")
    assert await store.due_dailies(_at(8, 59)) == [await store.daily(OTHER_CLUB)]
    assert [s.guild_id for s in await store.due_dailies(_at(9))] == [OTHER_CLUB, CLUB]
    await store.reschedule_daily(OTHER_CLUB, _at(9, day=2))
    assert [s.guild_id for s in await store.due_dailies(_at(10))] == [CLUB]
    assert (await store.daily(OTHER_CLUB)).next_post_at == _at(9, day=2)  # type: ignore[union-attr]


@pytest.fixture
def in_london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's own time zone is London's, with its summer time."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_london")
async def test_due_times_are_instants_whatever_the_machines_time_zone(store: Store) -> None:
    await _set(store, CLUB, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 01:30 in summer time
    await _set(store, OTHER_CLUB, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 01:30 in winter
    due = await store.due_dailies(datetime(2026, 10, 25, 1, 15, tzinfo=UTC))
    assert [schedule.guild_id for schedule in due] == [CLUB]


async def test_a_schedule_removed_is_gone_once(store: Store) -> None:
    await _set(store)
    assert await store.remove_daily(CLUB) is True
    assert await store.daily(CLUB) is None
    assert await store.due_dailies(_at(12)) == []
    assert await store.remove_daily(CLUB) is False


async def test_a_day_is_claimed_once_and_its_first_claim_stands(store: Store) -> None:
    await _set(store)
    first = await _claim(store, excerpt_id=5, late=True)
    assert first == DailyPost(CLUB, DAY, 5, CHANNEL, None, True, 0, None)
    assert await _claim(store, excerpt_id=6, channel_id=99, late=False) == first
    assert (await _claim(store, NEXT_DAY, excerpt_id=6)).excerpt_id == 6
    assert await store.daily_post(CLUB, DAY) == first
    assert await store.daily_post(OTHER_CLUB, DAY) is None


async def test_a_send_is_recorded_with_the_next_due_time(store: Store) -> None:
    await _set(store)
    await _claim(store)
    await store.retry_daily_post(CLUB, DAY, trouble_since=_at(9), retry_at=_at(9, 1))
    await store.retry_daily_post(CLUB, DAY, trouble_since=_at(9), retry_at=_at(9, 3))
    retrying = await store.daily(CLUB)
    assert (retrying.trouble_since, retrying.next_post_at) == (_at(9), _at(9, 3))  # type: ignore[union-attr]
    assert (await store.daily_post(CLUB, DAY)).attempts == 2  # type: ignore[union-attr]
    await store.daily_post_sent(CLUB, DAY, 777, _at(8, day=2))
    sent = await store.daily_post(CLUB, DAY)
    assert (sent.message_id, sent.attempts, sent.given_up_at) == (777, 2, None)  # type: ignore[union-attr]
    schedule = await store.daily(CLUB)
    assert (schedule.trouble_since, schedule.next_post_at) == (None, _at(8, day=2))  # type: ignore[union-attr]


async def test_only_an_unsent_post_is_given_up(clocked_store: Store, clock: Clock) -> None:
    store = clocked_store
    await _set(store)
    await _claim(store, DAY)
    await store.daily_post_sent(CLUB, DAY, 777, _at(8, day=2))
    await _claim(store, NEXT_DAY)
    await store.retry_daily_post(CLUB, NEXT_DAY, trouble_since=_at(9, day=2), retry_at=_at(10))
    clock.now = _at(23, 59, day=2)
    await store.give_up_daily_post(CLUB, DAY, _at(8, day=3))
    await store.give_up_daily_post(CLUB, NEXT_DAY, _at(8, day=3))
    assert (await store.daily_post(CLUB, DAY)).given_up_at is None  # type: ignore[union-attr]
    assert (await store.daily_post(CLUB, NEXT_DAY)).given_up_at == clock.now  # type: ignore[union-attr]
    schedule = await store.daily(CLUB)
    assert (schedule.trouble_since, schedule.next_post_at) == (None, _at(8, day=3))  # type: ignore[union-attr]


async def test_the_last_post_is_the_latest_one_sent(store: Store) -> None:
    await _set(store)
    assert await store.last_daily_post(CLUB) is None
    await _claim(store, DAY)
    assert await store.last_daily_post(CLUB) is None  # claimed, not known to be sent
    await store.daily_post_sent(CLUB, DAY, 777, _at(8, day=2))
    await _claim(store, NEXT_DAY + timedelta(days=1))
    await _claim(store, NEXT_DAY)
    await store.daily_post_sent(CLUB, NEXT_DAY, 778, _at(8, day=3))
    last = await store.last_daily_post(CLUB)
    assert (last.posted_on, last.message_id) == (NEXT_DAY, 778)  # type: ignore[union-attr]
    assert await store.last_daily_post(OTHER_CLUB) is None


async def test_a_process_posts_for_the_guilds_of_its_shards_only(store: Store) -> None:
    on_shard_1 = (1 << 22) + 4  # (id >> 22) % 2 == 1
    on_shard_0 = (2 << 22) + 4
    for guild in (on_shard_0, on_shard_1):
        await _set(store, guild, _at(9))
    assert [s.guild_id for s in await store.due_dailies(_at(9), Shards(2, (0,)))] == [on_shard_0]
    assert [s.guild_id for s in await store.due_dailies(_at(9), Shards(2, (1,)))] == [on_shard_1]
    both = await store.due_dailies(_at(9), Shards(2, (0, 1)))
    assert {s.guild_id for s in both} == {on_shard_0, on_shard_1}


async def test_the_news_of_a_pause_is_taken_once(store: Store) -> None:
    await _set(store)
    assert not await store.take_pause_news(CLUB)  # not paused: nothing to tell
    await store.pause_daily(CLUB, "the channel is gone")
    assert await store.take_pause_news(CLUB)
    assert not await store.take_pause_news(CLUB)  # told already
