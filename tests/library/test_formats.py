"""Uploads in every accepted format, judged by the story a reader gets or the uploader is told."""

from __future__ import annotations

import re

import pytest

from bot.library.formats import UPLOAD_SUFFIXES, parse_upload
from bot.library.model import Rating, Status, StoryDraft, TagKind
from bot.library.text import ImportRejected
from tests.samples import (
    AO3_HTML,
    AO3_ONESHOT,
    epub,
    fanficfare_epub,
    package,
    sample,
    xhtml,
    zip_bomb,
)

MAX_BYTES = 20 * 2**20


def story(raw: bytes | str, filename: str) -> StoryDraft:
    """The story an upload makes."""
    return parse_upload(
        raw.encode() if isinstance(raw, str) else raw, filename, max_bytes=MAX_BYTES
    )


def refusal(raw: bytes | str, filename: str, *, max_bytes: int = MAX_BYTES) -> str:
    """What the uploader is told when this upload is refused."""
    with pytest.raises(ImportRejected) as refused:
        parse_upload(raw.encode() if isinstance(raw, str) else raw, filename, max_bytes=max_bytes)
    return str(refused.value)


# --- AO3 HTML -------------------------------------------------------------------------------


def test_ao3_html_metadata_comes_from_its_preface() -> None:
    draft = story(AO3_HTML, "The_Lighthouse_Keeper.html")

    assert draft.title == "The Lighthouse Keeper"
    assert draft.author == "quiet_owl"
    assert draft.rating is Rating.TEEN
    assert draft.warnings == ("Graphic Depictions Of Violence", "Major Character Death")
    assert draft.tags == {
        TagKind.FANDOM: ("Sample Saga",),
        TagKind.RELATIONSHIP: ("Mara/Ivo",),
        TagKind.CHARACTER: ("Mara", "Ivo"),
        TagKind.FREEFORM: ("Slow Burn", "Storms & Lanterns"),
    }
    assert draft.status is Status.IN_PROGRESS
    assert draft.language == "English"
    assert draft.summary == "A keeper and a _storm_.\n\nSecond line."
    assert draft.source == "https://archiveofourown.org/works/123456"
    assert (draft.series, draft.series_part) == ("Keepers", 1)


def test_ao3_html_chapters_keep_prose_and_notes_apart() -> None:
    first, second = story(AO3_HTML, "keeper.html").chapters

    assert [first.title, second.title] == ["First Light", "Chapter 2"]
    assert first.text == (
        "The lamp had _never_ gone out.\n\n"
        "Mara climbed the stairs,\none by one.\n\n"
        "* * *\n\n"
        "By morning the storm had passed — almost."
    )
    assert first.notes_before == "Thanks to my beta!\n\nThis one is short."
    assert first.notes_after == "More soon!"
    assert second.text == "Ivo came with the tide."
    assert second.notes_before == "Chapter Summary\n\nIvo arrives."
    assert second.notes_after == "The end, for now."


def test_ao3_html_shows_nothing_of_the_page_around_the_story() -> None:
    draft = story(AO3_HTML, "keeper.html")
    shown = "\n".join(
        part for c in draft.chapters for part in (c.text, c.notes_before, c.notes_after)
    )

    for leak in ("tracking", "not prose", "text-align", "Posted originally", "Preface", "Rating"):
        assert leak not in shown
    assert "See the end" not in shown
    assert "drop by the Archive" not in shown


def test_ao3_oneshot_is_one_chapter_named_after_the_story() -> None:
    draft = story(AO3_ONESHOT, "solo.htm")

    assert [(c.title, c.text) for c in draft.chapters] == [("Solo Fic", "Just the one chapter.")]
    assert draft.author == "one, two"
    assert draft.rating is Rating.EXPLICIT
    assert draft.status is Status.COMPLETE


