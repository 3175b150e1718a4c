"""Reading HTML stories: AO3's downloads and work pages, FanFicFare's chapters, plain web pages.

Only the prose and its italics are kept: `<em>` and `<i>` become `_like this_`, bold and links
plain words, `<br>` a line break and `<hr>` a scene break, "* * *". Scripts, styles, the head
and navigation never reach the text. Author's notes and summaries are kept apart from the prose.
"""

from __future__ import annotations

import codecs
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement, PreformattedString
from bs4.exceptions import ParserRejectedMarkup

from bot.library.fields import checked, cleaned
from bot.library.importer import title_from_filename
from bot.library.model import ARCHIVE_WARNINGS, ChapterDraft, Rating, Status, StoryDraft, TagKind
from bot.library.text import ImportRejected, normalise, quoted, utf16_without_mark

HTML_SUFFIXES = (".html", ".htm")
SCENE_BREAK = "* * *"

_HIDDEN = frozenset(
    {"button", "embed", "form", "head", "iframe", "math", "nav", "noscript", "object", "script"}
    | {"select", "style", "svg", "template", "textarea", "title"}
)
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details"}
    | {"dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2"}
    | {"h3", "h4", "h5", "h6", "header", "hgroup", "html", "li", "main", "ol", "p", "pre"}
    | {"section", "summary", "table", "td", "th", "tr", "ul"}
)
_ITALICS = frozenset({"em", "i"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHAPTER_HEADINGS = _HEADINGS[:3]
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")
_WORD_CHARACTER = re.compile(r"\w")
_NUMBERED_TITLE = re.compile(r"chapter\s+\d+\s*[:.\-–—]\s*(?P<title>\S.*)", re.I)
# UTF-16 and UTF-32 text is full of zero bytes; anything else with one is not text at all.
_WIDE_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)

MAX_TAGS = 200_000
"""How many tags (each "<") a story's HTML may have in all: far more than any story's, and
about as many as this reader builds in a few seconds."""
MAX_DEPTH = 800
"""How deep elements may nest inside one another. Old pages open each paragraph with a bare
<p>, which html.parser nests inside the one before, so a long chapter is hundreds deep; reading
recurses once a level, and Python stops at a thousand."""

# --- Markup to prose ------------------------------------------------------------------------

_Run = tuple[str, bool]
"""A run of text, and whether it is in italics."""


class _TooDeep(Exception):
    """Raised while a document is parsed, as soon as it nests deeper than MAX_DEPTH."""


class _Element(Tag):
    """An element that knows how deep it is, so that a parse stops at MAX_DEPTH: a document
    made to break readers nests hundreds of thousands of elements, half a minute's work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depth: int = self.parent.depth + 1 if isinstance(self.parent, _Element) else 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep


def check_tags(count: int, where: str) -> None:
    """Refuse HTML with more than MAX_TAGS tags before any of it is parsed."""
    if count > MAX_TAGS:
        raise ImportRejected(
            f"{where} has more than {MAX_TAGS:,} HTML tags, far more than any story needs, "
            "so I won't read it."
        )


def _parsed(markup: bytes | str, where: str) -> BeautifulSoup:
    """HTML parsed, or ImportRejected naming `where` if it has too many tags or nests too deep."""
    check_tags(markup.count(b"<") if isinstance(markup, bytes) else markup.count("<"), where)
    try:
        return BeautifulSoup(markup, "html.parser", element_classes={Tag: _Element})
    except _TooDeep:
        raise ImportRejected(
            f"{where} nests its HTML too deeply to be read as a story: more than {MAX_DEPTH} "
            "elements inside one another."
        ) from None


def read_markup(raw: bytes, where: str) -> BeautifulSoup:
    """Parse an HTML or XHTML document; `where` names it in the refusal if it is not HTML.

    Its declared encoding (a byte order mark, `<meta charset>` or the XML declaration) is
    honoured, and UTF-16 without a byte order mark is read as such. Entities an internal DTD
    declares are left as they are, never expanded.
    """
    markup: bytes | str = raw
    if b"\x00" in raw and not raw.startswith(_WIDE_MARKS):
        if (text := utf16_without_mark(raw)) is None:
            raise ImportRejected(f"{where} is not HTML: it holds binary data.")
        markup = text
    try:
        return _parsed(markup, where)
    except ParserRejectedMarkup:
        raise ImportRejected(f"{where} is not HTML that I can read.") from None


def paragraphs(nodes: Iterable[PageElement]) -> list[str]:
    """The prose in some HTML, one normalised string per paragraph."""
    blocks: list[list[_Run]] = [[]]
    for node in nodes:
        _collect_runs(node, False, blocks)
    return [paragraph for runs in blocks for paragraph in _paragraphs_of(runs)]


def prose_from_markup(markup: str, where: str) -> str:
    """Prose from an HTML fragment or plain text, as an EPUB's description may be either;
    `where` names it in a refusal."""
    check_tags(markup.count("<"), where)
    chunks = re.split(r"\n\s*\n", markup)
    return "\n\n".join(
        paragraph for chunk in chunks for paragraph in paragraphs(_parsed(chunk, where).contents)
    )


def _collect_runs(node: PageElement, italic: bool, blocks: list[list[_Run]]) -> None:
    """Add a node's text to the paragraph being read; block elements start new paragraphs."""
    if isinstance(node, NavigableString):
        # Comments, CDATA, doctypes and processing instructions are not prose.
        if not isinstance(node, PreformattedString):
            blocks[-1].append((_WHITESPACE.sub(" ", node), italic))
        return
    if not isinstance(node, Tag) or node.name in _HIDDEN:
        return
    if node.name == "br":
        blocks[-1].append(("\n", False))
    elif node.name == "hr":
        blocks.extend(([(SCENE_BREAK, False)], []))
    else:
        block = node.name in _BLOCKS
        if block:
            blocks.append([])
        for child in node.children:
            _collect_runs(child, italic or node.name in _ITALICS, blocks)
        if block:
            blocks.append([])


def _paragraphs_of(runs: list[_Run]) -> list[str]:
    """One block's runs as paragraphs, italics marked `_so_`.

    A blank line (two `<br>`s, which some sites put between paragraphs) splits the block. Italics
    glued to a word ("<i>un</i>believable") stay plain, as `_un_believable` would show the marks.
    """
    merged = [
        ("".join(text for text, _ in group), italic)
        for italic, group in itertools.groupby(runs, key=operator.itemgetter(1))
    ]
    pieces: list[str] = []
    for index, (text, italic) in enumerate(merged):
        core = text.strip()
        if italic and core:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            before = pieces[-1][-1:] if pieces else ""
            after = merged[index + 1][0][:1] if index + 1 < len(merged) else ""
            glued = (not lead and _WORD_CHARACTER.match(before)) or (
                not trail and _WORD_CHARACTER.match(after)
            )
            text = text if glued else f"{lead}_{core}_{trail}"
        pieces.append(text)
    lines = [_SPACES.sub(" ", line).strip() for line in normalise("".join(pieces)).split("\n")]
    return [part.strip() for part in "\n".join(lines).split("\n\n") if part.strip()]


def _text(tag: Tag) -> str:
    """A short element's text on one line: a title, a tag, a label."""
    return cleaned(tag.get_text(" "))


def _chapter_title(heading: Tag) -> str:
    """A chapter heading as a title: "Chapter 3: The Storm" is "The Storm", "Chapter 3" itself."""
    title = _text(heading)
    numbered = _NUMBERED_TITLE.fullmatch(title)
    return numbered["title"] if numbered else title


# --- Chapters -------------------------------------------------------------------------------


@dataclass
class _Sketch:
    """A chapter while it is being read: title, prose and notes, paragraph by paragraph."""

    title: str | None
    prose: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


class _Chapters:
    """Chapters in the order they are read; prose and notes go to the one being read."""

    def __init__(self) -> None:
        self.sketches: list[_Sketch] = []
        self.current: _Sketch | None = None
        self.carried: list[str] = []
        """Notes read before the chapter they belong to, such as a work's opening notes."""

    def start(self, title: str | None) -> None:
        """Start a chapter; notes carried so far come before it."""
        self.close()
        self.current = _Sketch(title, before=self.carried)
        self.carried = []
        self.sketches.append(self.current)

    def close(self) -> None:
        """End the chapter being read. One without prose is a heading over the next chapter
        ("Part Two" above "Chapter 7"), so its title and notes are carried to that chapter."""
        if self.current is not None and not self.current.prose:
            self.sketches.pop()
            title = [self.current.title] if self.current.title else []
            self.carried += [*title, *self.current.before, *self.current.after]
        self.current = None

    def add_prose(self, prose: list[str]) -> None:
        """Prose for the chapter being read; before any chapter, it is notes for the first."""
        if self.current is None:
            self.carried += prose
        else:
            self.current.prose += prose

    def add_notes(self, notes: list[str], *, after: bool) -> None:
        """Notes for the chapter being read, or, after the end, for the last; before any
        chapter, notes for the first."""
        chapter = self.current or (self.sketches[-1] if after and self.sketches else None)
        if chapter is None:
            self.carried += notes
        elif after:
            chapter.after += notes
        else:
            chapter.before += notes

    def finish(self, story_title: str) -> tuple[ChapterDraft, ...]:
        """The chapters read; an untitled one is named after the story if it is the only one."""
        self.close()
        if self.carried and self.sketches:
            self.sketches[-1].after += self.carried
        return tuple(
            ChapterDraft(
                title=sketch.title
                or (story_title if len(self.sketches) == 1 else f"Chapter {number}"),
                text="\n\n".join(sketch.prose),
                notes_before="\n\n".join(sketch.before),
                notes_after="\n\n".join(sketch.after),
            )
            for number, sketch in enumerate(self.sketches, start=1)
        )


# --- AO3 ------------------------------------------------------------------------------------

# AO3 puts each note's label in a paragraph of its own and the note in a blockquote below it.
_NOTE_LABELS = {
    "summary": "summary",
    "notes": "before",
    "chapter summary": "before",
    "chapter notes": "before",
    "end notes": "after",
    "chapter end notes": "after",
}
_CHAPTER_COUNT = re.compile(r"Chapters:\s*(?P<done>\d+)\s*/\s*(?P<total>\d+|\?)")
_SERIES = re.compile(r"Part\s+(?P<part>\d+)\s+of\s+(?P<name>.+)", re.I)
_CHAPTER_ID = re.compile(r"chapter-(?P<number>\d+)")
_WORK_LINK = re.compile(r"(?:https?://archiveofourown\.org)?/(?:works|downloads)/(?P<id>\d+)")
_AO3_WORKS = "https://archiveofourown.org/works/"
_AO3_MAKERS = "Organization for Transformative Works"
_AO3_TAG_KINDS = {
    "fandom": TagKind.FANDOM,
    "relationship": TagKind.RELATIONSHIP,
    "character": TagKind.CHARACTER,
    "additional tag": TagKind.FREEFORM,
}


def _looks_like_ao3(tags: list[Tag]) -> bool:
    """Whether a document is AO3's download, or a part of it (its tag list or its chapters),
    or a work's page on AO3."""
    return any(
        (tag.name == "dl" and "tags" in tag.get_attribute_list("class"))
        or (tag.get("id") == "chapters" and _has_ao3_class(tag))
        or _is_ao3_work(tag)
        for tag in tags
    )


def _is_ao3_work(tag: Tag) -> bool:
    """Whether an element is what a work's page on AO3 shows of the work: its tag list, or the
    work itself (#workskin); the rest of the page is the site's."""
    classes = tag.get_attribute_list("class")
    return tag.get("id") == "workskin" or (
        tag.name == "dl" and "work" in classes and "meta" in classes
    )


def _is_landmark(node: PageElement) -> bool:
    """Whether a node is a heading AO3's page has for screen readers ("Chapter Text")."""
    return isinstance(node, Tag) and "landmark" in node.get_attribute_list("class")


def _has_ao3_class(tag: Tag) -> bool:
    # Calibre, which makes AO3's EPUBs, renames the class to "userstuff1", "userstuff2"…
    return any(name.startswith("userstuff") for name in tag.get_attribute_list("class") if name)


def _is_ao3_prose(tag: Tag) -> bool:
    """Whether a div is a chapter's text (the #chapters div around all of them has its class)."""
    return tag.name == "div" and tag.get("id") != "chapters" and _has_ao3_class(tag)


def _note_label(note: Tag) -> str | None:
    """The label AO3 puts in a paragraph just above a note ("Chapter Notes"), if it is one."""
    label = note.find_previous_sibling(True)
    text = _text(label).rstrip(":") if label is not None and label.name == "p" else ""
    return text if text.lower() in _NOTE_LABELS else None


def _ao3_tags(tags: Tag) -> dict[str, Any]:
    """Metadata from AO3's tag list: rating, warnings, tags, language, and status from the stats."""
    metadata: dict[str, Any] = {}
    kinds: dict[TagKind, tuple[str, ...]] = {}
    known_warnings = {warning.casefold(): warning for warning in ARCHIVE_WARNINGS}
    for term in tags.find_all("dt"):
        value = term.find_next_sibling("dd")
        if value is None:
            continue
        # AO3 says "Fandoms:" rather than "Fandom:" when there are several; its page links the
        # label of the warnings, so the colon stands apart: "Archive Warning :".
        label = _text(term).rstrip(":").strip().lower().removesuffix("s")
        names = [_text(link) for link in value.find_all("a")] or [_text(value)]
        if label in _AO3_TAG_KINDS:
            kinds[_AO3_TAG_KINDS[label]] = tuple(dict.fromkeys(name for name in names if name))
        elif label == "rating":
            try:
                metadata["rating"] = Rating.parse(names[0])
            except ValueError:
                metadata["rating"] = Rating.NOT_RATED
        elif label == "archive warning":
            metadata["warnings"] = tuple(
                known_warnings[name.casefold()]
                for name in names
                if name.casefold() in known_warnings
            )
        elif label == "serie":  # "Series", its "s" taken for a plural's
            metadata |= _ao3_series(value)
        elif label == "language" and names[0]:
            metadata["language"] = names[0]
        elif label == "stat" and (count := _CHAPTER_COUNT.search(_text(value))):
            total = count["total"]
            finished = total != "?" and int(count["done"]) >= int(total)
            metadata["status"] = Status.COMPLETE if finished else Status.IN_PROGRESS
    if kinds:
        metadata["tags"] = kinds
    return metadata


def _ao3_series(value: Tag) -> dict[str, Any]:
    """The first series AO3's tag list names: "Part 2 of <a>Keepers</a>" (on a work's page,
    between links to the previous and next work)."""
    position = value.find(class_="position") or value
    part = _SERIES.search(_text(position))
    if part is None:
        return {}
    link = position.find("a")
    name = _text(link) if link is not None else part["name"]
    return {"series": name, "series_part": int(part["part"])}


def _posted_chapters(tags: Tag) -> int | None:
    """How many chapters of the work AO3's tag list says are posted."""
    count = _CHAPTER_COUNT.search(_text(tags))
    return int(count["done"]) if count else None


def _part_of_work(shown: list[int], posted: int | None) -> tuple[str, ...]:
    """What to tell the uploader of a work page that shows only some of its chapters, as AO3
    shows one at a time unless asked for the entire work."""
    if not shown or posted is None or len(shown) >= posted:
        return ()
    numbers = ", ".join(map(str, shown))
    return (
        f"This page holds chapter{'s' if len(shown) > 1 else ''} {numbers} of {posted}: to "
        "upload them all, save the work's “Entire Work” page from AO3.",
    )


def _byline(byline: Tag) -> str:
    authors = [_text(link) for link in byline.select('a[rel~="author"]')]
    return ", ".join(authors) or _text(byline).removeprefix("by ").strip()


# --- Reading a story ------------------------------------------------------------------------


class StoryReader:
    """Reads the HTML documents of one story, in order, into its metadata and chapters.

    A document from AO3 (or a part of one, as Calibre splits AO3's EPUBs) is read by its
    structure: preface, tag list, chapter headings, notes and end notes. Any other document is
    read as prose, with FanFicFare's notes kept apart.
    """

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata: dict[str, Any] = dict(metadata or {})
        """StoryDraft fields read so far: AO3's preface overrides what it was given."""
        self._chapters = _Chapters()
        self._ao3 = False
        self._shown: list[int] = []
        """The numbers of the chapters an AO3 work page shows (it may show only one)."""
        self._posted: int | None = None
        """How many chapters AO3 says the work has posted."""

    def read(self, document: BeautifulSoup, *, one_chapter: bool = False) -> None:
        """Read the next document of the story.

        A document that is `one_chapter` (as an EPUB's are) is titled by its first heading;
        otherwise a lone h1 is the story's title and chapters start at the highest headings.
        """
        root = document.body or document
        # One list of the elements serves every search: bs4's own searches are slow on a novel.
        tags = [node for node in root.descendants if isinstance(node, Tag)]
        self._ao3 = self._ao3 or _looks_like_ao3(tags)
        if self._ao3:
            # A work page saved from AO3 holds the site's menus, kudos and comments around the
            # work; the first link to a work on it (the page's own, in its menus) is the source.
            if work := [tag for tag in tags if _is_ao3_work(tag)]:
                links = (_WORK_LINK.match(str(tag.get("href", ""))) for tag in tags)
                if link := next((link for link in links if link), None):
                    self.give("source", f"{_AO3_WORKS}{link['id']}", unless_given=True)
            for part in work or [root]:
                self._read_ao3(part)
        else:
            self._read_document(root, tags, one_chapter=one_chapter)

    def give(self, key: str, value: str, *, unless_given: bool = False) -> None:
        """Set a StoryDraft field read from the story, if anything shows in it: a blank one
        leaves the next source to give it."""
        if value and not (unless_given and key in self.metadata):
            self.metadata[key] = value

    def story(self, filename: str) -> StoryDraft:
        """The story read, or ImportRejected if no prose was found in it or a detail is too
        long."""
        metadata = dict(self.metadata)
        title = metadata.pop("title", None) or title_from_filename(filename)
        chapters = self._chapters.finish(title)
        if not chapters:
            raise ImportRejected(
                f"{quoted(filename)} has no story in it: I found no paragraphs of prose."
            )
        notices = _part_of_work(self._shown, self._posted)
        return checked(
            StoryDraft(title=title, chapters=chapters, notices=notices, **metadata),
            quoted(filename),
        )

    def _read_ao3(self, tag: Tag) -> None:
        """Read an element of AO3's download or work page by what it is; loose text ("Posted
        originally on", "(See the end of the chapter for notes.)") is skipped."""
        classes = set(tag.get_attribute_list("class"))
        if tag.name in _HIDDEN or "landmark" in classes:
            return
        if shown := _CHAPTER_ID.fullmatch(str(tag.get("id", ""))):
            self._shown.append(int(shown["number"]))
        if tag.name == "dl" and ("tags" in classes or _is_ao3_work(tag)):
            self.metadata |= _ao3_tags(tag)
            self._posted = _posted_chapters(tag)
        elif tag.name == "h1" or {"title", "heading"} <= classes:
            self.give("title", _text(tag))
        elif "byline" in classes and not self._chapters.sketches:
            self.give("author", _byline(tag))
        elif (tag.name == "h2" and "heading" in classes) or (
            tag.name == "h3" and "title" in classes
        ):
            self._chapters.start(_chapter_title(tag))
        elif "message" in classes and (link := tag.find("a", href=re.compile(r"/works/\d"))):
            self.metadata["source"] = str(link["href"])
        elif tag.name == "blockquote" and (label := _note_label(tag)):
            self._read_ao3_note(label, paragraphs([tag]))
        elif "module" in classes and classes & {"summary", "notes"}:
            if note := paragraphs(tag.find_all("blockquote", recursive=False)):
                self._read_ao3_note(self._module_label(classes), note)
        elif _is_ao3_prose(tag):
            if self._chapters.current is None:
                self._chapters.start(None)
            self._chapters.add_prose(paragraphs(c for c in tag.children if not _is_landmark(c)))
        else:
            for child in tag.find_all(True, recursive=False):
                self._read_ao3(child)

    def _module_label(self, classes: set[str]) -> str:
        """The label AO3's download gives the notes in a module of its work page, which calls
        them all "Notes:" (or "Summary:") and tells end notes by their class."""
        if "end" in classes:
            return "End Notes"
        if "summary" in classes:
            return "Chapter Summary" if self._chapters.current else "Summary"
        return "Notes"

    def _read_ao3_note(self, label: str, note: list[str]) -> None:
        place = _NOTE_LABELS[label.lower()]
        if place == "summary":
            self.metadata["summary"] = "\n\n".join(note)
        elif label.lower() == "chapter summary":
            # Told apart from the notes beside it by the label AO3 gives it.
            self._chapters.add_notes([label, *note], after=False)
        else:
            self._chapters.add_notes(note, after=place == "after")

    def _read_document(self, root: Tag, tags: list[Tag], *, one_chapter: bool) -> None:
        """Read a document as prose with chapter headings; it starts a chapter of its own."""
        self._chapters.close()
        if one_chapter:
            title = next((tag for tag in tags if tag.name in _HEADINGS and _shown(tag)), None)
            headings: list[Tag] = []
        else:
            title, headings = _chapter_headings(tags)
            if title is not None:
                self.give("title", _text(title), unless_given=True)
        marks = {id(heading): "chapter" for heading in headings}
        if title is not None:
            marks[id(title)] = "title"
        for tag in tags:
            # FanFicFare puts a chapter's notes in divs of their own, before and after its text.
            classes = tag.get_attribute_list("class")
            if "fff_head_notes" in classes or "fff_foot_notes" in classes:
                marks[id(tag)] = "before" if "fff_head_notes" in classes else "after"
        if not headings:
            self._chapters.start(_chapter_title(title) if title is not None else None)
        holders = {id(parent) for tag in tags if id(tag) in marks for parent in tag.parents}
        self._read_marked(root, marks, holders)
        self._chapters.close()

    def _read_marked(self, element: Tag, marks: dict[int, str], holders: set[int]) -> None:
        """Read an element's children as prose, up to each chapter heading or notes in them."""
        loose: list[PageElement] = []
        for child in element.children:
            if id(child) not in marks and id(child) not in holders:
                loose.append(child)
                continue
            self._chapters.add_prose(paragraphs(loose))
            loose = []
            mark = marks.get(id(child))
            if mark == "chapter" and isinstance(child, Tag):  # headings are marked, never text
                self._chapters.start(_chapter_title(child))
            elif mark in ("before", "after"):
                self._chapters.add_notes(paragraphs([child]), after=mark == "after")
            elif mark is None and isinstance(child, Tag):
                self._read_marked(child, marks, holders)
        self._chapters.add_prose(paragraphs(loose))


def _chapter_headings(tags: list[Tag]) -> tuple[Tag | None, list[Tag]]:
    """The heading that titles a document, if any, and the headings its chapters start at.

    A first h1 with no other h1 after it is the title; the chapters start at the highest level
    among the rest of h1–h3, or at FanFicFare's chapter titles where they are marked.
    """
    if marked := [tag for tag in tags if "fff_chapter_title" in tag.get_attribute_list("class")]:
        return None, marked
    headings = [tag for tag in tags if tag.name in _CHAPTER_HEADINGS and _shown(tag)]
    title = None
    if headings and headings[0].name == "h1" and all(h.name != "h1" for h in headings[1:]):
        title, headings = headings[0], headings[1:]
    top = min((heading.name for heading in headings), default="")
    return title, [heading for heading in headings if heading.name == top]


def _shown(tag: Tag) -> bool:
    """Whether an element is shown with the page, not inside its head, navigation or a script."""
    return not any(parent.name in _HIDDEN for parent in tag.parents)


def parse_html(raw: bytes, filename: str) -> StoryDraft:
    """Read an HTML story file: AO3's download or work page, or any page of prose with
    headings. A page of AO3 without a work on it (its adult-content question, say) is refused."""
    name = quoted(filename)
    document = read_markup(raw, name)
    meta = document.find("meta", attrs={"name": "author"})
    author = cleaned(str(meta.get("content", ""))) if isinstance(meta, Tag) else ""
    # Every page of AO3 names the site's makers as its author.
    if author == _AO3_MAKERS:
        if document.find(id="workskin") is None:
            raise ImportRejected(
                f"{name} is a page of AO3 with no work on it (such as its “Adult Content "
                "Warning”): open the work there, choose “Entire Work” and save that page, or "
                "upload the work's Download → HTML."
            )
        author = ""
    reader = StoryReader()
    reader.read(document)
    if document.title is not None:
        reader.give("title", _text(document.title), unless_given=True)
    reader.give("author", author, unless_given=True)
    return reader.story(filename)
