"""Reading through the Discord stand-in: pages, chapters, restarts, progress, ratings, search."""

from __future__ import annotations

import gc
import re
from dataclasses import replace

import discord

from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind
from standin.driver import Person, Reply
from standin.limits import COMPONENTS_V2
from standin.server import Message, Standin
from tests.conftest import SAMPLE_LIBRARY, BotRunner, reader_page, unescaped

SAMPLES = {
    "Hello, Princess": "000_6f9fc9c0cdbf0d79.txt",
    "Heart Broken": "001_973e67e1a776df10.txt",
    "We Keep Dancing": "002_d006954e598079f7.txt",
}
THE_END = "\n\n*— The End —*"
TO_BE_CONTINUED = "\n\n*To be continued… Follow the story to hear when the next chapter arrives.*"
ENDINGS = {
    "Hello, Princess": TO_BE_CONTINUED,
    "Heart Broken": TO_BE_CONTINUED,
    "We Keep Dancing": THE_END,
}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _page(reply: Reply) -> tuple[str, str]:
    """(prose shown, footer) of a reader message."""
    page = reader_page(reply)
    body = page.text.removesuffix(THE_END).removesuffix(TO_BE_CONTINUED)
    body = unescaped(body).split("\n\n", 1)[1]  # below the chapter heading
    prose = [part for part in body.split("\n\n") if not part.startswith(">")]  # not notes
    return "\n\n".join(prose), page.footer


def _long_story(chapters: int, paragraphs: int = 12) -> StoryDraft:
    return StoryDraft(
        title="The Long Road",
        author="Wren",
        rating=Rating.GENERAL,
        chapters=tuple(
            ChapterDraft(
                f"Part {n}",
                "\n\n".join(
                    f"Chapter {n} paragraph {p}. " + "The road went on and on. " * 12
                    for p in range(paragraphs)
                ),
            )
            for n in range(1, chapters + 1)
        ),
    )


async def test_each_sample_story_reads_to_the_end_and_back(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        for title, filename in SAMPLES.items():
            reply = await reader.slash("read", story=title, where="nsfw-reading")
            assert reply.ephemeral
            assert reader_page(reply).title == title
            shown, footer = _page(reply)
            pages = [shown]
            total = int(re.search(r"page 1 of (\d+)", footer).group(1))
            for number in range(2, total + 1):
                await reply.click("Next ▶")
                shown, footer = _page(reply)
                assert footer.startswith(f"page {number} of {total} · chapter 1 of 1")
                pages.append(shown)
            assert "100%" in footer
            assert reader_page(reply).text.endswith(ENDINGS[title])
            source = (SAMPLE_LIBRARY / filename).read_text(encoding="utf-8")
            read = _words(" ".join(pages))
            assert " ".join(read) in " ".join(_words(source))
            assert len(read) > 0.95 * len(_words(source))
            for number in range(total - 1, 0, -1):
                await reply.click("◀ Back")
                assert _page(reply)[1].startswith(f"page {number} of {total}")
            assert _page(reply)[0] == pages[0]


async def test_chapter_menu_and_jump_to_page(storybot: BotRunner, standin: Standin) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(
            _long_story(30), source_key="long", content_hash="1", page_size=900
        )
        reply = await reader.slash("read", story="The Long Road")
        assert "chapter 1 of 30" in _page(reply)[1]
        await reply.select("Later chapters »")
        await reply.select("14. Part 14")
        shown, footer = _page(reply)
        assert shown.startswith("Chapter 14 paragraph 0.")
        assert "page 1 of" in footer
        assert "chapter 14 of 30" in footer
        await reply.click("Chapter »")
        footer = _page(reply)[1]
        assert "chapter 15 of 30" in footer
        pages = int(re.search(r"page 1 of (\d+)", footer).group(1))
        opened = await reply.click("Page…")
        assert opened.modal
        await opened.submit_modal({f"Page (1–{pages})": str(pages)})
        assert _page(reply)[1].startswith(f"page {pages} of {pages} · chapter 15 of 30")
        await reply.click("Next chapter ▶")
        assert _page(reply)[1].startswith(f"page 1 of {pages} · chapter 16 of 30")
        opened = await reply.click("Page…")
        refused = await opened.submit_modal({f"Page (1–{pages})": "99"})
        assert refused.ephemeral
        assert f"Pick a page from 1 to {pages}" in refused.text


async def test_buttons_and_continue_survive_a_restart(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        reply = await reader.slash("read", story="Heart Broken")
        await reply.click("Next ▶")
        assert _page(reply)[1].startswith("page 2 of")
    async with storybot():  # a restart: new process state, same database, same message
        await reply.click("Next ▶")
        assert _page(reply)[1].startswith("page 3 of")
        second = _page(reply)[0]
    async with storybot():
        back = await reader.slash("continue")
        assert _page(back) == _page(reply)
        assert _page(back)[0] == second
        progress = await reader.slash("progress")
        assert "Heart Broken" in progress.text
        assert "chapter 1, page 3" in progress.text


async def _old_page(bot: StoryBot, standin: Standin, owner: Person, story: int) -> Message:
    """Chapter 1, page 1 of `story` as the bot posted a read-along before pages were laid out
    as messages: an embed over rows of buttons and the chapter menu, whose custom_ids say
    where each leads."""
    embed = discord.Embed(
        title="The Long Road",
        description="**Chapter 1: Part 1**\n\nChapter 1 paragraph 0.",
        colour=discord.Colour.dark_teal(),
    )
    embed.set_footer(text="page 1 of 6 · chapter 1 of 30 · ▱▱▱▱▱▱▱▱▱▱ 1%")
    view = discord.ui.View(timeout=None)
    at = f"{owner.user.id}:{story}"
    for label, custom_id, row in (
        ("◀ Back", f"rd:prev:{at}:1:0", 0),
        ("Next ▶", f"rd:next:{at}:1:2", 0),
        ("Page…", f"rdjump:{at}:1:6", 0),
        ("« Chapter", f"rd:prevch:{at}:1:1", 1),
        ("Chapter »", f"rd:nextch:{at}:2:1", 1),
    ):
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id, row=row))
    options = [discord.SelectOption(label=f"{n}. Part {n}", value=str(n)) for n in range(1, 24)]
    options.append(discord.SelectOption(label="Later chapters »", value="w24"))
    view.add_item(discord.ui.Select(custom_id=f"rdch:{at}:1:1", options=options, row=2))
    view.stop()  # its buttons are the bot's own, registered once: this view is not needed
    sent = await bot.get_channel(standin.channel().id).send(embed=embed, view=view)
    return next(message for message in standin.messages() if message.id == sent.id)


