"""Cutting chapters into pages, and pages into the parts of short pages: boundaries a reader
would accept, never inside a word."""

from __future__ import annotations

import re

import pytest

from bot.library.pages import paginate, parts


def _texts(text: str, size: int) -> list[str]:
    return [text[start:end] for start, end in paginate(text, size)]


def test_short_chapter_is_one_page() -> None:
    text = "One paragraph.\n\nAnother paragraph."
    assert _texts(text, 1800) == [text]


def test_pages_end_at_paragraph_breaks() -> None:
    paragraphs = [f"Paragraph {n} " + "word " * 30 for n in range(20)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pages = _texts(text, 500)
    assert len(pages) > 1
    for page in pages:
        assert len(page) <= 500
        assert page.startswith("Paragraph ")
        assert page.endswith("word")
    assert "\n\n".join(pages) == text


def test_long_paragraph_is_cut_after_a_sentence() -> None:
    sentence = "The rain came down on the quiet town and nobody noticed it at all. "
    text = (sentence * 40).strip()
    pages = _texts(text, 600)
    assert all(len(page) <= 600 for page in pages)
    assert all(page.endswith(".") for page in pages)
    assert " ".join(pages) == text


def test_sentence_free_paragraph_is_cut_between_words() -> None:
    text = " ".join(["lorem"] * 400)
    pages = _texts(text, 500)
    assert all(len(page) <= 500 for page in pages)
    assert all(re.fullmatch(r"lorem( lorem)*", page) for page in pages)
    assert " ".join(pages) == text


def test_a_word_longer_than_a_page_is_the_only_thing_cut_inside() -> None:
    text = "start " + "x" * 1200 + " end"
    pages = _texts(text, 500)
    assert "".join(pages).replace(" ", "") == text.replace(" ", "")
    assert all(len(page) <= 500 for page in pages)


@pytest.mark.parametrize("size", [500, 1800, 4000])
def test_every_character_of_prose_is_on_some_page(size: int) -> None:
    words = [f"w{n}" for n in range(3000)]
    text = "\n\n".join(" ".join(words[i : i + 97]) + "." for i in range(0, 3000, 97))
    spans = paginate(text, size)
    covered = "".join(text[start:end] for start, end in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
    assert all(end - start <= size for start, end in spans)
    assert spans == sorted(spans)


def test_empty_chapter_is_one_empty_page() -> None:
    assert paginate("", 1800) == [(0, 0)]


def _page_of_paragraphs(sentences: list[int]) -> str:
    """A page of paragraphs with the given numbers of sentences, each sentence numbered."""
    counter = iter(range(10_000))
    return "\n\n".join(
        " ".join(f"Sentence {next(counter)} goes on for a while." for _ in range(count))
        for count in sentences
    )


def _rest_after(text: str, shown: list[str]) -> str:
    """What is left of `text` once `shown` is read off its start in order, each part where
    the last one stopped, past only the whitespace between them (asserting as much)."""
    for part in shown:
        rest = text.lstrip()
        assert rest.startswith(part), (part[:40], rest[:40])
        text = rest[len(part) :]
    return text


def test_a_page_in_parts_is_read_whole_once_in_order() -> None:
    page = _page_of_paragraphs([5, 9, 2, 14, 3, 6])
    shown = parts(page, 1800)
    assert len(shown) > 1
    assert _rest_after(page, shown).strip() == ""
    assert all(part.strip() == part and len(part) <= 900 for part in shown)


def test_parts_end_at_paragraphs_then_sentences() -> None:
    page = _page_of_paragraphs([3, 30, 3])  # the middle paragraph is longer than a part
    shown = parts(page, 1800)
    paragraphs = page.split("\n\n")
    assert shown[0] == paragraphs[0]
    assert all(part.endswith("while.") for part in shown)
    assert all(part.startswith("Sentence ") for part in shown)


def test_a_short_page_is_one_part_and_cutting_is_the_same_every_time() -> None:
    short = "A short page.\n\nIt fits in one part."
    assert parts(short, 1800) == [short]
    page = _page_of_paragraphs([5, 9, 2, 14])
    assert parts(page, 1800) == parts(page, 1800)
    assert len(parts(page, 1800)) < len(parts(page, 600))
