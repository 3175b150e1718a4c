"""Turning stored prose into Discord text: markdown escaped on purpose, italics kept on purpose.

Prose is shown as written: a stray `*`, `_`, `~`, `|`, `>` or backtick is escaped so it shows as
itself. Italics the source format meant (`_word_` as Gutenberg texts mark them, `*word*` in
Markdown; HTML `<em>` is turned into `_word_` when it is imported) are rendered as italics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A run between matching markers that starts and ends with a non-space, not glued to a word
# (so snake_case and 2*3*4 stay as they are), within one paragraph. The marker comes first and
# the character before it is looked at after it, so that the search skips to each marker.
_ITALIC = re.compile(r"([_*])(?<![\w*_\\].)(?=[^\s_*])([^\n]*?[^\s\\])\1(?![\w*_])")
_SPECIAL = re.compile(r"([\\*_~|>`<\[\]#@:])")
# List markers at the start of a line; the backslash goes before the punctuation, because
# Discord only treats a backslash before punctuation as an escape.
_LINE_START_LIST = re.compile(r"^([ \t]*\d*)([-+.)])(?=\s)", re.MULTILINE)


def escape(text: str) -> str:
    """Escape everything Discord would read as markdown, a mention or an emoji code."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START_LIST.sub(r"\1\\\2", text)


def italic_runs(text: str) -> Iterator[tuple[str, bool]]:
    """Prose as runs of text, each with whether the source meant it in italics (the markers
    left out): what Discord's rendering and a download's HTML both show."""
    position = 0
    for match in _ITALIC.finditer(text):
        yield text[position : match.start()], False
        yield match.group(2), True
        position = match.end()
    yield text[position:], False


def render_prose(text: str) -> str:
    """Prose as Discord should show it: escaped, with the source's italics as italics."""
    return "".join(
        "*" + escape(run) + "*" if italic else escape(run) for run, italic in italic_runs(text)
    )


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters, between words, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    # a cut must not leave a dangling escape backslash behind
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut.rstrip() + ellipsis


def either(choices: Iterable[str]) -> str:
    """Choices as a sentence offers them: "a, b or c"."""
    *most, last = choices
    return f"{', '.join(most)} or {last}" if most else last


def spoiler(text: str, limit: int = 1024) -> str:
    """Text hidden behind Discord's spoiler bars until tapped (warnings, say), escaped."""
    return shorten("||" + escape(text) + "||", limit, "…||")


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A bar that reads at a glance on a phone: ▰▰▰▱▱▱▱▱▱▱ 30%."""
    fraction = done / total if total else 1.0
    filled = round(fraction * width)
    return "▰" * filled + "▱" * (width - filled) + f" {round(fraction * 100)}%"


def chapter_span(first: int, last: int) -> str:
    """ "chapter 3", or "chapters 3–5"."""
    return f"chapter {first}" if first == last else f"chapters {first}–{last}"


def plural(count: int, word: str) -> str:
    """ "1 chapter", "3 chapters", "2 stories"."""
    if count == 1:
        return f"{count:,} {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"