async def test_an_old_page_becomes_a_layout_when_used(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        _, story = await bot.store.save_story(
            _long_story(30), source_key="long", content_hash="1", page_size=900
        )
        old = await _old_page(bot, standin, reader, story)
        turned = await reader.click(old, "Next ▶")
        assert turned.message is old
        assert old.embeds == [] and old.data["flags"] & COMPONENTS_V2
        assert reader_page(turned).title == "The Long Road"
        assert reader_page(turned).footer.startswith("page 2 of 6 · chapter 1 of 30")
        await turned.click("Next ▶")  # and it goes on as a layout
        assert reader_page(turned).footer.startswith("page 3 of 6 · chapter 1 of 30")
        await bot.store.flush()
        assert _page(await reader.slash("continue")) == _page(turned)

        old = await _old_page(bot, standin, reader, story)
        moved = await reader.select(old, "Later chapters »")
        assert old.embeds == [] and reader_page(moved).footer.startswith("page 1 of 6 · chapter 1")
        await moved.select("24. Part 24")
        assert _page(moved)[0].startswith("Chapter 24 paragraph 0.")

        old = await _old_page(bot, standin, reader, story)
        form = await reader.click(old, "Page…")
        jumped = await form.submit_modal({"Page (1–6)": "6"})
        assert jumped.message is old and old.embeds == []
        assert reader_page(jumped).footer.startswith("page 6 of 6 · chapter 1 of 30")


async def test_someone_else_gets_their_own_copy(storybot: BotRunner, standin: Standin) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with storybot():
        shared = await reader.slash("read", story="We Keep Dancing", public=True)
        assert not shared.ephemeral
        before = reader_page(shared)
        offer = await shared.click("Next ▶", as_user=other)
        assert offer.message is not shared.message
        assert offer.ephemeral
        assert "belongs to" in offer.text
        assert reader_page(shared) == before
        own = await offer.click("Open my copy")  # where they wanted to go, at their own pace
        assert own.ephemeral
        assert _page(own)[1].startswith("page 2 of")
        assert _page(shared)[1].startswith("page 1 of")


async def test_mature_story_only_in_an_age_restricted_channel(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        refused = await reader.slash("read", story="Hello, Princess", where="general")
        assert refused.ephemeral
        assert not refused.components
        assert "age-restricted channel" in refused.text
        suggested = await reader.autocomplete("read", "story", "", where="general")
        assert "Hello, Princess" not in {choice["name"].split(" — ")[0] for choice in suggested}
        shown = await reader.slash("read", story="Hello, Princess", where="nsfw-reading")
        assert reader_page(shown).title == "Hello, Princess"
        in_dms = await reader.slash("read", story="Hello, Princess", where="dm")
        assert "mature-content" in in_dms.text
        await reader.slash("mature-content", allow=True, where="dm")
        in_dms = await reader.slash("read", story="Hello, Princess", where="dm")
        assert reader_page(in_dms).title == "Hello, Princess"


async def test_search_finds_each_sample_and_opens_the_page(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    phrases = {
        "Hello, Princess": "sinks to the floor with the lockers against his back",
        "Heart Broken": "It was an original by Carmel",
        "We Keep Dancing": "the rather imposing image of Dave Karofsky",
    }
    async with storybot():
        for title, phrase in phrases.items():
            found = await reader.slash("search", query=phrase, where="nsfw-reading")
            assert f"1. {title}" in unescaped(found.text)
            opened = await found.click("Read #1")
            assert opened.ephemeral
            assert " ".join(_words(phrase)) in " ".join(_words(_page(opened)[0]))
        broken = await reader.slash("search", query='"unclosed AND (', where="general")
        assert broken.ephemeral
        assert "Nothing here matches" in broken.text


async def test_story_text_is_shown_as_written_and_pings_no_one(
    storybot: BotRunner, standin: Standin
) -> None:
    prose = "He shouted @everyone, then *whispered* a ||secret|| about 2*3 and <@123>."
    story = StoryDraft(title="Loud", chapters=(ChapterDraft("One", prose),), rating=Rating.GENERAL)
    async with storybot() as bot:
        await bot.store.save_story(story, source_key="loud", content_hash="1", page_size=900)
        reply = await standin.user("reader").slash("read", story="Loud", public=True)
    assert _page(reply)[0] == prose
    assert reply.message.allowed_mentions == {"parse": []}


async def test_browsing_pages_filters_and_sorts(storybot: BotRunner, standin: Standin) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        for n in range(1, 11):
            draft = _long_story(1, paragraphs=n)
            tags = {TagKind.FREEFORM: ("Roads",)} if n % 2 else {}
            await bot.store.save_story(
                replace(draft, title=f"Road {n:02}", tags=tags),
                source_key=f"road{n}",
                content_hash="1",
                page_size=900,
            )
        listing = await reader.slash("stories")
        assert listing.embeds[0]["title"] == "Library: 12 stories"  # the Mature sample is hidden
        assert "Heart Broken" in listing.text
        assert "Road 10" not in listing.text
        await listing.click("▶")
        assert "Road 10" in listing.text
        assert "9–12 of 12" in listing.embeds[0]["footer"]["text"]
        longest = await reader.slash("stories", sort="length")
        assert longest.embeds[0]["description"].startswith("**Heart Broken**")
        tagged = await reader.slash("stories", tag="roads")
        assert tagged.embeds[0]["title"] == "Library: 5 stories"
        card = await tagged.select("Road 03")
        assert "Roads" in card.text
        started = await card.click("Start reading")
        assert reader_page(started).title == "Road 03"


async def test_pages_shown_leave_no_view_waiting_in_memory(
    storybot: BotRunner, standin: Standin
) -> None:
    # discord.py would keep every ephemeral reply's view for 15 minutes; the buttons work
    # from their custom_id alone, so none need be kept, however many pages are read.
    reader = standin.user("reader")
    async with storybot():
        page = await reader.slash("read", story="We Keep Dancing")
        await page.click("Next ▶")
        await reader.slash("excerpt")
        await reader.slash("stories")
        await reader.slash("progress")
        gc.collect()  # what is left is kept
        views = (discord.ui.View, discord.ui.LayoutView)
        waiting = [o for o in gc.get_objects() if isinstance(o, views)]
        assert [view for view in waiting if not view.is_finished()] == []


def _menu(reply: Reply) -> list[str]:
    """The labels of the chapter menu under a page."""
    return next(
        [option["label"] for option in component["options"]]
        for row in reply.components
        for component in row["components"]
        if component.get("custom_id", "").startswith("rdch:")
    )


async def test_a_long_storys_chapter_menu_moves_its_window(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(
            _long_story(60, paragraphs=2), source_key="long", content_hash="1", page_size=900
        )
        reply = await reader.slash("read", story="The Long Road")
        assert _menu(reply) == [f"{n}. Part {n}" for n in range(1, 24)] + ["Later chapters »"]
        await reply.select("Later chapters »")
        assert _menu(reply) == [
            "« Earlier chapters",
            *(f"{n}. Part {n}" for n in range(13, 36)),
            "Later chapters »",
        ]
        await reply.select("Later chapters »")
        assert _menu(reply) == [
            "« Earlier chapters",
            *(f"{n}. Part {n}" for n in range(25, 48)),
            "Later chapters »",
        ]
        await reply.select("47. Part 47")
        assert _page(reply)[0].startswith("Chapter 47 paragraph 0.")
        assert "chapter 47 of 60" in _page(reply)[1]
        assert _menu(reply)[-1] == "Later chapters »"
