"""Moderators' changes to a story, through the Discord stand-in: the role checked again at every
click, and readers' places kept when chapters move."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.access import Viewer
from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.driver import Reply
from standin.server import Standin
from tests.conftest import BotRunner, reader_page, unescaped

BEACON = StoryDraft(
    title="The Beacon",
    author="Ada Quill",
    rating=Rating.GENERAL,
    chapters=tuple(
        ChapterDraft(
            f"Light {n}",
            "\n\n".join(
                f"Light {n} paragraph {p}: the beacon turned over the water. " * 6
                for p in range(12)
            ),
        )
        for n in range(1, 5)
    ),
)


async def _upload(bot: StoryBot, standin: Standin) -> int:
    """The Beacon, uploaded to Story Club by its moderator."""
    return await bot.store.add_upload(
        standin.world.guild("Story Club").id,
        BEACON,
        content_hash=BEACON.title,
        user_id=standin.world.user("moderator").id,
        page_size=bot.settings.page_size,
    )


def _shown(reply: Reply) -> tuple[str, str]:
    """(the prose of the page shown, its footer)."""
    page = reader_page(reply)
    return unescaped(page.text).split("\n\n", 1)[1], page.footer


async def _place_saved(bot: StoryBot, standin: Standin, chapter: int, page: int) -> None:
    """Wait until the reader's place is written: a page is answered while its place is saved."""
    reader = Viewer(standin.world.user("reader").id, standin.world.guild("Story Club").id, True)
    for _ in range(500):
        mark = await bot.store.last_bookmark(reader)
        if mark and (mark.chapter_number, mark.page_number) == (chapter, page):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the reader's place in chapter {chapter}, page {page} was not saved")


@pytest.mark.parametrize("undo", [False, True])
async def test_a_moderator_role_withdrawn_before_the_click_changes_nothing(
    storybot: BotRunner, standin: Standin, undo: bool
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await _upload(bot, standin)
        asked = await moderator.slash("library remove", story="The Beacon")
        if undo:
            assert "Removed" in (await asked.click("Remove it")).text
        standin.world.guild("Story Club").members["moderator"] = []
        refused = await asked.click("Undo" if undo else "Remove it")
        assert refused.ephemeral
        assert "That story is not one you may change here" in refused.text
        opened = await reader.slash("read", story="The Beacon")
        if undo:
            assert "couldn't find a story called" in opened.text
        else:
            assert "Light 1 paragraph 0" in reader_page(opened).text


async def test_readers_places_follow_their_chapters_when_one_moves(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await _upload(bot, standin)
        before = await reader.slash("read", story="The Beacon", chapter=3, page=2)
        text, footer = _shown(before)
        assert text.startswith("Light 3 paragraph")
        assert footer.startswith("page 2 of")
        await _place_saved(bot, standin, 3, 2)
        await moderator.slash("library move-chapter", story="The Beacon", chapter=3, position=1)
        back = await reader.slash("continue")
        assert _shown(back)[0] == text
        assert re.match(r"page 2 of \d+ · chapter 1 of 4", _shown(back)[1])
        progress = await reader.slash("progress")
        assert "chapter 1, page 2" in progress.text


async def test_a_file_sent_again_as_chapters_is_refused_and_the_history_names_who_added_them(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator = standin.user("moderator")
    story = b"---\ntitle: The Beacon\n---\n" + b"".join(
        b"Chapter %d: Light\n\nThe beacon turned over the water.\n\n" % n for n in range(1, 5)
    )
    more = b"Chapter 5: Dawn\n\nThe beacon went dark at dawn.\n"
    async with storybot():
        preview = await moderator.slash("upload", file=standin.attachment("beacon.txt", story))
        await preview.click("Confirm")
        for _ in range(2):
            preview = await moderator.slash(
                "upload", file=standin.attachment("more.txt", more), story="The Beacon"
            )
            done = await preview.click("Confirm")
        assert done.text == (
            "This file was uploaded here before, as “The Beacon”: nothing was added."
        )
        own = await moderator.slash(
            "upload", file=standin.attachment("again.txt", story), story="The Beacon"
        )
        assert (await own.click("Confirm")).text == done.text
        history = await moderator.slash("library history", story="The Beacon")
        lines = history.text.splitlines()
        assert len(lines) == 2
        assert lines[0].endswith(f"<@{moderator.user.id}> append: chapters 5–5")
        assert lines[1].endswith(f"<@{moderator.user.id}> upload: “The Beacon”, 4 chapters")
