"""A story as a file to keep: EPUB 3 (written with ebooklib), one HTML file, or plain text.

Each opens with a title page (title, author, series part, rating, warnings, tags and summary),
then the chapters in order, each with its author's notes where they were: before its prose and
after it. Everything taken from the story is escaped for HTML and XHTML; italics the source
meant (`_like this_`) are `<em>` there and stay as written in plain text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape

from ebooklib import epub  # type: ignore[import-untyped]  # ebooklib has no type hints

from bot.library.model import ChapterDraft, StoryDraft, TagKind
from bot.library.render import italic_runs

FORMATS = {"epub": "EPUB", "html": "HTML", "txt": "plain text"}
"""The formats a story downloads in, by file suffix, and what people call them."""

_TAG_NAMES = (
    ("Fandoms", TagKind.FANDOM),
    ("Relationships", TagKind.RELATIONSHIP),
    ("Characters", TagKind.CHARACTER),
    ("Tags", TagKind.FREEFORM),
)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_STYLE = """body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1, h2 { text-align: center; }
.byline, .series { text-align: center; font-style: italic; }
.notes { border-left: 2px solid #999; padding-left: 1em; margin: 1.5em 0; font-size: 0.95em; }
dt { font-weight: bold; }
"""


def filename(draft: StoryDraft, suffix: str) -> str:
    """The file's name: the story's title in letters, digits and underscores."""
    stem = re.sub(r"[^\w-]+", "_", draft.title, flags=re.ASCII).strip("_")[:80]
    return f"{stem or 'story'}.{suffix}"


def export(draft: StoryDraft, suffix: str, *, identifier: str, modified: datetime) -> bytes:
    """The story as a file of one of FORMATS; an EPUB is named by `identifier` for good
    (readers' apps tell books apart by it) and says it was last changed at `modified`."""
    if suffix == "epub":
        return _epub(draft, identifier, modified)
    return _html(draft) if suffix == "html" else _text(draft)


# --- The parts, as HTML -------------------------------------------------------------------


def _paragraphs(text: str) -> str:
    """Prose or notes as paragraphs (a line break inside one kept), italics as <em>."""
    return "\n".join(
        "<p>" + "<br/>".join(_inline(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in text.split("\n\n")
        if paragraph.strip()
    )


def _inline(text: str) -> str:
    return "".join(
        f"<em>{escape(run)}</em>" if italic else escape(run) for run, italic in italic_runs(text)
    )


def _series_line(draft: StoryDraft) -> str:
    part = f"Part {draft.series_part}" if draft.series_part is not None else "Part"
    return f"{part} of {draft.series}"


def _details(draft: StoryDraft) -> list[tuple[str, str]]:
    """What the title page lists about the story, as (name, text)."""
    details = [("Rating", draft.rating.value)]
    if draft.warnings:
        details.append(("Warnings", ", ".join(draft.warnings)))
    details += [
        (name, ", ".join(draft.tags[kind])) for name, kind in _TAG_NAMES if draft.tags.get(kind)
    ]
    return [*details, ("Status", draft.status.value.capitalize())]


def _title_page(draft: StoryDraft) -> str:
    parts = [f"<h1>{escape(draft.title)}</h1>", f'<p class="byline">by {escape(draft.author)}</p>']
    if draft.series:
        parts.append(f'<p class="series">{escape(_series_line(draft))}</p>')
    listed = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>" for name, text in _details(draft)
    )
    parts.append(f"<dl>{listed}</dl>")
    if draft.summary:
        parts += ["<h2>Summary</h2>", _paragraphs(draft.summary)]
    return "\n".join(parts)


def _notes(label: str, notes: str) -> str:
    if not notes:
        return ""
    return f'<div class="notes"><p><strong>{label}</strong></p>\n{_paragraphs(notes)}</div>'


def _chapter(chapter: ChapterDraft, anchor: str = "") -> str:
    heading = f'<h2 id="{anchor}">' if anchor else "<h2>"
    return "\n".join(
        part
        for part in (
            heading + escape(chapter.title) + "</h2>",
            _notes("Notes", chapter.notes_before),
            _paragraphs(chapter.text),
            _notes("End notes", chapter.notes_after),
        )
        if part
    )


def _language(draft: StoryDraft) -> str:
    """The story's language as a language tag ("en"); "und" (undetermined) for a name such
    as AO3's "English", which no tag reads."""
    return draft.language if _LANGUAGE_TAG.fullmatch(draft.language) else "und"


# --- The formats --------------------------------------------------------------------------


def _epub(draft: StoryDraft, identifier: str, modified: datetime) -> bytes:
    book = epub.EpubBook()
    book.set_identifier(identifier)
    book.set_title(draft.title)
    book.set_language(_language(draft))
    book.add_author(draft.author)
    if draft.summary:
        book.add_metadata("DC", "description", draft.summary)
    for names in draft.tags.values():
        for name in names:
            book.add_metadata("DC", "subject", name)
    if draft.series:
        # calibre's names, which FanFicFare writes and this bot reads back on an upload
        book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": draft.series})
        if draft.series_part is not None:
            book.add_metadata(
                None,
                "meta",
                "",
                {"name": "calibre:series_index", "content": str(draft.series_part)},
            )
    style = epub.EpubItem(
        uid="style", file_name="style.css", media_type="text/css", content=_STYLE.encode()
    )
    book.add_item(style)
    title_page = _document("title", "title_page.xhtml", draft.title, _title_page(draft), style)
    chapters = [
        _document(
            f"chapter{number}", f"chapter{number:04}.xhtml", chapter.title, _chapter(chapter), style
        )
        for number, chapter in enumerate(draft.chapters, start=1)
    ]
    for document in (title_page, *chapters):
        book.add_item(document)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [title_page, "nav", *chapters]
    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"mtime": modified.astimezone(UTC)})
    return buffer.getvalue()


def _document(uid: str, name: str, title: str, body: str, style: epub.EpubItem) -> epub.EpubHtml:
    document = epub.EpubHtml(uid=uid, file_name=name, title=title, lang=None)
    document.content = body
    document.add_item(style)
    return document


def _html(draft: StoryDraft) -> bytes:
    contents = "\n".join(
        f'<li><a href="#chapter-{number}">{escape(chapter.title)}</a></li>'
        for number, chapter in enumerate(draft.chapters, start=1)
    )
    chapters = "\n".join(
        f"<section>\n{_chapter(chapter, f'chapter-{number}')}\n</section>"
        for number, chapter in enumerate(draft.chapters, start=1)
    )
    page = f"""<!DOCTYPE html>
<html lang="{escape(_language(draft))}">
<head>
<meta charset="utf-8"/>
<title>{escape(draft.title)}</title>
<style>
{_STYLE}</style>
</head>
<body>
<header>
{_title_page(draft)}
</header>
<nav>
<h2>Contents</h2>
<ol>
{contents}
</ol>
</nav>
{chapters}
</body>
</html>
"""
    return page.encode()


def _text(draft: StoryDraft) -> bytes:
    lines = [draft.title, f"by {draft.author}", ""]
    if draft.series:
        lines += [_series_line(draft), ""]
    lines += [f"{name}: {text}" for name, text in _details(draft)]
    if draft.summary:
        lines += ["", "Summary:", "", draft.summary]
    for chapter in draft.chapters:
        lines += ["", "", "=" * 40, "", chapter.title, ""]
        lines += _text_notes("Notes:", chapter.notes_before)
        lines += [chapter.text]
        lines += _text_notes("End notes:", chapter.notes_after, before=False)
    return ("\n".join(lines) + "\n").encode()


def _text_notes(label: str, notes: str, *, before: bool = True) -> Iterable[str]:
    if not notes:
        return []
    return [label, "", notes, ""] if before else ["", label, "", notes]
