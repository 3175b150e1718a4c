"""End-to-end tests of the stand-in's threads and forums, driving a bare discord.py client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import discord
import pytest
from discord import app_commands

from standin.fixtures import running
from standin.server import Standin
from standin.world import (
    CREATE_PUBLIC_THREADS,
    MANAGE_CHANNELS,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Thread,
)

T = TypeVar("T")


class Bare(discord.Client):
    """A bare client with one command, `/where`, which says where it was used; `created` and
    `updated` are the threads THREAD_CREATE and THREAD_UPDATE told it of."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.updated: list[int] = []
        self.created: list[int] = []

        @self.tree.command()
        async def where(interaction: discord.Interaction) -> None:
            """Says where it was used."""
            place = interaction.channel
            kind = type(place).__name__
            await interaction.response.send_message(f"{kind} {getattr(place, 'name', '')}")

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.created.append(thread.id)  # only for a THREAD_CREATE that is `newly_created`

    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        self.updated.append(payload.thread_id)


@asynccontextmanager
async def client(standin: Standin) -> AsyncIterator[Bare]:
    """A bare client on the stand-in, ready."""
    bare = Bare()
    async with running(bare, standin):
        yield bare


async def eventually(probe: Callable[[], T | None], what: str) -> T:
    """What `probe` gives once the client's cache has caught up with the gateway."""
    try:
        async with asyncio.timeout(2):
            while not (found := probe()):  # noqa: ASYNC110 - nothing signals the client's cache
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"waited 2 s for {what}") from None
    return found


