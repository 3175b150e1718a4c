"""Story files as people's tools write them, and files built to hurt a parser: shared by the
format, importer and upload tests."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

from bot.store import Delivery, Store
from bot.store.database import Database

SAMPLES = Path(__file__).parent / "library" / "samples"
"""Saved pages and other files too long to write here."""


# A moderator's upload: a new story in Markdown, then three more chapters for it as text.
MARKDOWN = b"""---
title: The Lighthouse Keeper
author: Ada Quill
rating: General Audiences
warnings: [No Archive Warnings Apply]
fandoms: [Original Work]
tags: [Sea, Found Family]
status: in progress
---

## Chapter 1: The Lamp

The lamp had not gone out in forty years, and Mara did not mean to be the one who let it.

She climbed the stairs every evening with the oil can knocking against her knee.

## Chapter 2: The Storm

The storm came in sideways, the way the old keeper had warned her it would.
"""

MORE_CHAPTERS = b"""Chapter 3: The Boat

A boat came out of the dark with no lights at all, and Mara rang the bell until her arms ached.

Chapter 4: The Stranger

The stranger in the boat said his name was Tobias and that he had come for the lamp.

Chapter 5: The Morning

By morning the sea was flat and bright, and Tobias was still asleep by the stove.
"""


def sample(name: str) -> bytes:
    """The bytes of a file in tests/library/samples/."""
    return (SAMPLES / name).read_bytes()


# Shaped as AO3's "Download → HTML" writes a work: preface with the tag list, byline, summary and
# notes; #chapters with each chapter's heading, notes, text and end notes; the afterword.
AO3_HTML = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <meta charset="utf-8"/>
  <title>The Lighthouse Keeper - quiet_owl - Sample Saga</title>
  <style type="text/css">p.message{text-align:center} .userstuff{padding:1em}</style>
  <script>document.write("tracking pixel")</script>
</head>
<body>
<div id="preface">
  <h2 class="toc-heading">Preface</h2>
  <p class="message">
    <b>The Lighthouse Keeper</b><br/>
    Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a> at
    <a href="https://archiveofourown.org/works/123456">https://archiveofourown.org/works/123456</a>.
  </p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt>
      <dd><a href="https://archiveofourown.org/tags/Teen">Teen And Up Audiences</a></dd>
      <dt>Archive Warnings:</dt>
      <dd><a href="x">Graphic Depictions Of Violence</a>, <a href="x">Major Character Death</a></dd>
      <dt>Category:</dt>
      <dd><a href="x">F/M</a></dd>
      <dt>Fandom:</dt>
      <dd><a href="x">Sample Saga</a></dd>
      <dt>Relationship:</dt>
      <dd><a href="x">Mara/Ivo</a></dd>
      <dt>Characters:</dt>
      <dd><a href="x">Mara</a>, <a href="x">Ivo</a></dd>
      <dt>Additional Tags:</dt>
      <dd><a href="x">Slow Burn</a>, <a href="x">Storms &amp; Lanterns</a></dd>
      <dt>Language:</dt>
      <dd>English</dd>
      <dt>Series:</dt>
      <dd>Part 1 of <a href="https://archiveofourown.org/series/7777">Keepers</a></dd>
      <dt>Stats:</dt>
      <dd>
        Published: 2021-01-02
        Updated: 2021-03-04
        Words: 1,234
        Chapters: 2/?
      </dd>
    </dl>
    <h1>The Lighthouse Keeper</h1>
    <div class="byline">by <a rel="author" href="https://archiveofourown.org/users/quiet_owl">quiet_owl</a></div>
    <p>Summary</p>
    <blockquote class="userstuff">
      <p>A keeper and a <em>storm</em>.</p><p>Second line.</p>
    </blockquote>
    <p>Notes</p>
    <blockquote class="userstuff"><p>Thanks to my beta!</p></blockquote>
    <div class="endnote-link">See the end of the work for more <a href="#endnotes">notes</a></div>
  </div>
</div>
<div id="chapters" class="userstuff">
  <div class="meta group">
    <h2 class="heading">Chapter 1: First Light</h2>
    <p>Chapter Notes</p>
    <blockquote class="userstuff"><p>This one is short.</p></blockquote>
    <div class="endnote-link">
      See the end of the chapter for <a href="#endnotes1">more notes</a>
    </div>
  </div>
  <!--chapter content-->
  <div class="userstuff">
    <p>The lamp   had <em>never</em>
       gone out.</p>
    <p>Mara climbed the stairs,<br/>one by one.</p>
    <hr/>
    <p>By morning the <strong>storm</strong> had passed &mdash; almost.</p>
    <script>alert("not prose")</script>
  </div>
  <!--/chapter content-->
  <div class="meta" id="endnotes1">
    <p>Chapter End Notes</p>
    <blockquote class="userstuff"><p>More soon!</p></blockquote>
  </div>
  <div class="meta group">
    <h2 class="heading">Chapter 2</h2>
    <p>Chapter Summary</p>
    <blockquote class="userstuff"><p>Ivo arrives.</p></blockquote>
  </div>
  <div class="userstuff"><p>Ivo came with the tide.</p></div>
</div>
<div id="afterword">
  <h2 class="toc-heading">Afterword</h2>
  <div class="meta">
    <div id="endnotes">
      <p>End Notes</p><blockquote class="userstuff"><p>The end, for now.</p></blockquote>
    </div>
  </div>
  <p class="message">
    Please <a href="x">drop by the Archive and comment</a> to let the creator know.
  </p>
</div>
</body>
</html>
"""