# Shaped as AO3's "Download → HTML" writes a work of one chapter with notes at either end.
AO3_ONESHOT_WITH_NOTES = """<html><body>
<div id="preface"><h2 class="toc-heading">Preface</h2><div class="meta">
  <dl class="tags"><dt>Rating:</dt><dd><a href="x">Explicit</a></dd>
  <dt>Stats:</dt><dd>Published: 2020-01-02 Words: 9 Chapters: 1/1</dd></dl>
  <h1>Solo Fic</h1>
  <div class="byline">by <a rel="author" href="x">one</a></div>
  <p>Notes</p><blockquote class="userstuff"><p>Written for a prompt.</p></blockquote>
  <div class="endnote-link">See the end of the work for <a href="#endnotes">more notes</a></div>
</div></div>
<div id="chapters" class="userstuff"><h2 class="toc-heading">Solo Fic</h2>
  <div class="userstuff"><p>Just the one chapter.</p></div></div>
<div id="afterword"><h2 class="toc-heading">Afterword</h2><div class="meta"><div id="endnotes">
  <p>End Notes</p><blockquote class="userstuff"><p>Thanks for reading.</p></blockquote>
</div></div></div>
</body></html>
"""


@pytest.mark.parametrize(
    ("raw", "filename"),
    [
        (AO3_HTML, "download.html"),
        (sample("ao3_work_page.html"), "page.html"),
        (AO3_ONESHOT_WITH_NOTES, "oneshot download.html"),
        (sample("ao3_oneshot_page.html"), "oneshot page.html"),
    ],
    ids=["download", "page", "oneshot download", "oneshot page"],
)
def test_an_ao3_works_notes_open_its_first_chapter_and_end_notes_close_their_chapter(
    raw: str | bytes, filename: str
) -> None:
    first, *rest = story(raw, filename).chapters
    last = rest[-1] if rest else first
    assert first.notes_before.startswith(("Thanks to my beta!", "Written for a prompt."))
    assert last.notes_after.endswith(("The end, for now.", "Thanks for reading."))
    if rest:
        assert first.notes_before == "Thanks to my beta!\n\nThis one is short."
        assert first.notes_after == "More soon!"
        assert rest[0].notes_before == "Chapter Summary\n\nIvo arrives."


def test_an_ao3_work_page_saved_from_a_browser_reads_like_the_works_download() -> None:
    page = story(sample("ao3_work_page.html"), "The Lighthouse Keeper.html")
    download = story(AO3_HTML, "The Lighthouse Keeper.html")

    assert page.title == "The Lighthouse Keeper"
    assert page.author == "quiet_owl, Bea Quince (bea)"
    assert page.rating is Rating.TEEN
    assert page.tags[TagKind.FREEFORM] == ("Slow Burn", "Storms & Lanterns")
    details = ("rating", "warnings", "tags", "status", "language", "summary", "source", "series")
    for detail in (*details, "series_part"):
        assert getattr(page, detail) == getattr(download, detail), detail
    assert page.chapters == download.chapters
    assert page.notices == ()


def test_an_ao3_work_page_shows_nothing_of_the_site_around_the_work() -> None:
    draft = story(sample("ao3_work_page.html"), "page.html")
    shown = "\n".join(
        part for c in draft.chapters for part in (c.title, c.text, c.notes_before, c.notes_after)
    )
    for leak in (
        "Archive of Our Own",
        "Log In",
        "Fandoms",
        "Chapter by Chapter",
        "Work Header",
        "Chapter Text",
        "Notes:",
        "Summary:",
        "See the end",
        "For sam",
        "Keepers",
        "kudos",
        "I loved the lamp",
        "Post Comment",
        "Terms of Service",
        "otwarchive",
        "tracking",
    ):
        assert leak not in shown, leak


def test_the_site_that_makes_ao3_is_never_taken_for_a_works_author() -> None:
    page = re.sub(
        r'<h3 class="byline heading">.*?</h3>',
        "",
        sample("ao3_oneshot_page.html").decode(),
        flags=re.S,
    )
    assert story(page, "solo.html").author == "Unknown"


