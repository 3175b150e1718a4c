"""Two bot processes sharing one library, each running one of two shards: each answers its
shards' guilds, does their daily posts and announcements, and a DM notice is sent once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.app import StoryBot
from bot.config import Settings
from bot.importing import import_library_if_empty
from bot.library.model import ChapterDraft, Rating, StoryDraft
from bot.store import Store
from standin.fixtures import running
from standin.server import Standin
from standin.world import MODERATOR_PERMISSIONS, Role, on_shard
from tests.conftest import Clock, reader_page

LANTERN = StoryDraft(
    title="The Lantern Keeper",
    author="Wren",
    rating=Rating.GENERAL,
    chapters=(ChapterDraft("One", "The lantern swung over the quiet harbour. " * 30),),
)


@asynccontextmanager
async def two_processes(
    standin: Standin, settings: Settings, clock: Clock
) -> AsyncIterator[tuple[StoryBot, StoryBot]]:
    """Story Club on shard 0 of 2 and Other Club on shard 1, and a bot process for each shard
    with a store of its own on the one library (the samples imported once, by the first)."""
    standin.world.guild("Story Club").id = on_shard(0, 2)
    standin.world.guild("Other Club").id = on_shard(1, 2)
    async with AsyncExitStack() as stack:
        bots = []
        for shard in (0, 1):
            store = await Store.open(settings.database, clock=clock)
            stack.push_async_callback(store.close)
            await import_library_if_empty(store, settings.library_dir, settings.page_size)
            mine = dataclasses.replace(settings, shard_count=2, shard_ids=(shard,))
            bot = StoryBot(mine, store, guild_ready_timeout=0.05)
            bots.append(await stack.enter_async_context(running(bot, standin)))
        yield bots[0], bots[1]


async def test_each_process_answers_its_shards_guilds(
    standin: Standin, settings: Settings, clock: Clock
) -> None:
    async with two_processes(standin, settings, clock) as (first, second):
        assert [guild.name for guild in first.guilds] == ["Story Club"]
        assert [guild.name for guild in second.guilds] == ["Other Club"]
        assert await first.store.story_count() == 3  # the samples, imported once
        synced = [r for r in standin.requests if r.startswith("PUT /applications/")]
        assert len(synced) == 1  # by the process of shard 0
        for reader, guild in (("reader", "Story Club"), ("reader2", "Other Club")):
            page = await standin.user(reader, guild).slash("read", story="Heart Broken")
            assert reader_page(page).title == "Heart Broken"
        club = standin.world.guild("Other Club").id
        await second.store.add_upload(club, LANTERN, content_hash="l", user_id=1, page_size=900)
        there = await standin.user("reader2", "Other Club").slash("read", story="Lantern")
        assert reader_page(there).title == "The Lantern Keeper"  # read at once where uploaded
        here = await standin.user("reader", "Story Club").slash("read", story="Lantern")
        assert "couldn't find a story called" in here.text  # and not in the other server


async def test_daily_posts_and_a_dm_notice_go_out_once_whichever_process_runs_first(
    standin: Standin, settings: Settings, clock: Clock
) -> None:
    club = standin.world.guild("Other Club")
    club.roles.append(Role("Moderator", MODERATOR_PERMISSIONS))
    club.members["moderator"] = ["Moderator"]  # a moderator there too
    async with two_processes(standin, settings, clock) as (first, second):
        for guild in ("Story Club", "Other Club"):
            moderator = standin.user("moderator", guild)
            await moderator.slash("daily set", channel="general", time="13:00")
        reader = standin.user("reader2", "Other Club")
        await reader.slash("subscribe all")
        await second.store.add_upload(club.id, LANTERN, content_hash="l", user_id=1, page_size=900)
        clock.now = clock.now.replace(hour=13)
        for _ in range(2):  # both processes at once, twice: still one of each
            await asyncio.gather(
                *(bot.get_cog("Daily").post_due() for bot in (first, second)),
                *(bot.get_cog("Subscriptions").deliver_pending() for bot in (first, second)),
            )
    for guild in ("Story Club", "Other Club"):
        general = standin.channel("general", guild)
        assert len(standin.messages(general)) == 1
        assert standin.requests.count(f"POST /channels/{general.id}/messages") == 1  # one sender
    (notice,) = standin.dms("reader2")
    assert "The Lantern Keeper" in str(notice.components)
    dm = standin.world.dm_channel(standin.world.user("reader2"))
    assert standin.requests.count(f"POST /channels/{dm.id}/messages") == 1
