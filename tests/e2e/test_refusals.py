"""What a reader is told, word for word, when the bot will not show something, and that nothing
else happens: gone chapters and stories, ratings, someone else's menu, the largest ids."""

from __future__ import annotations

import asyncio
import re

from bot.access import Viewer
from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.driver import Reply
from standin.server import Standin
from tests.conftest import BotRunner

GONE = "That story is not in the library here any more."
MAX_ID = 2**63 - 1


def _draft(chapters: int) -> StoryDraft:
    return StoryDraft(
        title="The Beacon",
        author="Ada Quill",
        rating=Rating.GENERAL,
        chapters=tuple(
            ChapterDraft(f"Light {n}", f"Light {n}: the beacon turned over the water. " * 30)
            for n in range(1, chapters + 1)
        ),
    )


def _story_id(reply: Reply) -> int:
    """The story a reader's page shows, as its buttons carry it."""
    return int(re.search(r"rd:next:\d+:(\d+):", str(reply.components))[1])  # type: ignore[index]


async def _place_saved(bot: StoryBot, user_id: int, guild_id: int) -> None:
    """Wait until the reader's place is written: a page is answered while its place is saved."""
    for _ in range(500):
        if await bot.store.bookmarks(Viewer(user_id, guild_id, True)):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the reader's place was not saved")


async def test_a_chapter_no_longer_in_the_story_says_so(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(_draft(3), source_key="beacon", content_hash="1", page_size=900)
        reply = await reader.slash("read", story="The Beacon")
        await bot.store.save_story(_draft(1), source_key="beacon", content_hash="2", page_size=900)
        refused = await reply.click("Chapter »")
        assert refused.ephemeral
        assert refused.text == (
            "That chapter is not in the story any more: open the story again with /read."
        )


async def test_an_old_button_of_a_removed_story_says_only_that_it_is_gone(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await bot.store.add_upload(
            standin.world.guild().id,
            _draft(2),
            content_hash="beacon",
            user_id=moderator.user.id,
            page_size=900,
        )
        reply = await reader.slash("read", story="The Beacon")
        asked = await moderator.slash("library remove", story="The Beacon")
        await asked.click("Remove it")
        refused = await reply.click("Next ▶")
        assert refused.ephemeral
        assert refused.text == GONE


async def test_a_rating_refusal_says_where_the_story_can_be_read(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        in_dms = await reader.slash("read", story="Hello, Princess", where="dm")
        assert in_dms.text == (
            "That story is rated Mature. To read it in DMs, confirm you are an adult with "
            "`/mature-content allow:True`."
        )
        await reader.slash("read", story="Hello, Princess", where="nsfw-reading")
        await _place_saved(bot, reader.user.id, standin.world.guild().id)
        back = await reader.slash("continue", where="general")
        assert back.ephemeral
        assert back.text == (
            "That story is rated Mature, so it can only be read in an age-restricted channel "
            "of this server."
        )
        assert "Hello, Princess" in (await reader.slash("continue", where="nsfw-reading")).text


async def test_someone_elses_menu_changes_nothing_for_its_user_either(
    storybot: BotRunner, standin: Standin
) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with storybot() as bot:
        story = _story_id(await other.slash("read", story="Heart Broken"))
        await _place_saved(bot, other.user.id, standin.world.guild().id)
        owner = reader.user.id
        for custom_id, value in [
            (f"progress:forget:{owner}", str(story)),
            (f"progress:continue:{owner}", str(story)),
        ]:
            refused = await other.forge(custom_id, value)
            assert refused.ephemeral
            assert refused.text == (
                "That menu is someone else's: run the command yourself for your own."
            )
        await asyncio.sleep(0.2)  # what a refused choice went on to do would be done by now
        assert "Heart Broken" in (await other.slash("progress")).text


async def test_the_largest_id_a_button_can_carry_is_looked_up(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        owner = reader.user.id
        for custom_id, values in [
            (f"rd:next:{owner}:{MAX_ID}:1:1", ()),
            ("brinfo", (str(MAX_ID),)),
        ]:
            reply = await reader.forge(custom_id, *values)
            assert reply.ephemeral
            assert reply.text == GONE