AO3_ONESHOT = """<html><body>
<div id="preface"><div class="meta">
  <dl class="tags"><dt>Rating:</dt><dd><a href="x">Explicit</a></dd>
  <dt>Stats:</dt><dd>Published: 2020-01-02 Words: 9 Chapters: 1/1</dd></dl>
  <h1>Solo Fic</h1>
  <div class="byline">by <a rel="author" href="x">one</a>, <a rel="author" href="x">two</a></div>
</div></div>
<div id="chapters" class="userstuff"><div class="userstuff"><p>Just the one chapter.</p></div></div>
</body></html>
"""


CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def package(metadata: str, documents: list[str], spine: list[str] | None = None) -> str:
    """A package file listing these documents (ids are their names), read in `spine` order."""
    items = "".join(
        f'<item id="{doc.rpartition("/")[2]}" href="{doc}" media-type="application/xhtml+xml"/>'
        for doc in documents
    )
    refs = "".join(
        f'<itemref idref="{doc.rpartition("/")[2]}" linear="yes"/>' for doc in spine or documents
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    {metadata}
  </metadata>
  <manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>{items}</manifest>
  <spine toc="ncx">{refs}</spine>
</package>"""


def xhtml(body: str, body_class: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Page</title>
<link href="stylesheet.css" type="text/css" rel="stylesheet"/></head>
<body class="{body_class}">{body}</body></html>"""


def epub(files: dict[str, str | bytes], *, container: bool = True) -> bytes:
    """An EPUB zip holding these files, after the mimetype and (unless told) the container."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        if container:
            book.writestr("META-INF/container.xml", CONTAINER)
        for name, content in files.items():
            book.writestr(name, content)
    return buffer.getvalue()


FANFICFARE_METADATA = """
<dc:identifier id="uid">fanficfare-uid:example.org-u1-s4242</dc:identifier>
<dc:title id="id">Lantern Weather</dc:title>
<dc:creator opf:role="aut">Quiet Owl</dc:creator>
<dc:contributor>FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>
<dc:language>en</dc:language>
<dc:description>&lt;p&gt;A keeper and a &lt;i&gt;storm&lt;/i&gt;.&lt;/p&gt;</dc:description>
<dc:subject>Drama</dc:subject><dc:subject>Hurt/Comfort</dc:subject>
<dc:subject>Last Update: 2019/08/09</dc:subject>
<dc:source>https://example.org/s/4242</dc:source>
<meta name="calibre:series" content="Weather Tales"/>
<meta name="calibre:series_index" content="2.0"/>
"""


def fanficfare_chapter(title: str, text: str) -> str:
    return xhtml(
        f'<h3 class="fff_chapter_title">{title}</h3><div>'
        '<div class="fff_chapter_notes fff_head_notes"><b>Author\'s Note:</b>'
        f"<blockquote><p>Notes for {title}.</p></blockquote></div>"
        f'<div class="userstuff module">{text}</div></div>',
        "fff_chapter",
    )


def fanficfare_epub() -> bytes:
    documents = ["OEBPS/title_page.xhtml", "OEBPS/file0002.xhtml", "OEBPS/file0001.xhtml"]
    return epub(
        {
            "content.opf": package(
                FANFICFARE_METADATA,
                documents,
                spine=["OEBPS/title_page.xhtml", "OEBPS/file0001.xhtml", "OEBPS/file0002.xhtml"],
            ),
            "OEBPS/title_page.xhtml": xhtml(
                "<h3>Lantern Weather by Quiet Owl</h3><div><b>Status:</b> In-Progress<br />"
                "<b>Rating:</b> T<br /><b>Words:</b> 9,999<br /></div>",
                "fff_titlepage",
            ),
            "OEBPS/file0001.xhtml": fanficfare_chapter(
                "Chapter 1: Arrival", "<p>The <em>ferry</em> was late.</p><p>Again.</p>"
            ),
            "OEBPS/file0002.xhtml": fanficfare_chapter("Departure", "<p>She left at dawn.</p>"),
        }
    )


def zip_bomb() -> bytes:
    """200 MB of zeros in under a megabyte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("META-INF/container.xml", CONTAINER)
        with book.open("OEBPS/chapter.xhtml", "w") as member:
            zeros = b"\0" * 2**20
            for _ in range(200):
                member.write(zeros)
    return buffer.getvalue()


def yaml_bomb(levels: int) -> str:
    """A "billion laughs": each list holds nine of the one before, so a few hundred bytes
    stand for 9 ** levels values once the aliases are expanded."""
    lists = ["&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lists += [f"&l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return f"title: [{', '.join(lists)}]\n"


def database(store: Store) -> Database:
    """The database under a store, for a test that writes what no command can (a story deleted
    outright, rows by the thousand) or counts what a query costs."""
    return store._db


_looks = itertools.count()


async def pending_deliveries(store: Store, limit: int = 100) -> list[Delivery]:
    """What the outbox gives a sender now (up to `limit` recipients), left unclaimed after."""
    claim = f"look:{next(_looks)}"
    try:
        return await store.claim_deliveries(claim, limit)
    finally:
        await store.release_claim(claim)
