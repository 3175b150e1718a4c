"""Finding a story forgives: suggestions by what a reader remembers of it (a character, a
relationship, a fandom, a tag), authors in any letter case or with a typo pointed out, a word
searched for in any of its forms; and never a story they may not see where they ask."""

from __future__ import annotations

import re

from bot.access import Changer
from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind
from standin.driver import Person
from standin.server import Standin
from tests.conftest import BotRunner, reader_page, shown_excerpt, unescaped
from tests.samples import database


def _story(title: str, author: str, **tags: tuple[str, ...]) -> StoryDraft:
    return StoryDraft(
        title=title,
        author=author,
        rating=Rating.GENERAL,
        tags={TagKind(kind): names for kind, names in tags.items()},
        chapters=(ChapterDraft("One", f"{title}, by {author}. " * 20),),
    )


async def _save(bot: StoryBot, draft: StoryDraft, guild_id: int | None = None) -> int:
    _, story_id = await bot.store.save_story(
        draft,
        source_key=draft.title,
        content_hash=draft.title,
        guild_id=guild_id,
        page_size=bot.settings.page_size,
    )
    return story_id


async def _suggested(reader: Person, typed: str, where: str = "general") -> list[str]:
    choices = await reader.autocomplete("read", "story", typed, where=where)
    return [choice["name"] for choice in choices]


