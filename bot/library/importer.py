"""Turn an uploaded story file into a StoryDraft: metadata, chapters, paragraphs and author's notes.

The importer moves text about but never changes a word of it: whatever is not a heading, metadata or
Project Gutenberg boilerplate ends up in a chapter's prose or in its notes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import PurePath
from typing import Any

import yaml
from yaml.nodes import Node

from bot.library.fields import (
    LIMITS,
    MAX_SERIES_PART,
    TooLong,
    checked,
    cleaned,
    detail,
    tag_names,
)
from bot.library.model import (
    ARCHIVE_WARNINGS,
    ChapterDraft,
    Rating,
    Status,
    StoryDraft,
    TagKind,
    count_words,
)
from bot.library.render import either, shorten
from bot.library.text import (
    DEFAULT_MAX_BYTES,
    ImportRejected,
    decode,
    normalise,
    not_text,
    quoted,
    shown,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "METADATA_KEYS",
    "SUFFIXES",
    "ImportRejected",
    "decode",
    "looks_like_heading",
    "normalise",
    "parse_story",
    "split_chapters",
    "title_from_filename",
    "with_metadata",
]

SUFFIXES = (".txt", ".md", ".markdown")

_UNTITLED_OPENING = "Prologue"
"""The title of substantial prose that comes before a story's first heading."""
_PREFACE_WORDS = 100
"""Fewer words than this before the first heading are a preface, not a chapter."""
_SIGN_OFF_WORDS = 8
_MAX_HEADING_CHARS = 80
"""The longest scene break, and title after a chapter's label with no separator between them
("Chapter 3 The Return"): a longer line of either shape is a sentence."""
_MAX_SUBTITLE_CHARS = 60

# --- Metadata -------------------------------------------------------------------------------


class _Unaccepted(ValueError):
    """A metadata value we cannot use: the value, and what would do instead."""

    def __init__(self, value: object, accepted: str) -> None:
        super().__init__(value, accepted)
        self.value = value
        self.accepted = accepted


def _is_text(value: object) -> bool:
    # YAML reads `title: 1984` as a number and `source: 2011-05-01` as a date: both do as text.
    return isinstance(value, str | int | float | dt.date) and not isinstance(value, bool)


def _text(value: object) -> str:
    if not _is_text(value):
        raise _Unaccepted(value, "use a line of text")
    return str(value).strip()


def _detail(key: str, value: object) -> str:
    return detail(key, _text(value))


