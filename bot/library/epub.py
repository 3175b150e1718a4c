"""Reading EPUB stories, as FanFicFare and AO3 make them, without trusting the archive.

The zip is opened in memory and never extracted. It is refused before anything is unpacked if it
holds too many files, files that would unpack too large or compress like a zip bomb, names that
climb out of the book, or encrypted files; each file is then read no further than its limit.
XML is parsed without expanding entities, so an XML bomb is refused too.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from bs4 import BeautifulSoup
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.library.fields import cleaned
from bot.library.html import StoryReader, check_tags, prose_from_markup, read_markup
from bot.library.model import StoryDraft, TagKind
from bot.library.text import ImportRejected, normalise, quoted, shown

MAX_FILES = 2_000
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_RATIO = 100
"""How much smaller than itself a file may be compressed, if it is larger than _RATIO_FROM."""
_RATIO_FROM = 2**20

_CONTAINER = "META-INF/container.xml"
_DOCUMENT_TYPES = frozenset({"application/xhtml+xml", "text/html"})
# FanFicFare's title page, table of contents, update log and cover, by file name or body class:
# they are about the story, not in it.
_FRONT_PAGES = frozenset(
    {"title_page", "toc_page", "log_page", "cover"}
    | {"fff_titlepage", "fff_tocpage", "fff_logpage", "fff_coverpage"}
)
# FanFicFare adds the site and the date of the last update to the subjects.
_NOT_A_TAG = re.compile(r"last update", re.I)
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError)


class _Book:
    """An EPUB's files, checked before any is unpacked, each read no further than the limit."""

    def __init__(self, raw: bytes, filename: str) -> None:
        self.name = quoted(filename)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(raw))
        except _DAMAGE:
            raise ImportRejected(
                f"{self.name} is not a readable EPUB: it is damaged or not a zip archive, "
                "so please download it again."
            ) from None
        members = self._zip.infolist()
        self._check(members)
        self._members = {member.filename: member for member in members}
        self._unpacked = 0
        self._tags = 0

    def _check(self, members: list[zipfile.ZipInfo]) -> None:
        if len(members) > MAX_FILES:
            raise ImportRejected(
                f"{self.name} holds {len(members):,} files, more than the {MAX_FILES:,} "
                "an EPUB story may have."
            )
        for member in members:
            parts = re.split(r"[/\\]", member.filename)
            if parts[0] == "" or ":" in parts[0] or ".." in parts:
                raise ImportRejected(
                    f"{self.name} has a file named “{shown(member.filename)}”, outside the book's "
                    "own folder, so I won't open it."
                )
            if member.flag_bits & 0x1:
                raise ImportRejected(
                    f"{self.name} is encrypted (with DRM or a password), so I can't read it: "
                    "please upload a DRM-free EPUB."
                )
            if member.file_size > _RATIO_FROM and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise ImportRejected(
                    f"{self.name} has a file that unpacks to over {MAX_RATIO} times its packed "
                    "size, as a zip bomb does, so I won't open it."
                )
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise self._too_large()

    def _too_large(self) -> ImportRejected:
        return ImportRejected(
            f"{self.name} would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB, "
            "far more than any story needs, so I won't open it."
        )

    def has(self, path: str) -> bool:
        return path in self._members

    def read(self, path: str) -> bytes:
        """A file's contents, read no further than the limit whatever its size says."""
        left = MAX_UNPACKED_BYTES - self._unpacked
        try:
            with self._zip.open(self._members[path]) as member:
                data = member.read(left + 1)
        except _DAMAGE:
            raise ImportRejected(
                f"{self.name} is damaged: I can't unpack {shown(path)} from it, "
                "so please download it again."
            ) from None
        if len(data) > left:
            raise self._too_large()
        self._unpacked += len(data)
        return data

    def xml(self, path: str) -> Element:
        try:
            return fromstring(self.read(path))
        except DefusedXmlException:
            raise ImportRejected(
                f"{self.name} declares XML entities in {shown(path)}, which I never expand, "
                "as they may be an XML bomb."
            ) from None
        except ParseError:
            raise ImportRejected(
                f"{self.name} is damaged: {shown(path)} in it is not readable XML."
            ) from None

    def document(self, path: str) -> BeautifulSoup:
        """A document of the book, parsed, once the book's documents so far hold few enough
        tags: MAX_TAGS is for the whole story, as for a story in one HTML file."""
        raw = self.read(path)
        self._tags += raw.count(b"<")
        check_tags(self._tags, self.name)
        return read_markup(raw, f"{shown(path)} in {self.name}")


