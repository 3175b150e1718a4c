"""News invites reading: announcements and daily posts show a story's rating and warnings (in
spoilers), and a Read button opens the new chapter."""

from __future__ import annotations

import discord
import pytest

from bot.access import Changer
from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.limits import walk_components
from standin.server import Message, Standin
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
            story_id, Changer(guild, moderator.user.id, True), more, content_hash="2", page_size=900
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


async def test_fandoms_characters_tags_and_status_are_edited_in_their_own_form(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        guild = standin.world.guild("Story Club").id
        await bot.store.add_upload(
            guild, LAMP, content_hash="1", user_id=moderator.user.id, page_size=900
        )
        form = await moderator.slash("library edit", story="The Lighthouse Keeper", part="tags")
        assert [row.get("label") for row in form.modal["components"]][-1] == "Status"
        await form.submit_modal(
            {
                "Fandoms, separated by commas": "Original Work",
                "Characters, separated by commas": "Mara, Tobias",
                "Tags, separated by commas": "Sea, Found Family",
                "Status": ["in progress"],
            }
        )
        card = unescaped((await reader.slash("story info", story="The Lighthouse Keeper")).text)
        assert "Original Work" in card
        assert "Mara, Tobias" in card
        assert "Sea, Found Family" in card
        assert "In progress" in card
        tagged = await reader.slash("stories", tag="Found Family")
        assert "The Lighthouse Keeper" in tagged.text
        form = await moderator.slash("library edit", story="The Lighthouse Keeper", part="tags")
        await form.submit_modal({"Characters, separated by commas": ""})
        card = unescaped((await reader.slash("story info", story="The Lighthouse Keeper")).text)
        assert "Mara" not in card
        assert "Sea, Found Family" in card
        assert "||Major Character Death||" in card  # the other form's details stay


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


def _uploaded(number: int, *, long: bool) -> StoryDraft:
    """A story whose line of news is short, or long: its title and author at the lengths
    announcements show in full, full of characters that escaping doubles, and more warnings
    than fit in the spoiler."""
    if not long:
        return StoryDraft(title=f"Tide {number:02}", rating=Rating.TEEN, chapters=LAMP.chapters)
    return StoryDraft(
        title=f"Tide {number:02} | the `pier` at <dawn> [#{number}] ~ " + "#:" * 30,
        author="Quill @ <the> [pier] ~ " + "|#" * 18,
        rating=Rating.TEEN,
        warnings=tuple(f"Warning {n} about {'the sea ' * 6}" for n in range(8)),
        chapters=LAMP.chapters,
    )


def _read_button(message: Message, story: StoryDraft) -> str:
    """The label of the message's "Read" button of `story` ("" for none)."""
    labels = [
        component.get("label", "") for _, component in walk_components(message.components, "")
    ]
    return next((label for label in labels if label.startswith(f"Read “{story.title[:7]}")), "")


@pytest.mark.parametrize(
    ("count", "long"),
    [(40, False), (12, True)],
    ids=["more stories than a message has buttons for", "more text than a message holds"],
)
async def test_news_too_long_for_one_message_comes_in_several_that_name_every_story(
    storybot: BotRunner, standin: Standin, count: int, long: bool
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    stories = [_uploaded(number, long=long) for number in range(1, count + 1)]
    async with storybot() as bot:
        await moderator.slash("announce set", channel="announcements")
        await reader.slash("subscribe all")
        guild = standin.world.guild("Story Club").id
        night = StoryDraft(title="Night Shift", rating=Rating.MATURE, chapters=LAMP.chapters)
        for number, draft in enumerate([*stories, night]):
            await bot.store.add_upload(
                guild, draft, content_hash=str(number), user_id=moderator.user.id, page_size=900
            )
        await bot.get_cog("Subscriptions").deliver_pending()
        assert standin.violations == []  # every message within Discord's limits
        for heading, messages in (
            ("New in the library", standin.messages("announcements")),
            ("New on Story Club", standin.dms(reader)),
        ):
            assert len(messages) > 1
            texts = [unescaped(message.text) for message in messages]
            for number, text in enumerate(texts, 1):
                assert text.startswith(f"{heading} ({number} of {len(messages)}):\n• New story: ")
            for story in stories:
                named = [at for at, text in enumerate(texts) if f"“{story.title}” by " in text]
                assert len(named) == 1, story.title
                assert _read_button(messages[named[0]], story)
            assert "1 more story, rated Mature" in texts[-1]
            assert "Night Shift" not in "".join(texts)
            opened = await reader.click(messages[-1], _read_button(messages[-1], stories[-1]))
            assert "The lamp had not gone out" in reader_page(opened).text


async def test_news_in_several_messages_failing_half_way_sends_only_the_rest_again(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    stories = [_uploaded(number, long=False) for number in range(1, 31)]
    async with storybot() as bot:
        await reader.slash("subscribe all")
        guild = standin.world.guild("Story Club").id
        for number, draft in enumerate(stories):
            await bot.store.add_upload(
                guild, draft, content_hash=str(number), user_id=moderator.user.id, page_size=900
            )
        dm = standin.world.dm_channel(reader.user)
        standin.fail("POST", f"/channels/{dm.id}/messages", 503, after=1)  # the second fails
        sender = bot.get_cog("Subscriptions")
        await sender.deliver_pending()
        assert [m.text.split(":")[0] for m in standin.dms(reader)] == ["New on Story Club (1 of 2)"]
        await sender.deliver_pending()  # the next run sends what was not sent
        assert standin.requests.count(f"POST /channels/{dm.id}/messages") == 3
        texts = [unescaped(message.text) for message in standin.dms(reader)]
        assert texts[1].startswith("New on Story Club:\n")
        for story in stories:
            assert sum(f"“{story.title}” by " in text for text in texts) == 1, story.title
