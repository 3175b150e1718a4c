"""Cutting a chapter into pages that read comfortably in one message, and a page into the parts
a reader on short pages sees.

Pages are computed once, when a story is stored, as character offsets into the chapter text, so
page N of a chapter is the same for every reader and reading never re-splits a chapter. A page's
parts are cut from it as it is shown, the same way every time, so they need not be stored.
"""

from __future__ import annotations

import re

DEFAULT_PAGE_SIZE = 1800

_PARAGRAPH_BREAK = re.compile(r"\n\n+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def paginate(text: str, size: int = DEFAULT_PAGE_SIZE) -> list[tuple[int, int]]:
    """Split `text` into pages of at most `size` characters, as (start, end) offsets.

    Pages end at paragraph breaks; a paragraph longer than a page is cut after a sentence,
    then between words, and only inside a word if a single word is longer than a page.
    Whitespace between pages belongs to neither page. An empty text is one empty page.
    """
    if not text.strip():
        return [(0, len(text))]
    pages: list[tuple[int, int]] = []
    start = end = -1  # no paragraph yet
    for paragraph_start, paragraph_end in paragraph_spans(text):
        if start >= 0 and paragraph_end - start <= size:
            end = paragraph_end
            continue
        if start >= 0:
            pages.append((start, end))
        start, end = paragraph_start, paragraph_end
        while end - start > size:
            cut = _cut_point(text, start, start + size)
            pages.append((start, cut))
            start = _skip_space(text, cut)
    pages.append((start, end))
    return pages


def parts(text: str, page_size: int = DEFAULT_PAGE_SIZE) -> list[str]:
    """A page's `text` in the parts a reader who asked for short pages sees, in order: cut as
    `paginate` cuts a chapter, at half `page_size`. Whitespace between parts belongs to
    neither; a page that fits in one part is that one part."""
    return [text[start:end] for start, end in paginate(text, page_size // 2)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of `text` that has anything but white space in it."""
    spans = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _cut_point(text: str, start: int, limit: int) -> int:
    """The best place to end a page that must end by `limit`: after a sentence, else a word."""
    window = text[start:limit]
    floor = len(window) // 3  # a page should not be cut absurdly short to land on a sentence
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    if text[limit : limit + 1].isspace() and window[-1:] in ".!?…":
        sentence_ends.append(len(window))
    if sentence_ends and sentence_ends[-1] > floor:
        return start + len(window[: sentence_ends[-1]].rstrip())
    spaces = [match.start() for match in _SPACE.finditer(window)]
    if text[limit : limit + 1].isspace():
        return limit
    if spaces and spaces[-1] > 0:
        return start + spaces[-1]
    return limit


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position