def _local(element: Element) -> str:
    """An element's name without its namespace: "title" for dc:title."""
    return element.tag.rpartition("}")[2]


def _package_path(book: _Book) -> str:
    """Where the package file is: its metadata, list of files and reading order."""
    if not book.has(_CONTAINER):
        raise ImportRejected(
            f"{book.name} is not a complete EPUB: it has no {_CONTAINER} to say where the book is."
        )
    rootfile = next(
        (element for element in book.xml(_CONTAINER).iter() if _local(element) == "rootfile"),
        None,
    )
    path = rootfile.get("full-path", "") if rootfile is not None else ""
    if not book.has(path):
        raise ImportRejected(
            f"{book.name} is not a complete EPUB: the package file its {_CONTAINER} "
            "names is not in it."
        )
    return path


def _metadata(package: Element, book: _Book) -> dict[str, Any]:
    """StoryDraft fields from the package's Dublin Core metadata."""
    values: dict[str, list[str]] = {}
    for element in package.iter():
        if element.text and element.text.strip():
            values.setdefault(_local(element), []).append(normalise(element.text).strip())
    metadata: dict[str, Any] = {}
    for key in ("title", "language", "source"):
        # The first that shows: a blank one counts as not given.
        if given := next(filter(None, map(cleaned, values.get(key, []))), ""):
            metadata[key] = given
    if creators := [*filter(None, map(cleaned, values.get("creator", [])))]:
        metadata["author"] = ", ".join(creators)
    if descriptions := values.get("description"):
        metadata["summary"] = prose_from_markup(descriptions[0], book.name)
    subjects = [subject for subject in values.get("subject", []) if not _NOT_A_TAG.match(subject)]
    if subjects:
        metadata["tags"] = {TagKind.FREEFORM: tuple(dict.fromkeys(subjects))}
    return metadata | _series(package)


def _series(package: Element) -> dict[str, Any]:
    """The series calibre's metadata names (`calibre:series`, and `calibre:series_index` as
    "2.0"), as FanFicFare writes it, or else EPUB 3's collection and its position."""
    meta: dict[str, str] = {}
    for element in package.iter():
        if _local(element) == "meta":
            key = element.get("name") or element.get("property") or ""
            meta.setdefault(key, element.get("content") or element.text or "")
    name = meta.get("calibre:series") or meta.get("belongs-to-collection") or ""
    index = meta.get("calibre:series_index") or meta.get("group-position") or ""
    try:
        part = int(float(index))
    except (ValueError, OverflowError):
        part = None
    return {"series": cleaned(name), "series_part": part} if cleaned(name) else {}


def _spine(package: Element, package_path: str, book: _Book) -> list[str]:
    """The paths of the documents read in order: the spine, less navigation and asides."""
    items = {item.get("id"): item for item in package.iter() if _local(item) == "item"}
    folder = posixpath.dirname(package_path)
    paths = []
    for reference in (element for element in package.iter() if _local(element) == "itemref"):
        item = items.get(reference.get("idref"))
        if (
            item is None
            or reference.get("linear") == "no"
            or item.get("media-type") not in _DOCUMENT_TYPES
            or "nav" in item.get("properties", "").split()
        ):
            continue
        href = unquote(item.get("href", "").partition("#")[0])
        path = posixpath.normpath(posixpath.join(folder, href))
        if not book.has(path):
            raise ImportRejected(
                f"{book.name} is not a complete EPUB: {shown(path)}, which its package file lists, "
                "is not in it."
            )
        paths.append(path)
    if not paths:
        raise ImportRejected(f"{book.name} lists no chapters to read in its package file.")
    return paths


def _is_front_page(path: str, document: BeautifulSoup) -> bool:
    stem = PurePosixPath(path).stem.lower()
    classes = set(document.body.get_attribute_list("class")) if document.body else set()
    return stem in _FRONT_PAGES or "_info" in stem or bool(_FRONT_PAGES & classes)


def parse_epub(raw: bytes, filename: str) -> StoryDraft:
    """Read an EPUB story: the package's metadata, then its documents in spine order.

    AO3's EPUB has the same preface as its HTML download, which then gives the metadata.
    """
    book = _Book(raw, filename)
    package_path = _package_path(book)
    package = book.xml(package_path)
    reader = StoryReader(_metadata(package, book))
    for path in _spine(package, package_path, book):
        document = book.document(path)
        if not _is_front_page(path, document):
            reader.read(document, one_chapter=True)
    return reader.story(filename)
