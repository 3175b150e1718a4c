"""/download through the Discord stand-in: each sample story and an uploaded one as an EPUB the
official validator accepts, whose chapters hold the story's text in order, and as HTML and plain
text of the same text; ratings allow a download exactly where they allow reading."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from pathlib import Path

import aiohttp
import pytest
from bs4 import BeautifulSoup

from bot.store import Store
from bot.ui import limits
from standin.driver import Reply
from standin.server import Standin
from tests.conftest import BotRunner
from tests.e2e.test_reading import SAMPLES
from tests.e2e.test_uploads import upload
from tests.library.test_export import validated

THREE_CHAPTERS = b"""---
title: Three Bells <for> Mara
author: Ada Quill
rating: General Audiences
---

# Chapter 1: The First Bell

A/N: for @everyone who asked.

The first bell rang at dawn, and Mara counted it.

# Chapter 2: The Second Bell

The second bell was _late_ & cracked.

# Chapter 3: The Third Bell

The third bell never rang at all.
"""


def _words(text: str) -> list[str]:
    """A text's words, whatever markup or italics markers are around them."""
    return re.findall(r"[^\W_]+", text)


def _holds(text: str, prose: str) -> bool:
    """Whether `text` has the words of `prose`, one after another."""
    return " ".join(_words(prose)) in " ".join(_words(text))


async def _file(reply: Reply) -> tuple[str, bytes]:
    """The name and bytes of the one file the bot sent, fetched as Discord's client does."""
    message = await reply.followup() if reply.message is None else reply.message
    (attachment,) = message.attachments
    async with aiohttp.ClientSession() as session, session.get(attachment["url"]) as answer:
        return attachment["filename"], await answer.read()


def _epub_chapters(book: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(book)) as files:
        names = sorted(name for name in files.namelist() if re.search(r"chapter\d+\.xhtml$", name))
        return [BeautifulSoup(files.read(name), "html.parser").get_text(" ") for name in names]


async def _downloads(standin: Standin, store: Store, title: str) -> tuple[list[str], list[bytes]]:
    """Download a story in every format; the stored prose of its chapters, and the files."""
    reader = standin.user("reader")
    files = []
    for kind in ("epub", "html", "txt"):
        reply = await reader.slash("download", story=title, format=kind, where="nsfw-reading")
        assert reply.ephemeral
        name, data = await _file(reply)
        assert name.endswith(f".{kind}")
        files.append(data)
    found = next(
        listed.story for listed in await store.all_stories() if listed.story.title == title
    )
    return [chapter.text for chapter in await store.chapters(found.id)], files


@pytest.mark.timeout(600)  # the validator is a Java program: seconds for each book
async def test_every_sample_and_an_uploaded_story_download_as_epub_html_and_text(
    storybot: BotRunner, standin: Standin, tmp_path: Path
) -> None:
    moderator = standin.user("moderator")
    books = []
    async with storybot() as bot:
        await (await upload(moderator, standin, "bells.md", THREE_CHAPTERS)).click("Confirm")
        for title in [*SAMPLES, "Three Bells <for> Mara"]:
            chapters, (book, page, text) = await _downloads(standin, bot.store, title)
            shown = _epub_chapters(book)
            assert len(shown) == len(chapters), title
            for stored, chapter in zip(chapters, shown, strict=True):
                assert _holds(chapter, stored), title
            html = BeautifulSoup(page, "html.parser")
            sections = [section.get_text(" ") for section in html.find_all("section")]
            assert [_holds(s, c) for s, c in zip(sections, chapters, strict=True)] == [True] * len(
                chapters
            )
            places = [text.decode().index(stored) for stored in chapters]
            assert places == sorted(places), title
            books.append(book)
        assert len(chapters) == 3  # the uploaded story's, the last
        assert "<for>" not in page.decode() and "&lt;for&gt;" in page.decode()
    await asyncio.gather(*(asyncio.to_thread(validated, book, tmp_path) for book in books))


async def test_a_mature_story_is_downloaded_only_in_age_restricted_channels_and_dms_once_allowed(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        refused = await reader.slash("download", story="Hello, Princess")
        in_dms = await reader.slash("download", story="Hello, Princess", where=None)
        allowed = await reader.slash("download", story="Hello, Princess", where="nsfw-reading")
        await reader.slash("mature-content", allow=True, where="dm")
        opted_in = await reader.slash("download", story="Hello, Princess", format="txt", where="dm")
    for reply in (refused, in_dms):
        message = await reply.followup() if reply.message is None else reply.message
        assert message.attachments == []
        assert "rated Mature" in message.content
    assert "age-restricted channel" in refused.text
    assert "/mature-content" in in_dms.text
    assert (await _file(allowed))[0] == "Hello_Princess.epub"
    assert (await _file(opted_in))[0] == "Hello_Princess.txt"


async def test_a_story_too_large_for_discord_is_refused_with_its_size_and_the_limit(
    storybot: BotRunner, standin: Standin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "UPLOAD_BYTES", 2048)
    async with storybot():
        reply = await standin.user("reader").slash(
            "download", story="We Keep Dancing", format="txt"
        )
    assert reply.message is not None and reply.message.attachments == []
    assert re.search(
        r"as plain text is \d+ KB, more than the 2 KB Discord lets a bot send", reply.text
    )