def test_an_ao3_page_of_a_one_chapter_work_is_that_chapter_named_after_the_story() -> None:
    draft = story(sample("ao3_oneshot_page.html"), "solo.html")

    assert (draft.title, draft.author) == ("Solo Fic", "one, two")
    assert draft.rating is Rating.EXPLICIT
    assert draft.warnings == ("Creator Chose Not To Use Archive Warnings",)
    assert draft.tags == {TagKind.FANDOM: ("Glee", "Original Work")}
    assert (draft.language, draft.status) == ("Français", Status.COMPLETE)
    assert draft.source == "https://archiveofourown.org/works/987654"
    assert [(c.title, c.text) for c in draft.chapters] == [
        ("Solo Fic", "Just the one chapter.\n\nAnd a second paragraph.")
    ]
    assert draft.notices == ()


def test_a_page_of_ao3_without_a_work_is_refused_saying_what_to_save() -> None:
    page = sample("ao3_work_page.html").decode()
    start, end = page.index('<div id="main"'), page.index("<!-- END main -->")
    adult = (
        page[:start]
        + """<div id="main" class="works-show region" role="main">
  <h2 class="landmark heading">Adult Content Warning</h2>
  <p class="caution notice">This work could have adult content. If you continue, you have
  agreed that you are willing to see such content.</p>
  <ul class="actions">
    <li><a href="https://archiveofourown.org/works/123456?view_adult=true">Yes, Continue</a></li>
    <li><a href="javascript:history.back()">No, Go Back</a></li>
  </ul>
  <ol class="work index group"><li class="work blurb group" id="work_123456">
    <h4 class="heading"><a href="/works/123456">The Lighthouse Keeper</a> by quiet_owl</h4>
    <blockquote class="userstuff summary"><p>A keeper and a storm.</p></blockquote>
  </li></ol>
</div>"""
        + page[end:]
    )
    assert refusal(adult, "keeper.html") == (
        "“keeper.html” is a page of AO3 with no work on it (such as its “Adult Content "
        "Warning”): open the work there, choose “Entire Work” and save that page, or upload "
        "the work's Download → HTML."
    )


def test_an_ao3_page_of_one_chapter_of_a_longer_work_says_so() -> None:
    draft = story(sample("ao3_chapter_page.html"), "chapter.html")

    assert (draft.title, draft.author) == ("Lantern Weather", "ferrywoman")
    assert (draft.rating, draft.status) == (Rating.GENERAL, Status.COMPLETE)
    assert draft.warnings == ("No Archive Warnings Apply",)
    assert draft.source == "https://archiveofourown.org/works/424242"
    (chapter,) = draft.chapters
    assert (chapter.title, chapter.text) == ("Lantern Weather", "The _ferry_ was late.\n\nAgain.")
    assert (chapter.notes_before, chapter.notes_after) == ("", "Nine more to go.")
    assert draft.notices == (
        "This page holds chapter 3 of 12: to upload them all, save the work's “Entire Work” "
        "page from AO3.",
    )


# --- Plain HTML -----------------------------------------------------------------------------


def test_plain_html_splits_chapters_at_its_headings() -> None:
    page = """<html><head><title>Tide Tables | My Site</title>
    <meta name="author" content="Rin"><style>body { color: red }</style></head>
    <body><nav><a href="/">Home</a> · <a href="/stories">Stories</a></nav>
    <h1>Tide Tables</h1>
    <h2>One</h2><p>The sea was <i>calm</i>.</p><p>Then it wasn't.</p>
    <h2>Chapter 2: Two</h2><div>Loose text in a div.<br>Next line.<p>And a paragraph.</p></div>
    </body></html>"""
    draft = story(page, "tides.html")

    assert draft.title == "Tide Tables"
    assert draft.author == "Rin"
    assert [c.title for c in draft.chapters] == ["One", "Two"]
    assert draft.chapters[0].text == "The sea was _calm_.\n\nThen it wasn't."
    assert draft.chapters[1].text == "Loose text in a div.\nNext line.\n\nAnd a paragraph."
    assert "Home" not in draft.chapters[0].text + draft.chapters[0].notes_before


