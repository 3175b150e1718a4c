"""Moderators' uploads and readers' subscriptions, through the Discord stand-in."""

from __future__ import annotations

import asyncio

import pytest

from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.driver import Person, Reply
from standin.server import Standin
from tests.conftest import BotRunner, reader_page
from tests.samples import (
    AO3_HTML,
    MARKDOWN,
    MORE_CHAPTERS,
    fanficfare_epub,
    sample,
    yaml_bomb,
    zip_bomb,
)


async def upload(
    moderator: Person, standin: Standin, name: str, data: bytes, **options: object
) -> Reply:
    return await moderator.slash("upload", file=standin.attachment(name, data), **options)


async def _titles(reader: Person, where: str = "general") -> str:
    return (await reader.slash("stories", where=where)).text


async def test_an_upload_is_previewed_then_readable_once_confirmed(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        preview = await upload(moderator, standin, "lighthouse.md", MARKDOWN)
        assert preview.ephemeral
        assert "New story: The Lighthouse Keeper" in preview.text
        assert "1. The Lamp" in preview.text
        assert "2. The Storm" in preview.text
        assert "The lamp had not gone out" in preview.text
        assert "The Lighthouse Keeper" not in await _titles(reader)
        done = await preview.click("Confirm")
        assert "Added “The Lighthouse Keeper” with 2 chapters" in done.text
        opened = await reader.slash("read", story="The Lighthouse Keeper")
        assert "The lamp had not gone out in forty years" in reader_page(opened).text
        info = await reader.slash("story info", story="The Lighthouse Keeper")
        assert "Ada Quill" in info.text
        assert "||No Archive Warnings Apply||" in info.text


async def test_cancel_and_details_fixed_before_confirming(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        preview = await upload(moderator, standin, "lighthouse.md", MARKDOWN)
        cancelled = await preview.click("Cancel")
        assert "nothing was saved" in cancelled.text
        assert "Lighthouse" not in await _titles(reader)
        preview = await upload(moderator, standin, "lighthouse.md", MARKDOWN)
        form = await preview.click("Fix details")
        await form.submit_modal(
            {"Title": "The Last Lighthouse", "Rating": ["Teen And Up Audiences"]}
        )
        assert "The Last Lighthouse" in preview.text
        assert "Teen And Up Audiences" in preview.text
        form = await preview.click("Tags and status")
        await form.submit_modal({"Tags, separated by commas": "Lamps", "Status": ["complete"]})
        assert "Complete" in preview.text
        await preview.click("Confirm")
        assert "The Last Lighthouse" in await _titles(reader)
        assert "The Last Lighthouse" in (await reader.slash("stories", tag="Lamps")).text


async def test_ordinary_members_cannot_upload(storybot: BotRunner, standin: Standin) -> None:
    async with storybot():
        with pytest.raises(AssertionError, match="lacks the permissions"):
            await upload(standin.user("reader"), standin, "lighthouse.md", MARKDOWN)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("empty.txt", b"", "“empty.txt” is empty."),
        ("cover.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "is not a text file"),
        ("odd.txt", bytes(range(0x80, 0x100)) * 4, "character encoding I can't read"),
        ("story.pdf", b"%PDF-1.7", "I can't read “story.pdf”: upload plain text (.txt)"),
        ("huge.txt", b"word " * (2**20), "“huge.txt” is 5 MB; uploads can be at most 4 MB."),
    ],
)
async def test_each_bad_upload_gets_its_own_reply_and_changes_nothing(
    storybot: BotRunner, standin: Standin, name: str, data: bytes, says: str
) -> None:
    moderator = standin.user("moderator")
    async with storybot():
        before = await _titles(moderator)
        refused = await upload(moderator, standin, name, data)
        assert refused.ephemeral
        assert not refused.components
        assert says in refused.text
        assert await _titles(moderator) == before


async def test_the_same_file_twice_is_refused_politely(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    async with storybot():
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        again = await (await upload(moderator, standin, "copy.md", MARKDOWN)).click("Confirm")
        assert "This file was uploaded here before, as “The Lighthouse Keeper”" in again.text
        assert (await moderator.slash("stories")).text.count("The Lighthouse Keeper") == 1


async def test_new_chapters_reach_subscribers_once_batched_and_the_announcements_once(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        await reader.slash("subscribe story", story="The Lighthouse Keeper")
        await moderator.slash("announce set", channel="announcements")
        preview = await upload(
            moderator, standin, "more.txt", MORE_CHAPTERS, story="The Lighthouse Keeper"
        )
        assert "New chapters for “The Lighthouse Keeper”" in preview.text
        done = await preview.click("Confirm")
        assert "Added chapters 3–5." in done.text
        dm = await standin.wait_for_message(standin.world.dm_channel(reader.user))
        announced = await standin.wait_for_message("announcements")
        bot_dms = standin.dms(reader)
        assert len(bot_dms) == 1
        assert "“The Lighthouse Keeper” by Ada Quill: new chapters 3–5" in dm.text
        assert "new chapters 3–5" in announced.text
        assert len(standin.messages("announcements")) == 1
        opened = await reader.slash("read", story="The Lighthouse Keeper", chapter=4)
        assert "Tobias" in reader_page(opened).text


async def test_closed_dms_fail_the_delivery_and_the_reader_is_told_once(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    readers = standin.user("reader"), standin.user("reader2")
    for reader in readers:
        standin.world.user(reader.user.name).dms_open = False
    async with storybot() as bot:
        for reader in readers:
            await reader.slash("subscribe all")
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        await bot.get_cog("Subscriptions").deliver_pending()
        assert await bot.store.outbox_counts() == {"failed": 2}
        await _told_once_dms_are_closed(readers[0])
    async with storybot():  # the other reader comes back after a restart
        await _told_once_dms_are_closed(readers[1])


async def _told_once_dms_are_closed(reader: Person) -> None:
    told = await (await reader.slash("progress")).followup()
    assert "your DMs are closed to me" in told.text
    assert (await reader.slash("progress")).followups == []


async def test_a_readers_dm_channel_is_opened_once_and_remembered(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await reader.slash("subscribe all")
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        await bot.get_cog("Subscriptions").deliver_pending()
    async with storybot() as bot:
        await (await upload(moderator, standin, "ao3.html", AO3_HTML)).click("Confirm")
        await bot.get_cog("Subscriptions").deliver_pending()
    assert len(standin.dms(reader)) == 2
    assert standin.requests.count("POST /users/@me/channels") == 1


async def test_a_restart_between_upload_and_delivery_delivers_exactly_once(
    storybot: BotRunner, standin: Standin, monkeypatch: pytest.MonkeyPatch
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        earlier = StoryDraft(
            title="The Tide",
            author="Ada Quill",
            rating=Rating.GENERAL,
            chapters=(ChapterDraft("One", "The tide went out."),),
        )
        await bot.store.save_story(earlier, source_key="tide", content_hash="1", page_size=900)
        followed = await reader.slash("subscribe author", author="ada quill")
        assert "new work by Ada Quill" in followed.text
        cog = bot.get_cog("Subscriptions")
        cog.sender.cancel()

        async def stopped() -> None:
            return None

        monkeypatch.setattr(cog, "deliver_pending", stopped)
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        assert await bot.store.outbox_counts() == {"pending": 1}
    async with storybot() as bot:
        await standin.wait_for_message(standin.world.dm_channel(reader.user))
        await bot.get_cog("Subscriptions").deliver_pending()
        assert await bot.store.outbox_counts() == {"sent": 1}
    async with storybot() as bot:
        await bot.get_cog("Subscriptions").deliver_pending()
    assert len(standin.dms(reader)) == 1
    assert (
        "New story: “The Lighthouse Keeper” by Ada Quill (2 chapters)"
        in standin.dms(reader)[0].text
    )


async def test_a_guilds_uploads_are_invisible_in_another_guild(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    elsewhere = standin.user("reader2", guild="Other Club")
    async with storybot():
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        assert "The Lighthouse Keeper" in await _titles(standin.user("reader2"))
        assert "The Lighthouse Keeper" not in await _titles(elsewhere)
        refused = await elsewhere.slash("read", story="The Lighthouse Keeper")
        assert "couldn't find a story called" in refused.text
        found = await elsewhere.slash("search", query="lamp had not gone out")
        assert "Nothing here matches" in found.text


async def test_a_removed_story_vanishes_and_can_be_restored(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        asked = await moderator.slash("library remove", story="The Lighthouse Keeper")
        removed = await asked.click("Remove it")
        assert "Removed" in removed.text
        assert "Lighthouse" not in await _titles(reader)
        gone = await reader.slash("search", query="lamp had not gone out")
        assert "Nothing here matches" in gone.text
        await removed.click("Undo")
        assert "Lighthouse" in await _titles(reader)
        history = await moderator.slash("library history", story="The Lighthouse Keeper")
        for action in ("upload", "remove", "restore"):
            assert action in history.text
        bundled = await moderator.slash("library remove", story="We Keep Dancing")
        assert "bundled library" in bundled.text


@pytest.mark.parametrize(
    ("name", "data", "title", "opening"),
    [
        ("keeper.txt", MORE_CHAPTERS, "Keeper", "A boat came out of the dark"),
        ("keeper.md", MARKDOWN, "The Lighthouse Keeper", "The lamp had not gone out"),
        (
            "keeper.html",
            AO3_HTML.encode(),
            "The Lighthouse Keeper",
            "The lamp had *never* gone out",
        ),
        ("keeper.epub", fanficfare_epub(), "Lantern Weather", "The *ferry* was late"),
    ],
)
async def test_each_format_uploads_and_reads(
    storybot: BotRunner, standin: Standin, name: str, data: bytes, title: str, opening: str
) -> None:
    moderator = standin.user("moderator")
    async with storybot():
        preview = await upload(moderator, standin, name, data)
        assert title in preview.text
        await preview.click("Confirm")
        opened = await standin.user("reader").slash("read", story=title, where="nsfw-reading")
        assert reader_page(opened).title == title
        assert opening in reader_page(opened).text


async def test_a_zip_bomb_is_refused_and_changes_nothing(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    async with storybot():
        before = await _titles(moderator)
        refused = await upload(moderator, standin, "bomb.epub", zip_bomb())
        assert "“bomb.epub”" in refused.text
        assert not refused.components
        assert await _titles(moderator) == before


async def test_chapters_can_be_reordered_and_readers_can_be_told_by_mention(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("announce set", channel="announcements")
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        await standin.wait_for_message("announcements")
        moved = await moderator.slash(
            "library move-chapter", story="The Lighthouse Keeper", chapter=2, position=1
        )
        assert "Chapter 2 of “The Lighthouse Keeper” is now chapter 1." in moved.text
        first = await reader.slash("read", story="The Lighthouse Keeper")
        assert "The storm came in sideways" in reader_page(first).text
        listing = await reader.slash("subscriptions")
        await listing.select("Mention me in the announcements channel")
        await reader.slash("subscribe story", story="The Lighthouse Keeper")
        preview = await upload(
            moderator, standin, "more.txt", MORE_CHAPTERS, story="The Lighthouse Keeper"
        )
        await preview.click("Confirm")
        mention = await standin.wait_for_message(
            "announcements", check=lambda m: f"<@{reader.user.id}>" in m.text
        )
        assert "new chapters 3–5" in mention.text
        assert list(map(int, mention.allowed_mentions["users"])) == [reader.user.id]
        assert standin.dms(reader) == []


async def test_a_yaml_bomb_is_refused_while_other_readers_are_answered(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    bomb = f"---\n{yaml_bomb(9)}---\nKurt smiled.\n".encode()
    async with storybot():
        before = await _titles(moderator)
        refused, opened = await asyncio.gather(
            upload(moderator, standin, "bomb.txt", bomb),
            reader.slash("read", story="Heart Broken"),
        )
        assert refused.ephemeral
        assert not refused.components
        assert (
            "In the front matter of “bomb.txt”, aliases (*name) expand to more than 1,000 "
            "values, far more than a story's details need, so I won't read it."
        ) in refused.text
        assert "He should have never seen them." in reader_page(opened).text
        assert await _titles(moderator) == before


async def test_a_title_too_long_is_refused_and_nothing_is_stored(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    long_title = "Dance " * 1_666 + "Now!"
    async with storybot():
        before = await _titles(moderator)
        refused = await upload(
            moderator, standin, "long.txt", f"---\ntitle: {long_title}\n---\nKurt danced.".encode()
        )
        assert refused.ephemeral
        assert not refused.components
        assert refused.text == (
            "In the front matter of “long.txt”, the title is 10,000 characters long; "
            "a title may be at most 200."
        )
        assert await _titles(moderator) == before


async def test_a_blank_title_gives_way_to_the_file_name(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        blank = '---\ntitle: "\\u200f \\u200e\\u2060"\nauthor: " "\n---\nKurt danced.'
        preview = await upload(moderator, standin, "the_last_waltz.txt", blank.encode())
        assert "New story: The Last Waltz" in preview.text
        await preview.click("Confirm")
        opened = await reader.slash("read", story="The Last Waltz", where="nsfw-reading")
        assert reader_page(opened).title == "The Last Waltz"
        info = await reader.slash("story info", story="The Last Waltz", where="nsfw-reading")
        assert info.text.endswith("by Unknown")


LONG_TITLE = (
    "The Night the Lamp Went Out Over the Harbour and Nobody in the Village Could Say Why It"
    " Went So Dark"
)
LONG_HEADINGS = f"""Chapter 1: The Lamp

The lamp had not gone out in forty years, and Mara did not mean to be the one who let it.

Chapter 2: {LONG_TITLE}

The dark came all at once, and Mara stood at the top of the stairs with the oil can.

Chapter 3: The Boat

A boat came out of the dark with no lights at all.

Chapter 4. Then she rang the bell again, and nobody came to the door.
""".encode()


async def test_a_long_chapter_heading_starts_its_chapter_and_doubts_are_pointed_out(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    assert len(LONG_TITLE) == 100
    async with storybot():
        preview = await upload(moderator, standin, "lamp.txt", LONG_HEADINGS)
        assert "1. The Lamp" in preview.text
        assert "2. The Night the Lamp Went Out Over the Harbour" in preview.text
        assert "3. The Boat" in preview.text
        assert "Check before confirming" in preview.text
        assert "Chapter 3 has a line that looks like a heading" in preview.text
        done = await preview.click("Confirm")
        assert "with 3 chapters" in done.text
        opened = await reader.slash("read", story="Lamp", chapter=2, where="nsfw-reading")
        assert "The dark came all at once" in reader_page(opened).text
        assert "forty years" not in reader_page(opened).text


async def test_new_chapters_are_previewed_with_the_numbers_they_will_have(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    async with storybot():
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        more = MORE_CHAPTERS + b"\nChapter 6. Then the lamp went out again, and nobody saw.\n"
        preview = await upload(moderator, standin, "more.txt", more, story="The Lighthouse Keeper")
        assert "3. The Boat" in preview.text
        assert "4. The Stranger" in preview.text
        assert "5. The Morning" in preview.text
        assert "1. The Boat" not in preview.text
        assert "Chapter 5 has a line that looks like a heading" in preview.text
        assert "Added chapters 3–5." in (await preview.click("Confirm")).text


async def test_a_text_that_opens_with_its_title_and_author_is_previewed_with_them(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    text = b"The Last Waltz\nby Ada Quill\n\nChapter 1\n\nKurt danced.\n\nChapter 2\n\nBlaine.\n"
    async with storybot():
        preview = await upload(moderator, standin, "waltz.txt", text)
        assert "New story: The Last Waltz" in preview.text
        assert "Author\nAda Quill" in preview.text
        await preview.click("Confirm")
        info = await reader.slash("story info", story="The Last Waltz", where="nsfw-reading")
        assert info.text.endswith("by Ada Quill")


async def test_a_saved_ao3_work_page_uploads_as_its_download_would(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        part = await upload(moderator, standin, "chapter.html", sample("ao3_chapter_page.html"))
        assert "This page holds chapter 3 of 12" in part.text
        await part.click("Cancel")
        preview = await upload(moderator, standin, "keeper.html", sample("ao3_work_page.html"))
        assert "New story: The Lighthouse Keeper" in preview.text
        assert "quiet\\_owl, Bea Quince (bea)" in preview.text
        assert "Teen And Up Audiences" in preview.text
        assert "1. First Light" in preview.text
        assert "2. Chapter 2" in preview.text
        assert "Archive of Our Own" not in preview.text
        assert "Check before confirming" not in preview.text
        await preview.click("Confirm")
        opened = await reader.slash("read", story="The Lighthouse Keeper", chapter=2)
        assert "Ivo came with the tide." in reader_page(opened).text
        info = await reader.slash("story info", story="The Lighthouse Keeper")
        assert "Sample Saga" in info.text
