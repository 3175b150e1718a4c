"""Reading beyond the channel: a member reads their server's stories in DMs with the bot, as
long as Discord says they are a member."""

from __future__ import annotations

import pytest

from bot.access import Changer
from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.server import Standin
from tests.conftest import BotRunner, reader_page

ISLAND = StoryDraft(
    title="The Island Ferry",
    author="Wren",
    rating=Rating.GENERAL,
    chapters=(
        ChapterDraft("Crossing", "The ferry left at dawn, as it had for sixty years."),
        ChapterDraft("Landing", "The island had one road, and the ferryman knew all of it."),
    ),
)


async def test_a_member_reads_their_servers_story_in_dms_and_a_stranger_does_not(
    storybot: BotRunner, standin: Standin
) -> None:
    member = standin.user("reader2", guild="Other Club")
    stranger = standin.user("reader")  # not in Other Club
    async with storybot() as bot:
        await bot.store.save_story(
            ISLAND, source_key="i", content_hash="i", guild_id=standin.world.guild("Other Club").id,
            page_size=900,
        )  # fmt: skip
        await member.slash("read", story="The Island Ferry")
        await bot.store.flush()  # their place there, written while the page was on its way
        suggested = await member.autocomplete("read", "story", "island", where="dm")
        assert [choice["name"] for choice in suggested] == ["The Island Ferry — Wren"]
        opened = await member.slash("read", story="The Island Ferry", where="dm")
        assert "The ferry left at dawn" in opened.text
        refused = await stranger.slash("read", story="The Island Ferry", where="dm")
        assert "couldn't find a story called" in refused.text
        assert "ferry left" not in refused.text


async def test_someone_who_left_the_server_no_longer_reads_its_stories_in_dms(
    storybot: BotRunner, standin: Standin
) -> None:
    member = standin.user("reader2", guild="Other Club")
    async with storybot() as bot:
        await bot.store.save_story(
            ISLAND, source_key="i", content_hash="i", guild_id=standin.world.guild("Other Club").id,
            page_size=900,
        )  # fmt: skip
        await member.slash("read", story="The Island Ferry")
        await bot.store.flush()
        opened = await member.slash("continue", where="dm")
        assert "The ferry left at dawn" in opened.text
    del standin.world.guild("Other Club").members["reader2"]
    async with storybot():  # Discord is asked again
        refused = await member.slash("continue", where="dm")
        assert "ferry left" not in refused.text
        assert refused.ephemeral
        turned = await opened.click("Chapter »")  # an old button of the DM copy
        assert "not in the library here any more" in turned.text
        assert "island had one road" not in turned.text


async def test_a_dm_notices_read_button_opens_the_new_chapter_there(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        guild = standin.world.guild("Story Club").id
        story_id = await bot.store.add_upload(
            guild, ISLAND, content_hash="1", user_id=moderator.user.id, page_size=900
        )
        await reader.slash("subscribe story", story="The Island Ferry")
        more = (ChapterDraft("Return", "The ferry came back at dusk with one passenger."),)
        await bot.store.append_chapters(
            story_id, Changer(guild, moderator.user.id, True), more, content_hash="2", page_size=900
        )
        await bot.get_cog("Subscriptions").deliver_pending()
        told = standin.dms(reader)[-1]
        assert "new chapter 3" in told.text
        opened = await reader.click(told, "Read “The Island Ferry”")
        assert "The ferry came back at dusk" in opened.text


async def test_a_reader_who_added_the_app_reads_in_a_dm_with_a_friend(
    storybot: BotRunner, standin: Standin
) -> None:
    world = standin.world
    world.user("reader2").installed_app = True
    with_friend = world.private_channel("reader2", "reader")
    member, friend = standin.user("reader2", guild="Other Club"), standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(
            ISLAND, source_key="i", content_hash="i", guild_id=world.guild("Other Club").id,
            page_size=900,
        )  # fmt: skip
        await member.slash("read", story="The Island Ferry")  # read in Other Club: theirs in DMs
        opened = await member.slash("read", story="Heart Broken", where=with_friend)
        first = reader_page(opened)
        assert first.title == "Heart Broken"
        assert first.footer.startswith("page 1 of ")
        turned = await opened.click("Next ▶")
        assert turned.message is opened.message
        second = reader_page(turned)
        assert second.footer.startswith("page 2 of ")
        assert second.text != first.text
        await bot.store.flush()
        again = await member.slash("continue", where=with_friend)
        assert reader_page(again).footer.startswith("page 2 of ")
        theirs = await member.slash("read", story="The Island Ferry", where=with_friend)
        assert "The ferry left at dawn" in theirs.text
        with pytest.raises(AssertionError, match="reader has not added the app"):
            await friend.slash("read", story="Heart Broken", where=with_friend)
        with pytest.raises(AssertionError, match="cannot be used in DMs between users"):
            await member.slash("subscribe story", story="Heart Broken", where=with_friend)
