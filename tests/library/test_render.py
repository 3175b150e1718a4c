"""Prose shown in Discord: shown as written, italics on purpose, never a ping or a list."""

from __future__ import annotations

import pytest

from bot.library.render import escape, plural, progress_bar, render_prose, shorten


@pytest.mark.parametrize(
    ("prose", "shown"),
    [
        ("He said _never_ again.", "He said *never* again."),
        ("It was *really* late.", "It was *really* late."),
        ("I _hate_ _you_", "I *hate* *you*"),
        ("snake_case_name", r"snake\_case\_name"),
        ("2 * 3 * 4", r"2 \* 3 \* 4"),
        ("a stray _ here", r"a stray \_ here"),
        ("_unclosed", r"\_unclosed"),
        ("@everyone, look", r"\@everyone, look"),
        ("<@123> and <#456>", r"\<\@123\> and \<\#456\>"),
        ("||spoiler|| ~~gone~~ `code`", r"\|\|spoiler\|\| \~\~gone\~\~ \`code\`"),
        ("> not a quote", r"\> not a quote"),
        ("# not a heading", r"\# not a heading"),
        ("- not a bullet\n1. not a list", "\\- not a bullet\n1\\. not a list"),
        ("well - said", "well - said"),
        (":smile: [link](x)", r"\:smile\: \[link\](x)"),
    ],
)
def test_prose_is_shown_as_written(prose: str, shown: str) -> None:
    assert render_prose(prose) == shown


def test_escape_never_leaves_markdown_active() -> None:
    assert escape("*_~|>`") == r"\*\_\~\|\>\`"


def test_shorten_cuts_between_words_and_never_leaves_a_dangling_escape() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("one two three four five", 12) == "one two…"
    assert shorten(r"\*\*\*\*\*\*", 6) == r"\*\*…"


def test_progress_bar_and_plurals() -> None:
    assert progress_bar(3, 10) == "▰▰▰▱▱▱▱▱▱▱ 30%"
    assert progress_bar(1, 1) == "▰" * 10 + " 100%"
    assert plural(1, "chapter") == "1 chapter"
    assert plural(2, "story") == "2 stories"
    assert plural(12000, "word") == "12,000 words"
