"""Candidate excerpts: whole paragraphs, the right length, never across a scene break."""

from __future__ import annotations

import itertools

from bot.library.excerpts import passages
from bot.library.pages import paginate


def _paragraph(n: int, length: int) -> str:
    return (f"Paragraph {n} begins here and goes on. " * 40)[:length].strip() + "."


def test_excerpts_are_whole_paragraphs_within_the_bounds() -> None:
    text = "\n\n".join(_paragraph(n, 180 + 40 * (n % 5)) for n in range(40))
    found = passages(text, paginate(text, 1800))
    assert len(found) > 5
    paragraph_starts = {0} | {i + 2 for i in range(len(text)) if text.startswith("\n\n", i)}
    for start, end, _ in found:
        assert 300 <= end - start <= 1200
        assert start in paragraph_starts
        assert end == len(text) or text.startswith("\n\n", end)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(found))


def test_each_excerpt_knows_its_page() -> None:
    text = "\n\n".join(_paragraph(n, 400) for n in range(30))
    pages = paginate(text, 900)
    for start, _, page in passages(text, pages):
        page_start, page_end = pages[page - 1]
        assert page_start <= start < page_end


def test_a_wall_of_text_or_a_scrap_is_not_an_excerpt() -> None:
    assert passages("Too short.", [(0, 10)]) == []
    wall = "word " * 400
    assert passages(wall, paginate(wall)) == []


def test_excerpts_do_not_cross_a_scene_break() -> None:
    text = "\n\n".join([_paragraph(1, 200), "* * *", _paragraph(2, 200), _paragraph(3, 200)])
    found = passages(text, paginate(text))
    assert len(found) == 1
    start, end, _ = found[0]
    assert text[start:end].startswith("Paragraph 2")
