"""A reader's preferences are theirs wherever they read: short pages show each page in parts,
and author's notes may be hidden; old buttons keep working."""

from __future__ import annotations

import re

from bot.library.model import ChapterDraft, Rating, Status, StoryDraft
from standin.driver import Reply
from standin.limits import BUTTON, walk_components
from standin.server import Standin
from tests.conftest import BotRunner, reader_page, unescaped

ENDINGS = (
    "*— The End —*",
    "*To be continued… Follow the story to hear when the next chapter arrives.*",
)
HINT = "-# Author's notes hidden · /preferences to show them"


def _prose(reply: Reply) -> str:
    """The story's prose on a reader message, as the bot wrote it: not the chapter heading,
    the author's notes, the hint that they are hidden, or how the story ends."""
    blocks = reader_page(reply).text.split("\n\n")[1:]
    kept = [b for b in blocks if not b.startswith((">", "-#")) and b not in ENDINGS]
    return "\n\n".join(kept)


def _where(reply: Reply) -> str:
    """Where the reader is, from the footer: "page 1 of 2 (1/2)" or "page 3 of 9"."""
    return reader_page(reply).footer.split(" · ")[0]


def _buttons(reply: Reply) -> dict[str, bool]:
    """The buttons under a message: label → whether it can be pressed."""
    components = walk_components(reply.components, "")
    return {c["label"]: not c.get("disabled") for _, c in components if c["type"] == BUTTON}


def _read_off(page: str, parts: list[str]) -> str:
    """What is left of `page` once `parts` are read off its start in order, each where the
    last one stopped, past only the whitespace between them (asserting as much)."""
    for part in parts:
        rest = page.lstrip()
        assert rest.startswith(part), (part[:60], rest[:60])
        page = rest[len(part) :]
    return page