def _names(value: object) -> tuple[str, ...]:
    """A name or a list of names; commas separate names too, as AO3 allows none inside a tag."""
    items = value if isinstance(value, list) else [value]
    if not all(_is_text(item) for item in items):
        raise _Unaccepted(value, "use a name, or a list of names")
    names = (name.strip() for item in items for name in str(item).split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def _rating(value: object) -> Rating:
    try:
        return Rating.parse(_text(value))
    except ValueError:
        raise _Unaccepted(value, f"use {either(Rating)}") from None


def _warnings(value: object) -> tuple[str, ...]:
    known = {warning.casefold(): warning for warning in ARCHIVE_WARNINGS}
    names = _names(value)
    for name in names:
        if name.casefold() not in known:
            raise _Unaccepted(name, f"use {either(ARCHIVE_WARNINGS)}")
    return tuple(known[name.casefold()] for name in names)


def _tag_names(kind: TagKind, value: object) -> tuple[str, ...]:
    return tag_names(kind, _names(value))


def _status(value: object) -> Status:
    try:
        return Status.parse(_text(value))
    except ValueError:
        raise _Unaccepted(value, f"use {either(Status)}") from None


def _series_part(value: object) -> int:
    text = _text(value)
    if not text.isdigit() or not 1 <= int(text) <= MAX_SERIES_PART:
        raise _Unaccepted(value, f"use a part number from 1 to {MAX_SERIES_PART:,}")
    return int(text)


_TAG_KEYS = {
    "fandoms": TagKind.FANDOM,
    "relationships": TagKind.RELATIONSHIP,
    "characters": TagKind.CHARACTER,
    "tags": TagKind.FREEFORM,
}
_READERS: dict[str, Callable[[object], object]] = {
    "title": partial(_detail, "title"),
    "author": partial(_detail, "author"),
    "summary": partial(_detail, "summary"),
    "rating": _rating,
    "warnings": _warnings,
    **{key: partial(_tag_names, kind) for key, kind in _TAG_KEYS.items()},
    "status": _status,
    "language": partial(_detail, "language"),
    "source": partial(_detail, "source"),
    "series": partial(_detail, "series"),
    "series_part": _series_part,
}
METADATA_KEYS = tuple(_READERS)
"""The keys a story's front matter or sidecar YAML may use."""


def _read_metadata(fields: Mapping[Any, object], where: str) -> dict[str, Any]:
    """Check and convert metadata, keyed as METADATA_KEYS; a value with nothing visible in it
    counts as not given."""
    metadata: dict[str, Any] = {}
    for key, value in fields.items():
        name = str(key).strip().lower()
        if name not in _READERS:
            guess = difflib.get_close_matches(name, METADATA_KEYS, n=1)
            hint = f" (did you mean “{guess[0]}”?)" if guess else ""
            raise ImportRejected(
                f"In {where}, “{shown(key)}” is not a metadata key{hint}: "
                f"use {either(METADATA_KEYS)}."
            )
        if value in (None, "", []):
            continue
        try:
            read = _READERS[name](value)
        except _Unaccepted as error:
            raise ImportRejected(
                f"In {where}, {name} “{shown(error.value)}” is not accepted: {error.accepted}."
            ) from None
        except TooLong as error:
            raise ImportRejected(f"In {where}, {error}.") from None
        if read not in ("", ()):
            metadata[name] = read
    return metadata


MAX_YAML_DEPTH = 20
MAX_YAML_VALUES = 1_000
"""How many values metadata YAML may stand for once its aliases are expanded: a "billion
laughs" of nested aliases (`b: &b [*a, *a, …]`) stands for a billion in a few hundred bytes."""


class _Overgrown(yaml.YAMLError):
    """Metadata YAML nested or aliased far beyond what a story's details need; says which."""


class _MetadataLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a document as it is read, before anything is built from it,
    once it nests deeper than MAX_YAML_DEPTH or stands for more than MAX_YAML_VALUES values.

    Loading aliases is cheap, as they share one object; it is whatever walks the values
    afterwards (a message quoting them, say) that would expand them all.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._anchored: dict[str, int] = {}
        """How many values each anchor stands for, the aliases inside it expanded."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # yaml has no types here
        if isinstance(event, yaml.AliasEvent):
            # An alias inside its own anchor has no size yet: it counts as one value.
            self._count(self._anchored.get(event.anchor or "", 1))
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _Overgrown(f"values are nested more than {MAX_YAML_DEPTH} deep")
        before = self._values
        self._count(1)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._anchored[event.anchor] = self._values - before
        return node

    def _count(self, values: int) -> None:
        self._values += values
        if self._values > MAX_YAML_VALUES:
            raise _Overgrown(f"aliases (*name) expand to more than {MAX_YAML_VALUES:,} values")


def _load_metadata(source: str, where: str, *, first_line: int = 1) -> dict[str, Any]:
    """Metadata from YAML text; `first_line` is where the YAML starts in its file, for messages."""
    unreadable = (
        f"I can't read {where} as YAML{{line}}: "
        "write one “key: value” per line, such as “title: The Last Dance”."
    )
    try:
        fields = yaml.load(source, Loader=_MetadataLoader)
    except _Overgrown as error:
        raise ImportRejected(
            f"In {where}, {error}, far more than a story's details need, so I won't read it."
        ) from None
    except ValueError:
        # YAML reads 2011-02-30 as a date and 5,000 digits as a number, and Python has neither.
        raise ImportRejected(
            f"I can't read {where}: a value in it looks like a date or a number but is none "
            "(put it in quotes if it is text)."
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + first_line})" if mark else ""
        raise ImportRejected(unreadable.format(line=line)) from None
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise ImportRejected(unreadable.format(line=""))
    return _read_metadata(fields, where)


_FRONT_MATTER_OPENING = re.compile(r"---\n[A-Za-z_][\w -]*:")
_FRONT_MATTER = re.compile(r"---\n(?P<yaml>.*?)\n(?:---|\.\.\.)(?:\n|\Z)", re.S)


def _front_matter(text: str, filename: str) -> tuple[dict[str, Any], str]:
    """The metadata in a YAML block at the very top of the text, and the text after it."""
    if not _FRONT_MATTER_OPENING.match(text):
        return {}, text
    where = f"the front matter of {quoted(filename)}"
    block = _FRONT_MATTER.match(text)
    if block is None:
        raise ImportRejected(
            f"I can't find the end of {where}: close it with a line of three dashes, “---”."
        )
    return _load_metadata(block["yaml"], where, first_line=2), text[block.end() :]


# --- Project Gutenberg ----------------------------------------------------------------------

_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*\n?", re.M | re.I)
_GUTENBERG_END = re.compile(
    r"^(?:End of (?:the )?Project Gutenberg.*\n\s*)?\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG",
    re.M | re.I,
)
_GUTENBERG_FIELD = re.compile(r"^(Title|Author):[ \t]*(.+(?:\n[ \t]+\S.*)*)", re.M)


def _without_gutenberg(text: str) -> tuple[str, dict[str, str]]:
    """The text without a Project Gutenberg header and licence, and the title and author it gave."""
    start = _GUTENBERG_START.search(text)
    if start is None:
        return text, {}
    fields = _GUTENBERG_FIELD.findall(text, 0, start.start())
    body = text[start.end() :]
    if end := _GUTENBERG_END.search(body):
        body = body[: end.start()]
    return body, {key.lower(): text for key, value in fields if (text := cleaned(value))}


# --- Headings -------------------------------------------------------------------------------

_ONES = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = rf"(?:\d{{1,4}}|(?:{_TENS})(?:[\s-](?:{_ONES}))?|{_TEENS}|{_ONES}|{_ROMAN})\b"
_CHAPTER_LABEL = re.compile(rf"(?:(?:chapter|chap|ch)\s+|(?:chap|ch)\.\s*){_NUMBER}", re.I)
_NUMBERED = re.compile(
    rf"(?:{_CHAPTER_LABEL.pattern}|part\s+{_NUMBER})(?:\s+of\s+{_NUMBER})?(?P<rest>.*)", re.I
)
_NAMED = re.compile(r"(?:prologue|epilogue|interlude|preface|foreword|afterword)(?P<rest>.*)", re.I)
_SEPARATORS = ":.-–—~|)*_"
_SEPARATOR = re.compile(rf"\s*[{re.escape(_SEPARATORS)}]+\s*")
_MD_HEADING = re.compile(r"(?P<marks>#{1,6})\s+(?P<text>.+?)(?:\s+#+)?")
_TITLE_OPENERS = "\"'“‘([0123456789"


def _core(line: str) -> str:
    """A heading line without surrounding space or Markdown emphasis (**Chapter 1**)."""
    return line.strip().strip("*_").strip()


def _bare(heading: str) -> str:
    """A heading as its own title: "CHAPTER IV." reads "CHAPTER IV"."""
    return _core(heading).rstrip(_SEPARATORS + " ")


def _reads_as_title(text: str) -> bool:
    """Whether text after a chapter label is a title rather than the rest of a sentence."""
    return not text.endswith((",", ";")) and (not text.endswith(".") or text.endswith(".."))


def _title_after_label(rest: str) -> str | None:
    """The title after "Chapter 3": "" if there is none, None if the line goes on as prose."""
    if not rest.strip():
        return ""
    if separator := _SEPARATOR.match(rest):
        title = rest[separator.end() :].strip()
    elif (
        rest[0].isspace()
        and len(rest) <= _MAX_HEADING_CHARS
        and (rest.lstrip()[0].isupper() or rest.lstrip()[0] in _TITLE_OPENERS)
    ):
        title = rest.strip()
    else:
        return None
    return title if _reads_as_title(title) else None


def _chapter_title(line: str) -> str | None:
    """The title a chapter heading gives: "" for a bare "Chapter 3", None if the line is not one."""
    core = _core(line)
    if numbered := _NUMBERED.fullmatch(core):
        return _title_after_label(numbered["rest"])
    # "Prologue: The Beginning" keeps its label, which no chapter number will stand in for.
    if (named := _NAMED.fullmatch(core)) and _title_after_label(named["rest"]) is not None:
        return _bare(core)
    return None


def looks_like_heading(line: str) -> bool:
    """Whether a line begins as a chapter heading does ("Chapter 3…", "## …"), whether or not
    it was taken for one: in a chapter's prose, such a line may be a heading that was missed."""
    markdown = _MD_HEADING.fullmatch(line.strip()) and not _is_scene_break(line)  # "# # #"
    return bool(_CHAPTER_LABEL.match(_core(line)) or markdown)


def _opening_title(lines: list[str]) -> tuple[str | None, list[str]]:
    """The story title from a Markdown heading that opens the text, and the lines after it.

    It is a title, not a chapter, when it is no chapter heading itself ("# Chapter 1") and any
    other Markdown heading is deeper ("# Title" above "## Chapter 1").
    """
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, lines
    opening = _MD_HEADING.fullmatch(lines[first].strip())
    if opening is None or _chapter_title(opening["text"]) is not None:
        return None, lines
    level = len(opening["marks"])
    for line in lines[first + 1 :]:
        heading = _MD_HEADING.fullmatch(line.strip())
        if heading and len(heading["marks"]) <= level:
            return None, lines
    return opening["text"], lines[first + 1 :]


_BYLINE = re.compile(r"by\b\s*:?\s*(?P<author>\S.*)", re.I)
_ENDS_SENTENCE = (".", "!", "?", "…", ",", ";", ":")


def _title_and_author(text: str) -> tuple[dict[str, str], str]:
    """The title and author that open a text ("The Last Waltz" over "by Ada Quill"), and the
    text after them.

    Only a short line at the very top, ending no sentence and directly over (or one blank line
    above) a "by …" line, is a title: a first line of prose never is.
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    under = first + 1 if not _blank(lines, first + 1) else first + 2
    if _blank(lines, first) or _blank(lines, under):
        return {}, text
    line = lines[first].strip()
    markdown = _MD_HEADING.fullmatch(line)
    title = cleaned(markdown["text"] if markdown else line)
    byline = _BYLINE.fullmatch(lines[under].strip())
    author = cleaned(byline["author"]) if byline else ""
    if not (
        title
        and author
        and len(title) <= LIMITS["title"]
        and len(author) <= LIMITS["author"]
        and not title.endswith(_ENDS_SENTENCE)
        and not author.endswith(_ENDS_SENTENCE)
        and _chapter_title(title) is None
        and not _is_note(title)
    ):
        return {}, text
    return {"title": title, "author": author}, "\n".join(lines[under + 1 :])


@dataclass(frozen=True)
class _Heading:
    """A chapter heading found in the text: where its lines are, and the title it gives."""

    start: int
    end: int
    """The line after the heading (and its subtitle)."""
    title: str


def _blank(lines: list[str], index: int) -> bool:
    return not 0 <= index < len(lines) or not lines[index].strip()


def _is_subtitle(lines: list[str], index: int) -> bool:
    """Whether a line is the title under a bare heading, as in Gutenberg's "CHAPTER I." lines."""
    line = "" if _blank(lines, index) else lines[index].strip()
    return (
        0 < len(line) <= _MAX_SUBTITLE_CHARS
        and _blank(lines, index + 1)
        and (line[0].isupper() or line[0] in _TITLE_OPENERS)
        and not line.endswith((".", ",", ";", ":"))
        and _chapter_title(line) is None
        and not _is_scene_break(line)
    )


def _heading_at(lines: list[str], index: int, wrapped: bool, chapter_level: int) -> _Heading | None:
    """The chapter heading starting at a line, if it is one.

    Headings are short lines of their own. In hard-wrapped text a line beginning "Chapter 5." may
    just be where the wrap fell, so there a heading also needs blank lines around it.
    """
    line = lines[index]
    if markdown := _MD_HEADING.fullmatch(line.strip()):
        if len(markdown["marks"]) != chapter_level:
            return None
        return _Heading(
            index, index + 1, _chapter_title(markdown["text"]) or _bare(markdown["text"])
        )
    title = _chapter_title(line)
    if title is None:
        return None
    if title == "" and _blank(lines, index - 1) and _is_subtitle(lines, index + 1):
        return _Heading(index, index + 2, lines[index + 1].strip())
    if wrapped and not (_blank(lines, index - 1) and _blank(lines, index + 1)):
        return None
    return _Heading(index, index + 1, title or _bare(line))


def _headings(lines: list[str], width: int | None) -> list[_Heading]:
    """Every line that reads as a chapter heading, in order."""
    levels = [len(m["marks"]) for line in lines if (m := _MD_HEADING.fullmatch(line.strip()))]
    chapter_level = min(levels, default=0)
    headings: list[_Heading] = []
    index = 0
    while index < len(lines):
        heading = _heading_at(lines, index, width is not None, chapter_level)
        if heading:
            headings.append(heading)
        index = heading.end if heading else index + 1
    return headings


# --- Paragraphs -----------------------------------------------------------------------------

_SCENE_BREAK = re.compile(r"[\W_]*(?:(?:o0o|0o0|oOo|xXx)[\W_]*)+|(?:\s*(?:[^\w\s]|_)){3,}\s*", re.I)
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "…", ":")
_MIN_WRAPPED_LINES = 3
_FULL_LINE = 0.6
"""Wrapped lines run to at least this share of the wrap width, bar a paragraph's last."""


