"""A chapter's layout: where its pages and its excerpts are, computed once when it is stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.library.excerpts import passages
from bot.library.model import ChapterDraft
from bot.library.pages import paginate


@dataclass(frozen=True)
class ChapterLayout:
    pages: list[tuple[int, int]]  # (start, end) offsets into the chapter's text
    excerpts: list[tuple[int, int, int]]  # (start, end, page number)


def lay_out(chapters: Sequence[ChapterDraft], page_size: int) -> list[ChapterLayout]:
    """Each chapter's pages and candidate excerpts."""
    layouts = []
    for chapter in chapters:
        pages = paginate(chapter.text, page_size)
        layouts.append(ChapterLayout(pages, passages(chapter.text, pages)))
    return layouts
