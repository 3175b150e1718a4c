"""Cutting a chapter into candidate excerpts: whole paragraphs, neither a scrap nor a wall.

Excerpts are computed once, when a story is stored, like pages. Author's notes and headings are
not part of a chapter's text, so they are never excerpted.
"""

from __future__ import annotations

import bisect
import re

from bot.library.pages import paragraph_spans

MIN_LENGTH = 300
MAX_LENGTH = 1200

_NO_LETTERS = re.compile(r"[\W_]*")  # scene breaks such as "* * *" or "~~~"


def passages(
    text: str,
    pages: list[tuple[int, int]],
    min_length: int = MIN_LENGTH,
    max_length: int = MAX_LENGTH,
) -> list[tuple[int, int, int]]:
    """Excerpts of `text` as (start, end, page number), not overlapping, in order.

    Each starts at the start of a paragraph and ends at the end of one, runs from `min_length`
    to `max_length` characters, and does not cross a scene break. `pages` are the chapter's
    page spans, to tell the page an excerpt starts on.
    """
    found = []
    page_starts = [start for start, _ in pages]
    run: list[tuple[int, int]] = []
    for start, end in paragraph_spans(text):
        if _NO_LETTERS.fullmatch(text, start, end):
            run = []
            continue
        run.append((start, end))
        while run and run[-1][1] - run[0][0] > max_length:
            run.pop(0)
        if run and run[-1][1] - run[0][0] >= min_length:
            page = max(1, bisect.bisect_right(page_starts, run[0][0]))
            found.append((run[0][0], run[-1][1], page))
            run = []
    return found
