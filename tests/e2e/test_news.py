"""News invites reading: announcements and daily posts show a story's rating and warnings (in
spoilers), and a Read button opens the new chapter."""

from __future__ import annotations

import discord

from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.server import Standin
from standin.world import Role
from tests.conftest import BotRunner, Clock, reader_page, shown_excerpt, text_displays, unescaped

LAMP = StoryDraft(
    title="The Lighthouse Keeper",
    author="Ada Quill",
    rating=Rating.TEEN,
    warnings=("Major Character Death",),
    chapters=(
        ChapterDraft("The Lamp", "The lamp had not gone out in forty years."),
        ChapterDraft("The Storm", "The storm came in sideways, as the old keeper had warned."),
    ),
)


async def test_an_announcement_shows_rating_and_warnings_and_opens_the_new_chapter(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await moderator.slash("announce set", channel="announcements")
        guild = standin.world.guild("Story Club").id
        story_id = await bot.store.add_upload(
            guild, LAMP, content_hash="1", user_id=moderator.user.id, page_size=900
        )
        await bot.get_cog("Subscriptions").deliver_pending()
        more = (ChapterDraft("The Boat", "A boat came out of the dark with no lights at all."),)
        await bot.store.append_chapters(
            story_id, guild, more, content_hash="2", user_id=moderator.user.id, page_size=900
        )
        await bot.get_cog("Subscriptions").deliver_pending()
        first, then = standin.messages("announcements")
        text = unescaped(then.text)
        assert "“The Lighthouse Keeper” by Ada Quill: new chapter 3" in text
        assert "Teen And Up Audiences" in text
        assert "||Major Character Death||" in text
        opened = await reader.click(then, "Read “The Lighthouse Keeper”")
        assert opened.ephemeral
        assert "A boat came out of the dark" in reader_page(opened).text
        opened = await reader.click(first, "Read “The Lighthouse Keeper”")
        assert "The lamp had not gone out" in reader_page(opened).text


async def test_a_daily_post_shows_the_storys_rating(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    async with storybot() as bot:
        await standin.user("moderator").slash("daily set", channel="general", time="13:00")
        clock.now = clock.now.replace(hour=13)
        await bot.get_cog("Daily").post_due()
        post = standin.messages("general")[-1]
        about = shown_excerpt(post).source.split(" · ")
        assert any(rating.value in about for rating in Rating)


async def test_rating_and_warnings_are_picked_from_menus_in_the_details_form(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        guild = standin.world.guild("Story Club").id
        await bot.store.add_upload(
            guild, LAMP, content_hash="1", user_id=moderator.user.id, page_size=900
        )
        form = await moderator.slash("library edit", story="The Lighthouse Keeper")
        labels = [row.get("label") for row in form.modal["components"]]
        assert labels[2:4] == ["Rating", "Archive warnings"]
        warnings = ["Graphic Depictions Of Violence", "No Archive Warnings Apply"]
        await form.submit_modal({"Rating": ["General Audiences"], "Archive warnings": warnings})
        card = unescaped((await reader.slash("story info", story="The Lighthouse Keeper")).text)
        assert "General Audiences" in card
        assert "||Graphic Depictions Of Violence, No Archive Warnings Apply||" in card
        form = await moderator.slash("library edit", story="The Lighthouse Keeper")
        await form.submit_modal({"Archive warnings": []})  # the rating menu keeps its choice
        card = unescaped((await reader.slash("story info", story="The Lighthouse Keeper")).text)
        assert "General Audiences" in card
        assert "Warnings" not in card


async def test_news_pings_the_chosen_role_and_no_one_else(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    club = standin.world.guild("Story Club")
    club.roles.append(Role("Readers"))
    club.role("Storybot").permissions |= discord.Permissions(mention_everyone=True).value
    moderator = standin.user("moderator")
    async with storybot() as bot:
        await moderator.slash("announce set", channel="announcements", role="Readers")
        await moderator.slash("daily set", channel="general", time="13:00", role="Readers")
        await bot.store.add_upload(
            club.id, LAMP, content_hash="1", user_id=moderator.user.id, page_size=900
        )
        await bot.get_cog("Subscriptions").deliver_pending()
        clock.now = clock.now.replace(hour=13)
        await bot.get_cog("Daily").post_due()
    readers = club.role("Readers").id
    announcement, daily = standin.messages("announcements")[-1], standin.messages("general")[-1]
    assert text_displays(announcement)[0].startswith(f"<@&{readers}> New in the library:")
    assert text_displays(daily)[0] == f"<@&{readers}>"
    for post in (announcement, daily):
        assert post.allowed_mentions["parse"] == []
        assert list(map(int, post.allowed_mentions["roles"])) == [readers]
