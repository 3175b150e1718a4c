"""Every kind of story file an uploader may send, each handed to its reader."""

from __future__ import annotations

from pathlib import PurePath

from bot.library.epub import parse_epub
from bot.library.html import HTML_SUFFIXES, parse_html
from bot.library.importer import SUFFIXES as TEXT_SUFFIXES
from bot.library.importer import parse_story
from bot.library.model import StoryDraft
from bot.library.text import ImportRejected, file_size, quoted

UPLOAD_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".epub")


def parse_upload(raw: bytes, filename: str, *, max_bytes: int) -> StoryDraft:
    """Read an uploaded story file of any accepted kind, chosen by its suffix.

    Raises ImportRejected, with one sentence for the uploader, for a file of another kind, one
    larger than `max_bytes`, or one that cannot be read as a story.
    """
    name = PurePath(filename).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ImportRejected(
            f"{quoted(name)} is not a kind of file I can read: please upload a story as plain "
            f"text, Markdown, HTML or EPUB ({', '.join(UPLOAD_SUFFIXES)})."
        )
    if len(raw) > max_bytes:
        raise ImportRejected(
            f"{quoted(name)} is {file_size(len(raw))}: a story file may be at most "
            f"{file_size(max_bytes)}."
        )
    if suffix in TEXT_SUFFIXES:
        return parse_story(raw, name, max_bytes=max_bytes)
    return parse_epub(raw, name) if suffix == ".epub" else parse_html(raw, name)