def test_plain_html_without_headings_is_one_chapter() -> None:
    page = "<p>First.</p><p>Second line one<br><br>Second line two</p><p>Glued <em>un</em>done</p>"
    draft = story(page, "little_story.html")

    assert draft.title == "Little Story"
    assert [c.title for c in draft.chapters] == ["Little Story"]
    assert draft.chapters[0].text == "First.\n\nSecond line one\n\nSecond line two\n\nGlued undone"


def test_html_in_utf16_without_a_byte_order_mark_is_read() -> None:
    page = "<html><body><h1>Tide Tables</h1><p>The sea was <i>calm</i> — naïvely.</p></body></html>"
    draft = story(page.encode("utf-16-le"), "tides.html")

    assert draft.title == "Tide Tables"
    assert draft.chapters[0].text == "The sea was _calm_ — naïvely."


# --- EPUB -----------------------------------------------------------------------------------


def test_fanficfare_epub_metadata_comes_from_its_package() -> None:
    draft = story(fanficfare_epub(), "Lantern Weather.epub")

    assert draft.title == "Lantern Weather"
    assert draft.author == "Quiet Owl"
    assert draft.summary == "A keeper and a _storm_."
    assert draft.language == "en"
    assert draft.tags == {TagKind.FREEFORM: ("Drama", "Hurt/Comfort")}
    assert draft.source == "https://example.org/s/4242"
    assert (draft.series, draft.series_part) == ("Weather Tales", 2)


def test_fanficfare_epub_chapters_follow_the_spine_without_the_title_page() -> None:
    chapters = story(fanficfare_epub(), "lantern.epub").chapters

    assert [c.title for c in chapters] == ["Arrival", "Departure"]
    assert chapters[0].text == "The _ferry_ was late.\n\nAgain."
    assert chapters[0].notes_before == "Author's Note:\n\nNotes for Chapter 1: Arrival."
    assert chapters[1].text == "She left at dawn."
    assert all("Status" not in c.text + c.notes_before for c in chapters)


def test_ao3_epub_split_by_calibre_reads_as_its_html_does() -> None:
    preface, chapters = AO3_HTML.split('<div id="chapters" class="userstuff">')
    first, second = chapters.split('<div class="meta group">\n    <h2 class="heading">Chapter 2')
    parts = [
        preface,
        f'<div id="chapters" class="userstuff1">{first}</div>',
        f'<div id="chapters" class="userstuff1"><div class="meta group"><h2 class="heading">'
        f"Chapter 2{second}",
    ]
    documents = [f"split_00{number}.xhtml" for number in range(len(parts))]
    files: dict[str, str | bytes] = {
        "content.opf": package(
            "<dc:title>Lantern</dc:title><dc:subject>Fanworks</dc:subject>", documents
        ),
        **{name: xhtml(part) for name, part in zip(documents, parts, strict=True)},
    }
    from_epub = story(epub(files), "keeper.epub")
    from_html = story(AO3_HTML, "keeper.html")

    assert from_epub.title == "The Lighthouse Keeper"
    assert from_epub.tags == from_html.tags
    assert (from_epub.series, from_epub.series_part) == ("Keepers", 1)  # from its title page
    assert from_epub.chapters == from_html.chapters


def test_an_ao3_work_page_names_the_series_between_its_previous_and_next_works() -> None:
    page = AO3_HTML.replace(
        '<dd>Part 1 of <a href="https://archiveofourown.org/series/7777">Keepers</a></dd>',
        '<dd class="series"><span class="series"><a class="previous" href="/works/1">← '
        'Previous Work</a> <span class="position">Part 3 of <a href="/series/7">Keepers</a>'
        '</span> <a class="next" href="/works/3">Next Work →</a></span></dd>',
    )
    draft = story(page, "keeper.html")
    assert (draft.series, draft.series_part) == ("Keepers", 3)