async def test_short_pages_go_with_the_reader_to_another_server_and_to_dms(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader2")  # a member of Story Club and of Other Club
    elsewhere = standin.user("reader2", guild="Other Club")
    async with storybot() as bot:
        whole = await standin.user("reader").slash("read", story="We Keep Dancing")
        assert _where(whole) == "page 1 of 2"
        page_one = _prose(whole)
        await whole.click("Next ▶")
        page_two = _prose(whole)

        told = await reader.slash("preferences", page_length="short")
        assert told.ephemeral
        assert "Pages: short" in told.text

        opened = await elsewhere.slash("read", story="We Keep Dancing")
        assert _where(opened) == "page 1 of 2 (1/2)"
        first = _prose(opened)
        assert 0 < len(first) < len(page_one)
        await opened.click("Next ▶")
        assert _where(opened) == "page 1 of 2 (2/2)"
        second = _prose(opened)
        assert _read_off(page_one, [first, second]) == ""  # the whole page, once, in order
        await opened.click("Next ▶")
        assert _where(opened) == "page 2 of 2 (1/2)"
        assert _read_off(page_two, [_prose(opened)]).strip()  # the rest of it comes next
        await opened.click("◀ Back")
        assert _where(opened) == "page 1 of 2 (2/2)"
        assert _prose(opened) == second
        await bot.store.flush()
        back = await elsewhere.slash("continue")
        assert _where(back) == "page 1 of 2 (2/2)"
        assert _prose(back) == second
        card = await elsewhere.slash("story info", story="We Keep Dancing")
        resumed = await card.click("Continue (chapter 1, page 1)")
        assert _where(resumed) == "page 1 of 2 (2/2)"
        await resumed.click("◀ Back")
        assert _where(resumed) == "page 1 of 2 (1/2)"
        assert _prose(resumed) == first
        assert _where(await card.click("Start over")) == "page 1 of 2 (1/2)"

        in_dms = await reader.slash("read", story="We Keep Dancing", where="dm")
        assert _where(in_dms) == "page 1 of 2 (1/2)"
        assert _prose(in_dms) == first


def _chapter(number: int, **notes: str) -> ChapterDraft:
    """A chapter of two standard pages, each of which is two short pages."""
    paragraphs = [
        f"Chapter {number} paragraph {p}. " + "The lamp burned low over the map. " * 11
        for p in range(8)
    ]
    return ChapterDraft(f"Night {number}", "\n\n".join(paragraphs), **notes)


LAMP = StoryDraft(
    title="The Lamp",
    author="Wren",
    rating=Rating.GENERAL,
    status=Status.IN_PROGRESS,
    chapters=(
        _chapter(1),
        _chapter(2, notes_before="A/N: before night 2.", notes_after="A/N: after night 2."),
    ),
)


async def test_on_short_pages_notes_endings_and_chapter_turns_are_at_the_right_part(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await bot.store.save_story(LAMP, source_key="lamp", content_hash="1", page_size=1800)
        await reader.slash("preferences", page_length="short")
        reply = await reader.slash("read", story="The Lamp", page=2)
        assert _where(reply) == "page 2 of 2 (1/2)"
        assert _buttons(reply)["Next ▶"]
        await reply.click("Next ▶")
        assert _where(reply) == "page 2 of 2 (2/2)"
        await reply.click("Next chapter ▶")
        assert reader_page(reply).footer.startswith("page 1 of 2 (1/2) · chapter 2 of 2")
        assert "before night 2" in unescaped(reader_page(reply).text)
        await reply.click("◀ Back")  # back to the last part of the last page before
        assert reader_page(reply).footer.startswith("page 2 of 2 (2/2) · chapter 1 of 2")
        await reply.click("Next chapter ▶")
        await reply.click("Next ▶")
        assert _where(reply) == "page 1 of 2 (2/2)"
        assert "Author's note" not in reader_page(reply).text
        await reply.click("Next ▶")
        assert _where(reply) == "page 2 of 2 (1/2)"
        text = reader_page(reply).text
        assert "Author's note" not in text and not text.endswith(ENDINGS)
        assert "Follow" not in _buttons(reply)
        assert _buttons(reply)["Next ▶"]
        await reply.click("Next ▶")
        assert _where(reply) == "page 2 of 2 (2/2)"
        text = unescaped(reader_page(reply).text)
        assert "after night 2" in text and text.endswith(ENDINGS[1])
        assert "Follow" in _buttons(reply)
        assert not _buttons(reply)["Next chapter ▶"]


async def test_moving_the_chapter_menus_window_keeps_the_part_shown(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    paragraphs = "\n\n".join("The lamp burned low over the map. " * 11 for _ in range(3))
    chapters = tuple(ChapterDraft(f"Night {n}", paragraphs) for n in range(1, 31))
    long = StoryDraft(title="Thirty Nights", rating=Rating.GENERAL, chapters=chapters)
    async with storybot() as bot:
        await bot.store.save_story(long, source_key="nights", content_hash="1", page_size=1800)
        await reader.slash("preferences", page_length="short")
        reply = await reader.slash("read", story="Thirty Nights")
        await reply.click("Next ▶")
        assert _where(reply) == "page 1 of 1 (2/2)"
        await reply.select("Later chapters »")
        assert reader_page(reply).footer.startswith("page 1 of 1 (2/2) · chapter 1 of 30")
        await reply.select("24. Night 24")  # a jump: the chapter's first part
        assert reader_page(reply).footer.startswith("page 1 of 1 (1/2) · chapter 24 of 30")


async def test_a_complete_storys_next_reads_come_on_the_last_part_of_its_last_page(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        await reader.slash("preferences", page_length="short")
        reply = await reader.slash("read", story="We Keep Dancing", page=2)
        assert _where(reply) == "page 2 of 2 (1/2)"
        assert not reader_page(reply).text.endswith(ENDINGS[0])
        assert not any(label.startswith("Next: ") for label in _buttons(reply))
        await reply.click("Next ▶")
        assert reader_page(reply).text.endswith(ENDINGS[0])
        assert any(label.startswith("Next: ") for label in _buttons(reply))


async def test_hidden_notes_leave_a_hint_and_come_back_when_shown(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        shown = await reader.slash("read", story="We Keep Dancing")
        assert "Scene: Senior Prom" in unescaped(reader_page(shown).text)
        assert "/preferences" not in reader_page(shown).text
        prose = _prose(shown)

        await reader.slash("preferences", authors_notes="hide")
        hidden = await reader.slash("read", story="We Keep Dancing")
        text = reader_page(hidden).text
        assert "Senior Prom" not in unescaped(text) and "Author's note\n" not in text
        assert HINT in text.split("\n\n")
        assert _prose(hidden) == prose
        await hidden.click("Next ▶")  # a page without notes needs no hint
        assert HINT not in reader_page(hidden).text

        await reader.slash("preferences", authors_notes="show")
        again = await reader.slash("read", story="We Keep Dancing")
        assert reader_page(again).text == reader_page(shown).text


async def test_buttons_from_before_there_were_parts_still_turn_to_their_page(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    owner = standin.world.user("reader").id
    async with storybot() as bot:
        _, story = await bot.store.save_story(
            LAMP, source_key="lamp", content_hash="1", page_size=1800
        )
        turned = await reader.forge(f"rd:next:{owner}:{story}:1:2")
        assert reader_page(turned).footer.startswith("page 2 of 2 · chapter 1 of 2")
        await reader.slash("preferences", page_length="short")
        turned = await reader.forge(f"rd:prev:{owner}:{story}:2:2")
        assert reader_page(turned).footer.startswith("page 2 of 2 (1/2) · chapter 2 of 2")
        opened = await reader.forge(f"rdopen:{story}:2:1")
        assert reader_page(opened).footer.startswith("page 1 of 2 (1/2) · chapter 2 of 2")
        moved = await reader.forge(f"rdch:{owner}:{story}:1:2", "w2")
        assert reader_page(moved).footer.startswith("page 2 of 2 (1/2) · chapter 1 of 2")


async def test_another_readers_copy_offers_their_own_at_the_same_part(
    storybot: BotRunner, standin: Standin
) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with storybot() as bot:
        for person in (reader, other):
            await person.slash("preferences", page_length="short")
        shared = await reader.slash("read", story="We Keep Dancing", public=True)
        offer = await shared.click("Next ▶", as_user=other)
        assert "belongs to" in offer.text
        own = await offer.click("Open my copy")
        assert _where(own) == "page 1 of 2 (2/2)"
        assert _where(shared) == "page 1 of 2 (1/2)"
        await bot.store.flush()  # their first place in the story: where they opened it
        assert _where(await other.slash("continue")) == "page 1 of 2 (2/2)"


async def test_preferences_without_options_tell_the_readers_choices(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        told = await reader.slash("preferences")
        assert told.ephemeral
        assert re.search(r"Pages: standard\nAuthor's notes: shown", told.text), told.text
        await reader.slash("preferences", authors_notes="hide")
        told = await reader.slash("preferences", where="dm")
        assert re.search(r"Pages: standard\nAuthor's notes: hidden", told.text), told.text
        await reader.slash("preferences", page_length="short")
        told = await reader.slash("preferences")
        assert re.search(r"Pages: short.*\nAuthor's notes: hidden", told.text), told.text
