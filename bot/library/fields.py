"""A story's details as readers see them: what is kept of each, and how long it may be.

One rule for every source of a detail (front matter, a sidecar, a Project Gutenberg header, a
Markdown heading, HTML, EPUB, an upload's options, the details form): control, direction and
zero-width characters go, each run of whitespace becomes one space, and a detail longer than its
limit is refused, saying so. A detail with nothing visible left counts as not given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.library.model import StoryDraft, TagKind
from bot.library.render import shorten
from bot.library.text import ImportRejected, normalise, shown

LIMITS = {
    "title": 200,
    "author": 100,
    "summary": 2_000,
    "language": 35,
    "source": 500,
    "series": 200,
}
"""The most characters each detail may have."""
MAX_TAG = 100
"""The most characters of one fandom, relationship, character or tag."""
MAX_TAGS = 75
"""How many fandoms, relationships, characters and tags a story may have together, as on AO3."""
MAX_CHAPTER_TITLE = 200
MAX_SERIES_PART = 10_000
"""The highest part number of a series."""

_NAMES = {"author": "author's name"}
_TAG_NAMES = {TagKind.FREEFORM: "tag"}

# Besides what normalise drops from prose (control and zero-width characters, direction
# embeddings, overrides and isolates): the direction marks and the Mongolian vowel separator.
# Prose in a right-to-left script may need its marks; a detail is shown beside other text, in a
# menu or a list, which a stray mark reorders, and a title of nothing but marks looks blank.
_MARKS = re.compile("[\u061c\u180e\u200e\u200f]")


class TooLong(ValueError):
    """A detail over its limit; `str()` says which and by how much, to follow "In <where>, "."""


def cleaned(text: str, *, paragraphs: bool = False) -> str:
    """Text as a detail keeps it: normalised as prose is, without direction marks, and each run
    of whitespace one space. With `paragraphs` (a summary) line breaks stay, and one blank line
    between paragraphs; the zero-width joiners stay, as emoji and several scripts need them."""
    text = normalise(_MARKS.sub("", text))
    if not paragraphs:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _too_long(what: str, text: str, limit: int) -> TooLong:
    article = "an" if what[0] in "aeiou" else "a"
    return TooLong(
        f"the {what} is {len(text):,} characters long; {article} {what} may be at most {limit:,}"
    )


def detail(key: str, value: str) -> str:
    """A story's title, author, summary, language, source or series as kept ("" if nothing
    visible is left); raises TooLong if it is longer than LIMITS allows."""
    text = cleaned(value, paragraphs=key == "summary")
    if len(text) > LIMITS[key]:
        raise _too_long(_NAMES.get(key, key), text, LIMITS[key])
    return text


def tag_names(kind: TagKind, names: Iterable[str]) -> tuple[str, ...]:
    """Fandoms, relationships, characters or tags as kept: cleaned, blank ones and repeats left
    out; raises TooLong for one longer than MAX_TAG."""
    kept = tuple(dict.fromkeys(name for name in map(cleaned, names) if name))
    for name in kept:
        if len(name) > MAX_TAG:
            what = _TAG_NAMES.get(kind, kind.value)
            raise TooLong(
                f"the {what} “{shown(name)}” is {len(name):,} characters long; "
                f"a {what} may be at most {MAX_TAG}"
            )
    return kept


def _tags(tags: Mapping[TagKind, Iterable[str]]) -> dict[TagKind, tuple[str, ...]]:
    kept = {kind: tag_names(kind, names) for kind, names in tags.items()}
    count = sum(map(len, kept.values()))
    if count > MAX_TAGS:
        raise TooLong(
            f"the story has {count:,} fandoms, relationships, characters and tags together; "
            f"a story may have at most {MAX_TAGS}"
        )
    return {kind: names for kind, names in kept.items() if names}


def chapter_title(title: str) -> str:
    """A chapter's title as kept: cleaned and, past MAX_CHAPTER_TITLE, shortened rather than
    refused, as the heading HTML gives a chapter is sometimes the start of its prose."""
    return shorten(cleaned(title), MAX_CHAPTER_TITLE)


def checked(draft: StoryDraft, where: str) -> StoryDraft:
    """The draft with every detail kept as `detail` and `tag_names` keep them; a blank author
    is "Unknown", a blank chapter title "Chapter N", and a part number without a series none.

    Raises ImportRejected naming `where` for a detail that is too long, or too many tags.
    """
    try:
        return replace(
            draft,
            title=detail("title", draft.title) or "Untitled",
            author=detail("author", draft.author) or "Unknown",
            summary=detail("summary", draft.summary),
            language=detail("language", draft.language),
            source=detail("source", draft.source),
            series=(series := detail("series", draft.series)),
            series_part=(
                draft.series_part
                if series and draft.series_part and 0 < draft.series_part <= MAX_SERIES_PART
                else None
            ),
            tags=_tags(draft.tags),
            chapters=tuple(
                replace(chapter, title=chapter_title(chapter.title) or f"Chapter {number}")
                for number, chapter in enumerate(draft.chapters, start=1)
            ),
        )
    except TooLong as error:
        raise ImportRejected(f"In {where}, {error}.") from None
