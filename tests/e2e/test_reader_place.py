"""The reader's place is theirs: reading on moves it, jumping about does not; endings tell the
truth; notes sit where readers expect them."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, Status, StoryDraft
from standin.driver import Person, Reply
from standin.limits import walk_components
from standin.server import Standin
from tests.conftest import BotRunner, Clock, reader_page, text_displays, unescaped

ROAD = StoryDraft(
    title="The Long Road",
    author="Wren",
    rating=Rating.GENERAL,
    status=Status.COMPLETE,
    chapters=tuple(
        ChapterDraft(
            f"Part {n}",
            "\n\n".join(
                f"Chapter {n} paragraph {p}. " + "The road went on and on. " * 12 for p in range(12)
            ),
            notes_before=f"A/N: before part {n}." if n == 2 else "",
            notes_after=f"A/N: after part {n}." if n == 2 else "",
        )
        for n in range(1, 5)
    ),
)


def _where(reply: Reply) -> tuple[int, int]:
    """(chapter, page) of a reader message, from its footer."""
    footer = reader_page(reply).footer
    found = re.match(r"page (\d+) of \d+ · chapter (\d+) of", footer)
    assert found, footer
    return int(found[2]), int(found[1])


async def _continue(bot: StoryBot, reader: Person) -> tuple[int, int]:
    """Where /continue takes the reader, once the places being saved are written (a page is
    answered while its place is saved)."""
    await bot.store.flush()
    return _where(await reader.slash("continue", story="The Long Road"))


async def test_jumping_to_the_last_chapter_keeps_the_place_read_to(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        reply = await reader.slash("read", story="The Long Road")
        await reply.click("Next ▶")
        await reply.click("Next ▶")
        assert _where(reply) == (1, 3)
        await reply.select("4. Part 4")
        assert _where(reply) == (4, 1)
        assert await _continue(bot, reader) == (1, 3)
        await reply.click("« Chapter")
        await reply.click("Chapter »")
        assert await _continue(bot, reader) == (1, 3)
        await reply.click("Next ▶")  # reading on from where they jumped to moves the place
        assert _where(reply) == (4, 2)
        assert await _continue(bot, reader) == (4, 2)


async def test_search_excerpts_and_the_card_show_a_page_without_moving_the_place(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        reply = await reader.slash("read", story="The Long Road", chapter=2)
        await reply.click("Next ▶")
        assert await _continue(bot, reader) == (2, 2)
        hits = await reader.slash("search", query="Chapter 4 paragraph 11")
        assert _where(await hits.click("Read #1"))[0] == 4
        excerpt = await reader.slash("excerpt", story="The Long Road")
        await excerpt.click("Read from here")
        card = await reader.slash("story info", story="The Long Road")
        assert "Continue (chapter 2, page 2)" in str(card.components)
        assert _where(await card.click("Start over")) == (1, 1)
        assert await _continue(bot, reader) == (2, 2)
        assert _where(await card.click("Continue (chapter 2, page 2)")) == (2, 2)


async def test_a_story_in_progress_ends_to_be_continued_with_a_follow_button(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        reply = await reader.slash("read", story="Heart Broken")
        while not reader_page(reply).footer.endswith("100%"):
            await reply.click("Next ▶")
        assert "To be continued" in reader_page(reply).text
        assert "The End" not in reader_page(reply).text
        followed = await reply.click("Follow")
        assert followed.ephemeral
        assert "new chapters of “Heart Broken”" in followed.text
        listed = await reader.slash("subscriptions")
        assert "Story: Heart Broken" in unescaped(listed.text)


async def test_a_complete_story_ends_with_stories_to_read_next(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        sequel = StoryDraft(
            title="The Road Back",
            author="Wren",
            rating=Rating.GENERAL,
            chapters=(ChapterDraft("Home", "The road back was shorter, as roads back are."),),
        )
        await bot.store.save_story(sequel, source_key="back", content_hash="2", page_size=900)
        reply = await reader.slash("read", story="The Long Road", chapter=4, page=99)
        assert reader_page(reply).text.endswith("*— The End —*")
        assert "Follow" not in str(reply.components)
        opened = await reply.click("Next: The Road Back")  # by the same author, first
        assert reader_page(opened).title == "The Road Back"
        labels = [c.get("label") for _, c in walk_components(reply.components, "")]
        assert sum(str(label).startswith("Next: ") for label in labels) == 2


async def test_notes_open_and_close_their_chapter_around_the_prose(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        first = await reader.slash("read", story="The Long Road", chapter=2)
        text = unescaped(reader_page(first).text)
        assert text.index("before part 2") < text.index("Chapter 2 paragraph 0")
        assert "after part 2" not in text
        last = await reader.slash("read", story="The Long Road", chapter=2, page=99)
        text = unescaped(reader_page(last).text)
        assert text.index("Chapter 2 paragraph 11") < text.index("after part 2")
        assert len(text_displays(first)) == 3  # the notes are in the page, not beside it


async def test_progress_keeps_a_reading_history_and_asks_before_forgetting_it(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        await reader.slash("read", story="The Long Road")
        end = await reader.slash("read", story="We Keep Dancing", page=99)
        await end.click("◀ Back")
        await end.click("Next ▶")  # read on to the last page: finished
        await bot.store.flush()
        progress = await reader.slash("progress")
        text = unescaped(progress.embeds[0]["description"])
        reading, finished = text.split("**Finished**")
        assert "The Long Road" in reading
        assert "We Keep Dancing" in finished
        asked = await progress.select("Every story listed here")
        kept = await asked.click("Keep them")
        assert "Nothing was forgotten" in kept.text
        assert "The Long Road" in (await reader.slash("progress")).text
        asked = await (await reader.slash("progress")).select("Every story listed here")
        forgot = await asked.click("Forget them")
        assert "Forgot your place in 2 stories" in forgot.text
        assert "haven't started a story here" in (await reader.slash("progress")).text


async def test_a_title_typed_by_hand_finds_the_story_it_names(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        for title, key in (("The Long Road", "road"), ("The Long Way Home", "way")):
            story = StoryDraft(
                title=title, rating=Rating.GENERAL, chapters=(ChapterDraft("One", f"{title}."),)
            )
            await bot.store.save_story(story, source_key=key, content_hash=key, page_size=900)
        for typed in ("heart", "HEART BROKEN", "Hart Brokn", "broken"):
            opened = await reader.slash("read", story=typed)
            assert reader_page(opened).title == "Heart Broken", typed
        unsure = await reader.slash("read", story="the long")
        assert "could be “The Long Road” or “The Long Way Home”" in unescaped(unsure.text)
        unknown = await reader.slash("read", story="zebra crossing")
        assert "couldn't find a story called" in unknown.text
        hidden = await reader.slash("read", story="hello")  # rated Mature: not in #general
        assert "Hello, Princess" not in hidden.text


async def test_continue_explains_a_place_in_a_chapter_gone_instead_of_opening_another_story(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(ROAD, source_key="road", content_hash="1", page_size=900)
        await reader.slash("read", story="Heart Broken")
        clock.now += timedelta(minutes=5)
        await (await reader.slash("read", story="The Long Road", chapter=4)).click("Next ▶")
        await bot.store.flush()
        shorter = StoryDraft(
            title="The Long Road", rating=Rating.GENERAL, chapters=ROAD.chapters[:2]
        )
        await bot.store.save_story(shorter, source_key="road", content_hash="2", page_size=900)
        refused = await reader.slash("continue")
        assert refused.ephemeral
        assert "That chapter is not in the story any more" in refused.text
        assert "Heart Broken" not in refused.text
        assert "The Long Road" in (await reader.slash("progress")).text


async def test_a_page_too_long_for_a_message_is_shortened_in_its_prose(
    storybot: BotRunner, standin: Standin
) -> None:
    # every mark is escaped, so what is shown is twice as long as the text; the prose is cut
    # where no space is near, between the escapes
    prose = "It was a dark night. " * 10 + "\n\n" + "#" * 3000
    chapter = ChapterDraft("#" * 200, prose, notes_before="*" * 800, notes_after="_" * 800)
    story = StoryDraft(title="#" * 200, chapters=(chapter,), rating=Rating.GENERAL)
    async with storybot() as bot:
        _, story_id = await bot.store.save_story(
            story, source_key="long", content_hash="1", page_size=10_000
        )
        reply = await standin.user("reader").slash("read", story=str(story_id))
    page = reader_page(reply)
    assert sum(map(len, text_displays(reply))) <= 4000
    assert page.title == "\\#" * 200
    _, before, rest = page.text.split("\n\n", 2)
    prose_shown, after, ending = rest.rsplit("\n\n", 2)
    assert prose_shown.endswith("…") and not re.search(r"(?<!\\)(\\\\)*\\…$", prose_shown)
    assert before.startswith("> *Author's note*") and after.startswith("> *Author's note*")
    assert ending == "*— The End —*"