async def test_the_story_option_suggests_by_character_relationship_fandom_and_tag(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await _save(bot, _story("Kurt's Locker", "Wren", character=("Kurt Hummel",)))
        await _save(
            bot,
            _story(
                "Lima Bean Mornings",
                "Kurtis",
                relationship=("Kurt Hummel/Blaine Anderson",),
                freeform=("Klaine", "Coffee Shops"),
            ),
        )
        # by title, then by author, then (the sample library) by a character
        assert await _suggested(reader, "Kurt") == [
            "Kurt's Locker — Wren",
            "Lima Bean Mornings — Kurtis",
            "Heart Broken — Unknown · Kurt Hummel",
            "We Keep Dancing — Unknown · Kurt Hummel",
        ]
        assert await _suggested(reader, "klaine") == ["Lima Bean Mornings — Kurtis · Klaine"]
        assert await _suggested(reader, "Hummel/Bl") == [
            "Heart Broken — Unknown · Kurt Hummel/Blaine Anderson",
            "Lima Bean Mornings — Kurtis · Kurt Hummel/Blaine Anderson",
        ]
        assert await _suggested(reader, "Glee") == [
            "Heart Broken — Unknown · Glee",
            "We Keep Dancing — Unknown · Glee",
        ]
        assert await _suggested(reader, "gl") == await _suggested(reader, "Glee")  # its start
        assert await _suggested(reader, "Karofsky", where="nsfw-reading") == [
            "Hello, Princess — Unknown · Dave Karofsky",
            "We Keep Dancing — Unknown · Dave Karofsky",
        ]
        choices = await reader.autocomplete("read", "story", "coffee shop")
        opened = await reader.slash("read", story=choices[0]["value"])
        assert reader_page(opened).title == "Lima Bean Mornings"


async def test_a_story_not_shown_here_is_never_suggested_by_its_tags(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    here, elsewhere = standin.world.guild("Story Club").id, standin.world.guild("Other Club").id
    async with storybot() as bot:
        await _save(bot, _story("Their Secret", "Wren", freeform=("Lighthouse AU",)), elsewhere)
        removed = await _save(bot, _story("Removed", "Wren", freeform=("Lighthouse AU",)), here)
        await bot.store.remove_story(
            removed, Changer(here, standin.world.user("moderator").id, True)
        )
        gone = await _save(bot, _story("Gone Now", "Wren", freeform=("Lighthouse AU",)))
        async with database(bot.store).transaction() as tx:
            await tx.execute("DELETE FROM story WHERE id = ?", (gone,))
        assert await _suggested(reader, "lighthouse") == []
        assert await _suggested(reader, "li") == []
        # Hello, Princess is rated Mature: not in #general, even by a character only it has
        assert await _suggested(reader, "Beiste") == []
        assert await _suggested(reader, "Beiste", where="nsfw-reading") == [
            "Hello, Princess — Unknown · Shannon Beiste"
        ]


async def _authors(reader: Person, command: str, typed: str, where: str = "general") -> list[str]:
    choices = await reader.autocomplete(command, "author", typed, where=where)
    assert all(choice["name"] == choice["value"] for choice in choices)
    return [choice["name"] for choice in choices]


async def _library_with_authors(bot: StoryBot, standin: Standin) -> None:
    """Wren and Kurtis beside the sample library's Unknown; Ada Quill writes only a Mature story
    and Zed only for another server."""
    await _save(bot, _story("Kurt's Locker", "Wren"))
    await _save(bot, _story("Lima Bean Mornings", "Kurtis"))
    mature = StoryDraft(
        title="After Dark",
        author="Ada Quill",
        rating=Rating.MATURE,
        chapters=(ChapterDraft("One", "After dark."),),
    )
    await _save(bot, mature)
    await _save(bot, _story("Elsewhere", "Zed"), standin.world.guild("Other Club").id)


async def test_author_options_suggest_the_authors_of_stories_shown_here(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await _library_with_authors(bot, standin)
        assert await _authors(reader, "stories", "") == ["Kurtis", "Unknown", "Wren"]
        assert await _authors(reader, "stories", "", where="nsfw-reading") == [
            "Ada Quill",
            "Kurtis",
            "Unknown",
            "Wren",
        ]
        assert await _authors(reader, "excerpt", "KUR") == ["Kurtis"]
        assert await _authors(reader, "subscribe author", "w") == ["Wren"]
        assert await _authors(reader, "subscribe author", "ada") == []  # rated Mature
        assert await _authors(reader, "subscribe author", "zed") == []  # another server's
        await reader.slash("subscribe author", author="wren")
        await reader.slash("subscribe author", author="Ada Quill", where="nsfw-reading")
        # what the reader follows, even an author whose stories are not shown where they ask
        assert await _authors(reader, "unsubscribe author", "") == ["ada quill", "wren"]
        assert await _authors(reader, "unsubscribe author", "WR") == ["wren"]


async def test_an_author_typed_by_hand_forgives_case_and_one_unknown_here_is_refused(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        await _library_with_authors(bot, standin)
        followed = await reader.slash("subscribe author", author="WREN")
        assert "new work by Wren." in followed.text
        typo = await reader.slash("subscribe author", author="Wrenn")
        assert typo.text == "I know no author called “Wrenn” here. Did you mean “Wren”?"
        hidden = await reader.slash("subscribe author", author="Ada Quill")
        assert hidden.text.startswith("I know no author called “Ada Quill” here.")
        assert "Did you mean" not in hidden.text
        elsewhere = await reader.slash("subscribe author", author="zed")
        assert elsewhere.text.startswith("I know no author called “zed” here.")
        listed = await reader.slash("stories", author="unknown")
        assert listed.embeds[0]["title"] == "Library: 2 stories"
        unsure = await reader.slash("stories", author="Unknwn")
        assert unsure.text == "I know no author called “Unknwn” here. Did you mean “Unknown”?"
        excerpt = await reader.slash("excerpt", author="kurtis")
        assert "Lima Bean Mornings" in shown_excerpt(excerpt).source
        refused = await reader.slash("excerpt", author="Kurtiss")
        assert "Did you mean “Kurtis”?" in refused.text
        assert (
            "Unsubscribed from Wren."
            in (await reader.slash("unsubscribe author", author="wren")).text
        )
        assert (
            "You weren't following Wren."
            in (await reader.slash("unsubscribe author", author="Wren")).text
        )
        await reader.slash("subscribe author", author="Ada Quill", where="nsfw-reading")
        stopped = await reader.slash("unsubscribe author", author="ada quill")  # in #general
        assert "Unsubscribed from ada quill." in stopped.text
        nobody = await reader.slash("unsubscribe author", author="Nobody At All")
        assert nobody.text.startswith("I know no author called “Nobody At All” here.")


async def test_search_finds_a_word_in_any_of_its_forms_and_opens_its_page(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    filler = "\n\n".join(f"Paragraph {n}: the workshop was quiet that night." for n in range(60))
    clockwork = StoryDraft(
        title="Clockwork",
        author="Wren",
        rating=Rating.GENERAL,
        chapters=(ChapterDraft("One", filler + "\n\nShe oiled the last gear and it turned."),),
    )
    async with storybot() as bot:
        await _save(bot, clockwork)
        found = await reader.slash("search", query="gears turning")
        shown = unescaped(found.text)
        assert "**gear** and it **turned**" in shown
        page = re.search(r"1\. Clockwork\*\* — chapter 1, page (\d+)", shown)
        assert page and int(page[1]) > 1  # the page the snippet is on
        opened = await found.click("Read #1")
        assert reader_page(opened).footer.startswith(f"page {page[1]} of")
        assert "She oiled the last gear" in unescaped(reader_page(opened).text)
        danced = await reader.slash("search", query="danced", where="nsfw-reading")
        assert "We Keep Dancing" in unescaped(danced.text)
        assert "**danc" in danced.text.lower()