def test_an_epub_3_collection_is_its_series() -> None:
    metadata = (
        '<dc:title>Lantern</dc:title><meta property="belongs-to-collection" id="c">Lanterns</meta>'
        '<meta refines="#c" property="group-position">4</meta>'
    )
    book = epub({"content.opf": package(metadata, ["one.xhtml"]), "one.xhtml": xhtml("<p>Hi.</p>")})
    draft = story(book, "lantern.epub")
    assert (draft.series, draft.series_part) == ("Lanterns", 4)


# --- Refusals -------------------------------------------------------------------------------


def encrypted(book: bytes) -> bytes:
    """The book with every file marked encrypted in its central directory."""
    marked = bytearray(book)
    start = marked.find(b"PK\x01\x02")
    while start != -1:
        marked[start + 8] |= 0x1
        start = marked.find(b"PK\x01\x02", start + 1)
    return bytes(marked)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE package [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<package xmlns="http://www.idpf.org/2007/opf"><metadata>&lol9;</metadata></package>"""

CHAPTER = xhtml("<h1>One</h1><p>Words.</p>")
ONE_CHAPTER = package("<dc:title>T</dc:title>", ["one.xhtml"])


@pytest.mark.parametrize(
    ("raw", "filename", "message"),
    [
        (b"%PDF-1.7", "story.pdf", "“story.pdf” is not a kind of file I can read"),
        (b"story", "no_suffix", "please upload a story as plain text, Markdown, HTML or EPUB"),
        (b"PK\x03\x04 not really", "broken.epub", "“broken.epub” is not a readable EPUB"),
        (
            epub({"content.opf": ONE_CHAPTER, "one.xhtml": CHAPTER}, container=False),
            "bare.epub",
            "it has no META-INF/container.xml to say where the book is",
        ),
        (
            epub({"one.xhtml": CHAPTER}),
            "no_package.epub",
            "the package file its META-INF/container.xml names is not in it",
        ),
        (
            epub({"content.opf": ONE_CHAPTER}),
            "missing.epub",
            "one.xhtml, which its package file lists, is not in it",
        ),
        (
            epub({"content.opf": "<package><metadata>", "one.xhtml": CHAPTER}),
            "bad_xml.epub",
            "content.opf in it is not readable XML",
        ),
        (
            epub({"content.opf": BILLION_LAUGHS}),
            "laughs.epub",
            "declares XML entities in content.opf, which I never expand",
        ),
        (
            epub({"content.opf": ONE_CHAPTER, "one.xhtml": CHAPTER, "../../etc/cron.d/x": "*"}),
            "climb.epub",
            "has a file named “../../etc/cron.d/x”, outside the book's own folder",
        ),
        (
            epub({"content.opf": ONE_CHAPTER, "/etc/passwd": "root"}),
            "absolute.epub",
            "has a file named “/etc/passwd”",
        ),
        (
            epub({f"OEBPS/{n}.xhtml": "" for n in range(2_000)}),
            "crowded.epub",
            "holds 2,002 files, more than the 2,000 an EPUB story may have",
        ),
        (
            encrypted(epub({"content.opf": ONE_CHAPTER, "one.xhtml": CHAPTER})),
            "locked.epub",
            "is encrypted (with DRM or a password), so I can't read it",
        ),
        (
            epub({f"OEBPS/{n}.xhtml": b"\0" * 2**20 for n in range(51)}),
            "heavy.epub",
            "would unpack to more than 50 MB",
        ),
        (
            epub({"content.opf": ONE_CHAPTER, "one.xhtml": xhtml("<div>" * 5_000 + "deep")}),
            "deep.epub",
            "“deep.epub” nests its HTML too deeply to be read as a story",
        ),
        (
            epub({"content.opf": ONE_CHAPTER, "one.xhtml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"}),
            "picture.epub",
            "one.xhtml in “picture.epub” is not HTML: it holds binary data",
        ),
        (
            "<html><head><title>Nothing</title><script>var story = 1;</script></head>"
            "<body><nav>Home · About</nav><!-- no story --></body></html>",
            "empty.html",
            "“empty.html” has no story in it: I found no paragraphs of prose",
        ),
    ],
)
def test_bad_uploads_are_refused_with_their_own_reason(
    raw: bytes | str, filename: str, message: str
) -> None:
    assert message in refusal(raw, filename)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    assert "unpacks to over 100 times its packed size, as a zip bomb does" in refusal(
        zip_bomb(), "bomb.epub"
    )


def test_files_over_the_size_limit_are_refused_before_they_are_read() -> None:
    assert refusal(b"x" * (3 * 2**20), "big.epub", max_bytes=2**20) == (
        "“big.epub” is 3 MB: a story file may be at most 1 MB."
    )


def test_every_accepted_suffix_is_named_when_one_is_refused() -> None:
    message = refusal(b"...", "story.docx")

    assert all(suffix in message for suffix in UPLOAD_SUFFIXES)


def test_text_uploads_go_to_the_text_importer() -> None:
    draft = story("# Chapter 1\n\nHello there.\n\n# Chapter 2\n\nGoodbye.\n", "hello.md")

    assert [c.text for c in draft.chapters] == ["Hello there.", "Goodbye."]


# --- Limits on details -----------------------------------------------------------------------

LONG = "Lantern " * 1_250


@pytest.mark.parametrize(
    ("raw", "filename"),
    [
        (f"<html><head><title>{LONG}</title></head><body><p>Words.</p></body></html>", "long.html"),
        (f"<h1>{LONG}</h1><h2>One</h2><p>Words.</p>", "long.htm"),
        (AO3_ONESHOT.replace("<h1>Solo Fic</h1>", f"<h1>{LONG}</h1>"), "long.html"),
        (
            epub(
                {
                    "content.opf": package(f"<dc:title>{LONG}</dc:title>", ["one.xhtml"]),
                    "one.xhtml": CHAPTER,
                }
            ),
            "long.epub",
        ),
    ],
    ids=["html title", "html h1", "ao3", "epub"],
)
def test_a_title_longer_than_200_characters_is_refused(raw: str | bytes, filename: str) -> None:
    assert refusal(raw, filename) == (
        f"In “{filename}”, the title is 9,999 characters long; a title may be at most 200."
    )


def test_a_long_chapter_heading_is_shortened_with_an_ellipsis() -> None:
    page = f"<h2>{LONG}</h2><p>Words.</p><h2>Two</h2><p>More words.</p>"
    first, second = story(page, "tides.html").chapters
    assert len(first.title) <= 200
    assert first.title.startswith("Lantern Lantern")
    assert first.title.endswith("…")
    assert second.title == "Two"


def test_html_details_lose_direction_and_zero_width_characters() -> None:
    page = (
        '<html><head><meta charset="utf-8">'
        "<title>\u202eTide\u202c \u2066Tables\u2069\u200f</title>"
        '<meta name="author" content="\u200eRin\u061c\u200b"></head>'
        "<body><h2>\u202eOne\u200b</h2><p>Words.</p><h2>\u200f</h2><p>More.</p></body></html>"
    )
    draft = story(page, "tides.html")
    assert (draft.title, draft.author) == ("Tide Tables", "Rin")
    assert [chapter.title for chapter in draft.chapters] == ["One", "Chapter 2"]


@pytest.mark.parametrize(
    ("raw", "filename", "title"),
    [
        (
            '<meta charset="utf-8"><h1>\u200f\u200b</h1><p>Words.</p>',
            "quiet_tides.html",
            "Quiet Tides",
        ),
        (
            '<html><head><meta charset="utf-8"><title>Tide Tables</title></head>'
            "<body><h1>\u202e</h1><p>Words.</p>",
            "tides.html",
            "Tide Tables",
        ),
        (
            AO3_ONESHOT.replace("<h1>Solo Fic</h1>", "<h1> \u2066\u2069 </h1>"),
            "solo_fic.html",
            "Solo Fic",
        ),
        (
            epub(
                {
                    "content.opf": package("<dc:title>\u200f</dc:title>", ["one.xhtml"]),
                    "one.xhtml": xhtml("<p>Words.</p>"),
                }
            ),
            "lantern_weather.epub",
            "Lantern Weather",
        ),
    ],
    ids=["html h1", "html title", "ao3", "epub"],
)
def test_a_blank_title_leaves_the_next_source_to_give_it(
    raw: str | bytes, filename: str, title: str
) -> None:
    assert story(raw, filename).title == title


def test_a_blank_author_is_unknown() -> None:
    page = re.sub(r'<div class="byline">.*?</div>', '<div class="byline">\u200f</div>', AO3_ONESHOT)
    assert story(page, "solo.html").author == "Unknown"
    book = epub(
        {
            "content.opf": package(
                "<dc:title>T</dc:title><dc:creator>\u2066</dc:creator>", ["one.xhtml"]
            ),
            "one.xhtml": CHAPTER,
        }
    )
    assert story(book, "t.epub").author == "Unknown"


# --- Bounds on markup ----------------------------------------------------------------------


def test_html_nested_hundreds_of_thousands_deep_is_refused_as_soon_as_it_is_too_deep() -> None:
    assert refusal(b"<html><body>" + b"<div>" * 150_000 + b"deep", "deep.html") == (
        "“deep.html” nests its HTML too deeply to be read as a story: more than 800 elements "
        "inside one another."
    )


def test_an_epub_description_nested_too_deep_is_refused() -> None:
    description = "&lt;div&gt;" * 5_000 + "deep"
    book = epub(
        {
            "content.opf": package(
                f"<dc:description>{description}</dc:description>", ["one.xhtml"]
            ),
            "one.xhtml": CHAPTER,
        }
    )
    assert "“deep.epub” nests its HTML too deeply to be read as a story" in refusal(
        book, "deep.epub"
    )


def test_a_page_of_bare_paragraph_tags_still_reads() -> None:
    page = "<body>" + "".join(f"<p>Line {n} of the sea." for n in range(700)) + "</body>"
    (chapter,) = story(page, "tides.html").chapters
    assert chapter.text.split("\n\n")[699] == "Line 699 of the sea."


@pytest.mark.parametrize(
    ("raw", "filename", "where"),
    [
        (b"<html><body>" + b"<div>" * 600_000 + b"deep", "deep.html", "“deep.html”"),
        (b"<p><b>x</b></p>" * 50_001, "flat.html", "“flat.html”"),
        (
            epub(
                {
                    "content.opf": package("<dc:title>T</dc:title>", ["1.xhtml", "2.xhtml"]),
                    # Each "<" counts, even in a comment, which parses at once.
                    "1.xhtml": xhtml("<p>One.</p><!--" + "<" * 150_000 + "-->"),
                    "2.xhtml": xhtml("<p>Two.</p><!--" + "<" * 150_000 + "-->"),
                }
            ),
            "flat.epub",
            "“flat.epub”",
        ),
    ],
    ids=["nested html", "flat html", "epub in all"],
)
def test_more_than_200000_tags_are_refused_before_they_are_parsed(
    raw: bytes, filename: str, where: str
) -> None:
    assert refusal(raw, filename) == (
        f"{where} has more than 200,000 HTML tags, far more than any story needs, "
        "so I won't read it."
    )


def test_a_refusal_quotes_a_long_file_name_only_in_part() -> None:
    climbing = epub({"content.opf": ONE_CHAPTER, "one.xhtml": CHAPTER, "../" + "x" * 10_000: "*"})
    missing = epub({"content.opf": package("<dc:title>T</dc:title>", ["x" * 10_000])})
    assert len(refusal(climbing, "climb.epub")) < 200
    assert len(refusal(missing, "missing.epub")) < 200
    assert len(refusal(b"", "x" * 10_000 + ".txt")) < 200