def text_channel(
    bot: discord.Client, standin: Standin, name: str = "general"
) -> discord.TextChannel:
    channel = bot.get_channel(standin.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


def forum(bot: discord.Client, standin: Standin) -> discord.ForumChannel:
    channel = bot.get_channel(standin.channel("discussions").id)
    assert isinstance(channel, discord.ForumChannel)
    return channel


async def start(
    bot: discord.Client, standin: Standin, name: str = "Prom Night, chapter 1"
) -> discord.Thread:
    """A public thread in #general, once the client has it in its cache."""
    made = await text_channel(bot, standin).create_thread(
        name=name, type=discord.ChannelType.public_thread
    )
    cached = await eventually(lambda: bot.get_channel(made.id), "THREAD_CREATE")
    assert isinstance(cached, discord.Thread)
    return cached


def deny(standin: Standin, channel: str, bits: int) -> None:
    """An overwrite on `channel` denying the bot's role `bits`."""
    standin.channel(channel).overwrites["Storybot"] = (0, bits)


async def test_a_thread_in_a_text_channel_is_made_cached_and_fetched(standin: Standin) -> None:
    async with client(standin) as bot:
        thread = await start(bot, standin)
        assert isinstance(thread, discord.Thread)
        assert (thread.parent_id, thread.owner_id) == (standin.channel("general").id, bot.user.id)
        assert thread.type is discord.ChannelType.public_thread
        assert not thread.archived and not thread.locked and thread.auto_archive_duration == 1440
        assert bot.created == [thread.id]
        [kept] = standin.threads("general")
        assert (kept.id, kept.name) == (thread.id, "Prom Night, chapter 1")
        await thread.send("What did you think of the ending?")
        assert [m.content for m in standin.messages(kept)] == ["What did you think of the ending?"]
        assert standin.messages("general") == []
        fetched = await bot.fetch_channel(thread.id)
        assert isinstance(fetched, discord.Thread) and fetched.message_count == 1
        assert [t.id for t in await bot.guilds[0].active_threads()] == [thread.id]
        second = await thread.send("And the one before?")
        await second.delete()
        assert (kept.message_count, kept.total_message_sent) == (1, 2)


async def test_a_forum_post_is_made_with_its_first_message_and_tags(standin: Standin) -> None:
    async with client(standin) as bot:
        discussions = forum(bot, standin)
        [chapters] = discussions.available_tags
        post = await discussions.create_thread(
            name="Prom Night, chapter 2", content="Chapter 2 is out", applied_tags=[chapters]
        )
        assert post.message.id == post.thread.id  # the first message has the thread's id
        assert post.thread.applied_tags == [chapters] and post.thread.message_count == 0
        [kept] = standin.threads("discussions")
        assert [m.content for m in standin.messages(kept)] == ["Chapter 2 is out"]
        cached = await eventually(lambda: bot.get_channel(post.thread.id), "THREAD_CREATE")
        assert isinstance(cached, discord.Thread) and cached.parent is discussions
        edited = await post.thread.edit(applied_tags=[])
        assert edited.applied_tags == []
        with pytest.raises(discord.HTTPException) as posted:
            await bot.get_partial_messageable(discussions.id).send("straight into the forum")
        assert posted.value.code == 40058


async def test_a_forum_post_needs_a_message_and_at_most_five_known_tags(standin: Standin) -> None:
    async with client(standin) as bot:
        discussions = forum(bot, standin)
        [chapters] = discussions.available_tags
        unknown = discord.ForumTag(name="Gone")
        unknown.id = 1234
        for fields in ({}, {"applied_tags": [chapters] * 6}, {"applied_tags": [unknown]}):
            content = {"content": "hello"} if fields else {}
            with pytest.raises(discord.HTTPException) as refused:
                await discussions.create_thread(name="Prom Night", **content, **fields)
            assert (refused.value.status, refused.value.code) == (400, 50035)
    details = [v.detail for v in standin.violations]
    assert "message.content: Cannot send an empty message" in details[0]
    assert "applied_tags: Must be between 0 and 5 in length." in details[1]
    assert "applied_tags.0: Unknown tag." in details[2]
    assert standin.threads("discussions") == []
    standin.violations.clear()


async def test_a_forums_tags_are_changed_by_those_who_manage_channels(standin: Standin) -> None:
    async with client(standin) as bot:
        discussions = forum(bot, standin)
        [chapters] = discussions.available_tags
        tags = [chapters, discord.ForumTag(name="Spoilers", emoji="🙈")]
        with pytest.raises(discord.Forbidden) as refused:
            await discussions.edit(available_tags=tags)
        assert refused.value.code == 50013
        standin.world.guild().role("Storybot").permissions |= MANAGE_CHANNELS
        edited = await discussions.edit(available_tags=tags)
        assert [tag.name for tag in edited.available_tags] == ["Chapters", "Spoilers"]
        assert edited.available_tags[0].id == chapters.id  # a tag kept keeps its id
        assert standin.channel("discussions").available_tags[1]["emoji_name"] == "🙈"
        await eventually(lambda: len(forum(bot, standin).available_tags) == 2, "CHANNEL_UPDATE")
        many = [discord.ForumTag(name=f"Tag {n}") for n in range(21)]
        with pytest.raises(discord.HTTPException) as too_many:
            await discussions.edit(available_tags=many)
        assert too_many.value.code == 50035
    assert [v.kind for v in standin.violations] == ["invalid"]
    standin.violations.clear()


async def test_threads_need_their_permissions(standin: Standin) -> None:
    deny(standin, "general", CREATE_PUBLIC_THREADS)
    deny(standin, "discussions", SEND_MESSAGES)
    deny(standin, "locked", VIEW_CHANNEL)
    async with client(standin) as bot:
        public = discord.ChannelType.public_thread
        with pytest.raises(discord.Forbidden) as in_text:
            await text_channel(bot, standin).create_thread(name="Prom Night", type=public)
        with pytest.raises(discord.Forbidden) as in_forum:
            await forum(bot, standin).create_thread(name="Prom Night", content="Chapter 1")
        with pytest.raises(discord.Forbidden) as unseen:
            await text_channel(bot, standin, "locked").create_thread(name="Prom", type=public)
        codes = [refused.value.code for refused in (in_text, in_forum, unseen)]
        assert codes == [50013, 50013, 50001]
        deny(standin, "general", SEND_MESSAGES)  # "has no effect in threads"
        thread = await start(bot, standin)
        await thread.send("sent with Send Messages in Threads")
        deny(standin, "general", SEND_MESSAGES_IN_THREADS)
        with pytest.raises(discord.Forbidden) as silent:
            await thread.send("not without it")
        assert silent.value.code == 50013


async def test_a_thread_is_public_only_when_asked_for(standin: Standin) -> None:
    async with client(standin) as bot:
        with pytest.raises(discord.HTTPException) as private:
            await text_channel(bot, standin).create_thread(name="Prom Night")  # discord.py: private
        assert private.value.code == 50035
    assert "type" in standin.violations[0].detail
    standin.violations.clear()


async def test_archived_threads_are_unarchived_by_a_message_or_an_edit(standin: Standin) -> None:
    async with client(standin) as bot:
        thread = await start(bot, standin)
        [kept] = standin.threads("general")
        sent = await thread.send("first")
        await standin.archive(kept)
        await eventually(lambda: bot.get_channel(thread.id) is None, "the archive's THREAD_UPDATE")
        for action in (thread.edit(name="Renamed"), sent.edit(content="edited")):
            with pytest.raises(discord.Forbidden) as archived:
                await action
            assert archived.value.code == 50083
        await thread.send("back again")
        assert not kept.archived and [m.content for m in standin.messages(kept)][-1] == "back again"
        cached = await eventually(lambda: bot.get_channel(thread.id), "the unarchive's update")
        assert isinstance(cached, discord.Thread) and not cached.archived
        await standin.archive(kept)
        edited = await thread.edit(archived=False, name="Prom Night, chapter 1 (spoilers)")
        assert not edited.archived and kept.name == "Prom Night, chapter 1 (spoilers)"
        assert edited.archive_timestamp > thread.archive_timestamp  # changed by each archiving
        closed = await thread.edit(archived=True)
        assert closed.archived and kept.archived


async def test_locked_threads_are_for_those_who_manage_threads(standin: Standin) -> None:
    async with client(standin) as bot:
        thread = await start(bot, standin)
        [kept] = standin.threads("general")
        locked = await thread.edit(locked=True)  # the bot's role manages threads
        assert locked.locked and kept.locked
        await thread.send("moderators may still post")
        deny(standin, "general", MANAGE_THREADS)
        with pytest.raises(discord.Forbidden) as unlocking:
            await thread.edit(locked=False)
        assert unlocking.value.code == 50013
        with pytest.raises(discord.Forbidden) as posting:
            await thread.send("not any more")
        assert posting.value.code == 160005
        await standin.archive(kept)  # a moderator's Close & Lock
        with pytest.raises(discord.Forbidden) as reopening:
            await thread.edit(archived=False)
        assert reopening.value.code == 50013
        with pytest.raises(discord.Forbidden) as archived:
            await thread.send("nor here")
        assert archived.value.code == 50083
        other = await start(bot, standin, "Winter Tale, chapter 1")
        with pytest.raises(discord.Forbidden) as locking:
            await other.edit(locked=True)
        assert locking.value.code == 50013


async def test_only_moderators_change_more_than_unarchiving_a_thread_of_someone_else(
    standin: Standin,
) -> None:
    moderator = standin.world.user("moderator")
    theirs = Thread("Their talk", parent=standin.channel("general"), owner=moderator)
    standin.world.guild().threads.append(theirs)
    deny(standin, "general", MANAGE_THREADS)
    async with client(standin) as bot:
        thread = await eventually(lambda: bot.get_channel(theirs.id), "GUILD_CREATE's thread")
        assert isinstance(thread, discord.Thread) and thread.owner_id == moderator.id
        for change in ({"name": "Ours now"}, {"archived": True}):
            with pytest.raises(discord.Forbidden) as refused:
                await thread.edit(**change)  # type: ignore[arg-type]
            assert refused.value.code == 50013
        await standin.archive(theirs)
        assert not (await thread.edit(archived=False)).archived
        with pytest.raises(discord.Forbidden) as deleting:
            await thread.delete()
        assert deleting.value.code == 50013


async def test_a_deleted_thread_is_unknown_afterwards(standin: Standin) -> None:
    async with client(standin) as bot:
        thread = await start(bot, standin)
        await standin.delete_channel(standin.threads("general")[0])
        await eventually(lambda: bot.get_channel(thread.id) is None, "THREAD_DELETE")
        assert standin.threads("general") == []
        for action in (bot.fetch_channel(thread.id), thread.send("anyone?")):
            with pytest.raises(discord.NotFound) as unknown:
                await action
            assert unknown.value.code == 10003
        mine = await start(bot, standin, "Deleted by the bot")
        await mine.delete()
        await eventually(lambda: bot.get_channel(mine.id) is None, "THREAD_DELETE")
        assert standin.threads("general") == []
        last = await start(bot, standin, "Gone with its channel")
        await standin.delete_channel(standin.channel("general"))
        await eventually(lambda: bot.get_channel(last.id) is None, "CHANNEL_DELETE")
        assert bot.get_channel(last.parent_id) is None
        assert "general" not in [c.name for c in standin.world.guild().channels]
        assert standin.world.guild().threads == []


async def test_a_threads_name_is_one_to_a_hundred_characters(standin: Standin) -> None:
    async with client(standin) as bot:
        general = text_channel(bot, standin)
        for name in ("", "x" * 101):
            with pytest.raises(discord.HTTPException) as refused:
                await general.create_thread(name=name, type=discord.ChannelType.public_thread)
            assert (refused.value.status, refused.value.code) == (400, 50035)
        thread = await start(bot, standin, "x" * 100)
        with pytest.raises(discord.HTTPException) as renamed:
            await thread.edit(name="y" * 101)
        assert renamed.value.code == 50035
        with pytest.raises(discord.HTTPException) as lasting:
            await thread.edit(auto_archive_duration=30)  # type: ignore[arg-type]
        assert lasting.value.code == 50035
    assert ["name" in v.detail for v in standin.violations] == [True] * 3 + [False]
    assert "auto_archive_duration: Must be one of (60, 1440, 4320, 10080)." in str(
        standin.violations[-1]
    )
    standin.violations.clear()


async def test_threads_active_on_connecting_are_in_guild_create(standin: Standin) -> None:
    guild, bot_user = standin.world.guild(), standin.world.bot
    general = standin.channel("general")
    active = Thread("Prom Night, chapter 1", parent=general, owner=bot_user)
    archived = Thread("Prom Night, chapter 2", parent=general, owner=bot_user, archived=True)
    guild.threads += [active, archived]
    unseen = Thread("Behind closed doors", parent=standin.channel("locked"), owner=bot_user)
    guild.threads.append(unseen)
    deny(standin, "locked", VIEW_CHANNEL)
    async with client(standin) as bot:
        assert isinstance(bot.get_channel(active.id), discord.Thread)
        assert bot.get_channel(archived.id) is None
        assert isinstance(await bot.fetch_channel(archived.id), discord.Thread)
        assert [t.id for t in await bot.guilds[0].active_threads()] == [active.id]
        await standin.archive(unseen)  # no THREAD_UPDATE for a thread the bot cannot see
        await standin.archive(active)
        await eventually(lambda: bot.updated, "THREAD_UPDATE")
        assert bot.updated == [active.id]


async def test_rate_limits_and_server_errors_in_making_a_thread_are_retried(
    standin: Standin,
) -> None:
    general = standin.channel("general")
    async with client(standin) as bot:
        standin.fail("POST", "/channels/{id}/threads", 429, retry_after=0.05)
        await start(bot, standin)
        standin.fail("POST", f"/channels/{general.id}/threads", 500)
        await start(bot, standin, "Prom Night, chapter 2")
    assert standin.requests.count(f"POST /channels/{general.id}/threads") == 4
    assert [t.name for t in standin.threads("general")] == [
        "Prom Night, chapter 1",
        "Prom Night, chapter 2",
    ]


async def test_a_command_used_in_a_thread_is_answered_there(standin: Standin) -> None:
    async with client(standin) as bot:
        await start(bot, standin)
        [kept] = standin.threads("general")
        reply = await standin.user("reader").slash("where", where=kept)
        assert reply.content == "Thread Prom Night, chapter 1"
        assert standin.messages(kept) == [reply.message]
    assert Thread("Spoilers", parent=standin.channel("nsfw-reading")).nsfw  # as its parent
