"""Titles typed by hand: case, part of a title and a small typo are forgiven."""

from __future__ import annotations

from bot.library.names import closest

TITLES = ["Heart Broken", "Hello, Princess", "We Keep Dancing", "The Long Road", "The Long Way"]


def test_a_small_typo_or_another_case_finds_the_one_title() -> None:
    assert closest("hert brokn", TITLES) == [0]
    assert closest("HELLO PRINCES", TITLES) == [1]
    assert closest("we keep dansing", TITLES) == [2]


def test_titles_alike_are_all_offered_and_nothing_like_is_none() -> None:
    assert sorted(closest("the long", TITLES)) == [3, 4]
    assert closest("zebra crossing", TITLES) == []
