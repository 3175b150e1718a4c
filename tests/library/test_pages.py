"""Cutting chapters into pages: boundaries a reader would accept, never inside a word."""

from __future__ import annotations

import re

import pytest

from bot.library.pages import paginate


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