def _is_scene_break(line: str) -> bool:
    """Whether a line is a scene break: "* * *", "~~~", "-----", "o0o", "xXx" and the like."""
    return len(line) <= _MAX_HEADING_CHARS and bool(_SCENE_BREAK.fullmatch(line.strip()))


def _wrap_width(lines: list[str]) -> int | None:
    """The width hard-wrapped text was broken at (as in Gutenberg books); None for other text.

    Wrapped lines run to nearly the same length and mostly stop mid-sentence; a file with one
    paragraph per line has lines of every length, nearly all ending a sentence.
    """
    inner = [line for line, after in itertools.pairwise(lines) if line and after]
    if len(inner) < _MIN_WRAPPED_LINES:
        return None
    lengths = sorted(len(line) for line in inner)
    width = lengths[len(lengths) * 9 // 10]
    full = sum(length >= _FULL_LINE * width for length in lengths)
    sentences = sum(line.endswith(_SENTENCE_END) for line in inner)
    if not 50 <= width <= 100 or full < 2 / 3 * len(inner) or sentences > len(inner) / 2:
        return None
    return width


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    """Runs of non-blank lines; a scene break is always a block of its own."""
    block: list[str] = []
    for line in lines:
        if line.strip() and not _is_scene_break(line):
            block.append(line.strip())
            continue
        if block:
            yield block
            block = []
        if line.strip():
            yield [line.strip()]
    if block:
        yield block


def _paragraphs(lines: list[str], width: int | None) -> list[str]:
    """The paragraphs in some lines of text.

    Without a wrap width every line is a paragraph, as fan fiction writes them. Wrapped lines are
    joined with spaces; a block of short lines in wrapped text (verse, a letter's address) keeps
    its line breaks.
    """
    if width is None:
        return [line.strip() for line in lines if line.strip()]
    return [
        (" " if all(len(line) >= _FULL_LINE * width for line in block[:-1]) else "\n").join(block)
        for block in _blocks(lines)
    ]


# --- Author's notes -------------------------------------------------------------------------

_NOTE = re.compile(
    r"[\W_]*(?:a/n|a\.n\.|authors?['’]?s?\s+notes?\b"
    r"|i\s+(?:do\s+not|don['’]?t)\s+own\b"
    r"|(?:next\s+(?:chapter|time)|coming\s+(?:up|soon)|previously)(?:\s+on\s+\w+(?:\s+\w+)?)?\s*:"
    r"|(?:(?-i:AN)|notes?|disclaimer|summary|scene|setting|pairings?|rating|warnings?|spoilers?"
    r"|timeline|beta|dedication|prompt)\s*[:\-–—])",
    re.I,
)
_SIGN_OFF = re.compile(
    r"[\W_]*(?:please\s+)?(?:reviews?|r\s*(?:&|and)\s*r|thanks|thank\s+you|(?:xo)+|love|cheers"
    r"|enjoy|until\s+next\s+time|see\s+you)\b",
    re.I,
)
_TO_BE_CONTINUED = re.compile(r"[\W_]*(?:to\s+be\s+continued|tbc)[\W_]*", re.I)


def _is_note(paragraph: str) -> bool:
    return bool(_NOTE.match(paragraph) or _TO_BE_CONTINUED.fullmatch(paragraph))


def _is_bare_label(paragraph: str) -> bool:
    """Whether a paragraph is only a label ("Author's Note:"), its note following below it."""
    label = _NOTE.match(paragraph)
    return label is not None and not any(c.isalpha() for c in paragraph[label.end() :])


def _note_units(paragraphs: list[str]) -> list[str]:
    """Paragraphs, with a bare note label joined to the paragraph under it."""
    units: list[str] = []
    for paragraph in paragraphs:
        if units and _is_bare_label(units[-1]):
            units[-1] += "\n\n" + paragraph
        else:
            units.append(paragraph)
    return units


def _is_sign_off(paragraph: str) -> bool:
    return count_words(paragraph) <= _SIGN_OFF_WORDS and bool(_SIGN_OFF.match(paragraph))


def _note_count(paragraphs: list[str]) -> int:
    """How many paragraphs from the first are author's notes, with any scene breaks among them.

    Sign-offs ("Please review!", "xoxo") may come first: read from a chapter's end, they are
    the close of its last note.
    """
    count = 0
    while count < len(paragraphs) and _is_sign_off(paragraphs[count]):
        count += 1
    while count < len(paragraphs) and (
        _is_note(paragraphs[count]) or _is_scene_break(paragraphs[count])
    ):
        count += 1
    return count if any(_is_note(p) for p in paragraphs[:count]) else 0


def _chapter(title: str, paragraphs: list[str], carried: Iterable[str] = ()) -> ChapterDraft:
    """A chapter from its paragraphs, notes at either end kept apart from the prose.

    Notes in the middle stay prose, and a chapter that is nothing but a note keeps it as its text.
    """
    units = _note_units(paragraphs)
    before = _note_count(units)
    after = _note_count(units[before:][::-1])
    prose = units[before : len(units) - after]
    if not prose:
        before, after, prose = 0, 0, units
    return ChapterDraft(
        title=title,
        text="\n\n".join(prose),
        notes_before="\n\n".join([*carried, *units[:before]]),
        notes_after="\n\n".join(units[len(units) - after :]),
    )


def _is_preface(paragraphs: list[str]) -> bool:
    """Whether text before the first heading is notes for it rather than a chapter of its own."""
    return (
        _note_count(paragraphs) == len(paragraphs)
        or count_words("\n".join(paragraphs)) < _PREFACE_WORDS
    )


# --- Chapters and stories -------------------------------------------------------------------


def split_chapters(text: str, *, title: str = "Chapter 1") -> list[ChapterDraft]:
    """Split normalised story text into chapters at its headings.

    `title` names the one chapter of a text without headings: a oneshot's chapter is the story
    itself, so parse_story passes the story's title. A heading with nothing under it (a table of
    contents, "Part Two" over "Chapter 7") becomes a note before the next chapter.
    """
    lines = _opening_title(text.split("\n"))[1]
    width = _wrap_width(lines)
    headings = _headings(lines, width)
    ends = [heading.start for heading in headings[1:]] + [len(lines)]
    empty = {
        heading
        for heading, end in zip(headings, ends, strict=False)
        if not any(line.strip() for line in lines[heading.end : end])
    }
    chapters: list[ChapterDraft] = []
    carried: list[str] = []
    start, current = 0, None
    for heading in [*(h for h in headings if h not in empty), None]:
        stop = heading.start if heading else len(lines)
        # Headings with nothing under them before this one are notes for its chapter; at the
        # end of the text there is no chapter to take them, so they stay where they are.
        cut = min((h.start for h in empty if start <= h.start < stop), default=stop)
        cut = cut if heading else stop
        paragraphs = _paragraphs(lines[start:cut], width)
        if current is not None:
            chapters.append(_chapter(current.title, paragraphs, carried))
            carried = []
        elif paragraphs and heading and _is_preface(paragraphs):
            carried = paragraphs
        elif paragraphs:
            chapters.append(_chapter(title if heading is None else _UNTITLED_OPENING, paragraphs))
        carried += _paragraphs(lines[cut:stop], width)
        if heading:
            start, current = heading.end, heading
    return chapters


def title_from_filename(filename: str) -> str:
    """A file's name made readable: "my_story-draft.txt" is "My Story Draft" (shortened if it
    is longer than a title may be: the uploader gave no title to refuse)."""
    words = re.split(r"[\s_\-]+", cleaned(PurePath(filename).stem))
    title = " ".join(word[:1].upper() + word[1:] for word in words if word)
    return shorten(title, LIMITS["title"]) or "Untitled"


def parse_story(
    raw: bytes,
    filename: str,
    sidecar: bytes | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoryDraft:
    """Read an uploaded story file, and optionally its "<stem>.yaml" metadata, into a StoryDraft.

    Metadata comes from the file's front matter, then the sidecar, then a Project Gutenberg
    header, then a title and "by …" line opening the text, then an opening Markdown title,
    then the file name. Raises ImportRejected, with a
    sentence for the uploader, for anything that cannot be read as a story.
    """
    name = PurePath(filename).name
    if PurePath(name).suffix.lower() not in SUFFIXES:
        raise not_text(name)
    text = normalise(decode(raw, max_bytes=max_bytes, filename=name))
    front_matter, text = _front_matter(text, name)
    text, header = _without_gutenberg(text)
    opening, text = _title_and_author(text)
    metadata: dict[str, Any] = {**opening, **header}
    if sidecar is not None:
        sidecar_name = f"{PurePath(name).stem}.yaml"
        yaml_text = normalise(decode(sidecar, max_bytes=max_bytes, filename=sidecar_name))
        metadata |= _load_metadata(yaml_text, quoted(sidecar_name))
    metadata |= front_matter
    title = (
        metadata.pop("title", None)
        or cleaned(_opening_title(text.split("\n"))[0] or "")
        or title_from_filename(name)
    )
    chapters = split_chapters(text, title=title)
    if not chapters:
        raise ImportRejected(f"{quoted(name)} has metadata but no story after it.")
    tags = {kind: metadata.pop(key) for key, kind in _TAG_KEYS.items() if key in metadata}
    return checked(
        StoryDraft(title=title, chapters=tuple(chapters), tags=tags, **metadata), quoted(name)
    )


def with_metadata(draft: StoryDraft, fields: Mapping[str, object], where: str) -> StoryDraft:
    """`draft` with metadata given apart from its file (an upload's options, say) taking
    precedence; keys and values as in front matter, empty values left out.

    Raises ImportRejected naming `where` for a key or value that is not accepted.
    """
    metadata = _read_metadata(fields, where)
    tags = {kind: metadata.pop(key) for key, kind in _TAG_KEYS.items() if key in metadata}
    return checked(replace(draft, tags={**draft.tags, **tags}, **metadata), where)
