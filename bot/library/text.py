"""Bytes to clean text: decode an upload, refuse what is not prose, drop invisible characters."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import reprlib
import unicodedata

from charset_normalizer import from_bytes

DEFAULT_MAX_BYTES = 20 * 2**20
MAX_LINE_CHARS = 200_000
"""Longer than any paragraph: a line this long is a whole book without line breaks, or not prose."""

# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LETTER = re.compile(r"[^\W\d_]")
_SNIFF_CHARS = 65_536
_MAX_CONTROL_SHARE = 0.01

# Control characters (bar tab and line ends), the soft hyphen (invisible, yet it splits a word in
# two for counting and search), zero-width spaces and bidi embeddings, overrides and isolates. The
# zero-width joiners U+200C and U+200D stay: emoji and several scripts need them.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\xad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)
# Page and line separators end a line rather than vanish, so the words either side stay apart.
_LINE_BREAK = re.compile(r"\r\n?|[\v\f\x85\u2028]")


class ImportRejected(Exception):
    """A story file we will not import; `str(exc)` is one polite sentence for the uploader."""


def quoted(filename: str) -> str:
    """How messages name a file: “story.txt”, or “The file” when it has no name."""
    return f"“{shown(filename, 100)}”" if filename else "The file"


# A list or mapping is quoted two levels and four items deep: one in an upload may stand for
# a billion values through YAML aliases, or be a file's worth of text.
_QUOTED_VALUE = reprlib.Repr()
_QUOTED_VALUE.maxlevel = 2
_QUOTED_VALUE.maxlist = _QUOTED_VALUE.maxdict = 4
_QUOTED_VALUE.maxstring = _QUOTED_VALUE.maxother = 60


def shown(value: object, limit: int = 60) -> str:
    """A value from an upload as a message quotes it: at most `limit` characters, however long
    or deeply nested the value is."""
    if isinstance(value, str | int | float | dt.date):
        text = str(value)
    else:
        text = _QUOTED_VALUE.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_text(filename: str) -> ImportRejected:
    """The refusal for anything that is not a plain text or Markdown file."""
    return ImportRejected(
        f"{quoted(filename)} is not a text file: "
        "stories must be plain text or Markdown (.txt, .md)."
    )


def decode(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, filename: str = "") -> str:
    """Decode an uploaded file to text, or raise ImportRejected saying why it cannot be a story.

    UTF-8 (with or without a byte order mark), UTF-16/32 with one and UTF-16 without one are read
    as such; UTF-8 with bytes of another encoding in it is refused; anything else is guessed,
    preferring Windows-1252 for Latin text, which is what most old fan fiction is in.
    """
    name = quoted(filename)
    if len(raw) > max_bytes:
        raise ImportRejected(
            f"{name} is {file_size(len(raw))}, larger than the {file_size(max_bytes)} "
            "a story may be."
        )
    text = _decoded(raw, filename)
    if _is_binary(text):
        raise not_text(filename)
    if not text.strip():
        raise ImportRejected(f"{name} is empty.")
    longest = max(len(line) for line in text.splitlines())
    if longest > MAX_LINE_CHARS:
        raise ImportRejected(
            f"{name} has a line of {longest:,} characters, which is not prose with line breaks: "
            "please put each paragraph on a line of its own."
        )
    if not _LETTER.search(text):
        raise ImportRejected(f"{name} has no letters in it, so there is no story to read.")
    return text


def _is_binary(text: str) -> bool:
    """Whether decoded text opens with more control characters than any prose has."""
    opening = text[:_SNIFF_CHARS]
    return len(_CONTROL.findall(opening)) > _MAX_CONTROL_SHARE * len(opening)


def _decoded(raw: bytes, filename: str) -> str:
    """The text in `raw`, or ImportRejected if it is binary or in no encoding we can tell."""
    unreadable = ImportRejected(
        f"{quoted(filename)} uses a character encoding I can't read: "
        "please save it as UTF-8 and upload it again."
    )
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                raise unreadable from None
    if b"\x00" in raw:
        if (text := utf16_without_mark(raw)) is not None:
            return text
        raise not_text(filename)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if line := _first_line_not_utf8(raw):
        raise ImportRejected(
            f"{quoted(filename)} mixes two character encodings (UTF-8 and an older one such as "
            f"Windows-1252; line {line:,}): please save it as UTF-8 and upload it again."
        )
    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        raise unreadable
    # Latin text in one byte per letter reads the same in several code pages; the guesser's
    # favourite is often Central European, which turns "naïve" into "naďve". Windows-1252 is what
    # such files almost always are.
    if any(match.encoding == "cp1252" and match.chaos <= best.chaos for match in matches):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return raw.decode(best.encoding)


def utf16_without_mark(raw: bytes) -> str | None:
    """The text of a file in UTF-16 without a byte order mark, as some editors save it, or None
    if it does not read as UTF-16.

    Such text has zero bytes on one side of its byte pairs only (the high byte of a space, of
    ASCII and of Latin-1), where a binary file mostly has them on both, and reads without
    control characters.
    """
    sample = raw[: 2 * _SNIFF_CHARS]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if (
        len(raw) % 2
        or 100 * min(even, odd) > max(even, odd)
        or 10 * max(even, odd) < len(sample) // 2
    ):
        return None
    try:
        text = raw.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    return None if _is_binary(text) else text


def _first_line_not_utf8(raw: bytes) -> int | None:
    """The line of the first byte that is not UTF-8 in a file that is mostly UTF-8, else None.

    Mostly UTF-8 is as many of its letters beyond ASCII read as UTF-8 as fail to: text saved as
    UTF-8 with a passage pasted in from an older encoding, which no one encoding reads right. In
    a Windows-1252 file two letters only now and then happen to make a UTF-8 one ("ß”").
    """
    text = raw.decode("utf-8", errors="replace")
    failed = text.count("\ufffd")
    read = len(text) - len(text.encode("ascii", errors="ignore")) - failed
    if read < failed:
        return None
    return text.count("\n", 0, text.index("\ufffd")) + 1


def file_size(count: int) -> str:
    """A byte count as people say it: "50 MB", "20.5 MB", "900 KB"."""
    if count >= 2**20:
        return f"{count / 2**20:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(count / 2**10))} KB"


def normalise(text: str) -> str:
    """Tidy text without changing a word of it.

    Line ends become "\\n", tabs spaces; control, zero-width and bidi-override characters go
    (zero-width joiners stay: emoji and some scripts need them); the text is NFC-composed and
    trailing spaces on each line are removed.
    """
    text = _LINE_BREAK.sub("\n", text).replace("\u2029", "\n\n").replace("\t", " ")
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return "\n".join(line.rstrip() for line in text.split("\n"))
