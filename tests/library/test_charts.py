"""The reading figures as charts and words: counts of people under three hidden, a chart that
reads alike on Discord's dark and light themes, and a friendly empty chart."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import numpy
from matplotlib import image

from bot.library import charts
from bot.store.stats import ChapterReach, DayFigures, LibraryStats, StoryFigures, StoryStats

DARK, LIGHT = (0x31 / 255, 0x33 / 255, 0x38 / 255), (1.0, 1.0, 1.0)


def _days(readers: list[int]) -> tuple[DayFigures, ...]:
    first = date(2026, 6, 1)
    return tuple(
        DayFigures(first + timedelta(n), count, count * 5, 1, 0, 2, 1, 0, 3)
        for n, count in enumerate(readers)
    )


def _on(background: tuple[float, float, float], png: bytes) -> numpy.ndarray:
    """The chart as it shows over a background."""
    pixels = image.imread(BytesIO(png), format="png")
    if pixels.shape[2] == 3:
        return pixels
    alpha = pixels[:, :, 3:]
    return pixels[:, :, :3] * alpha + numpy.array(background) * (1 - alpha)


def test_counts_of_people_under_three_are_hidden_and_others_shown() -> None:
    assert [charts.shown(n) for n in (0, 1, 2, 3, 1200)] == ["0", "< 3", "< 3", "3", "1,200"]


def test_a_librarys_summary_says_its_totals_busiest_day_and_most_read() -> None:
    hours = [[0] * 24 for _ in range(7)]
    hours[2][21] = 40
    stats = LibraryStats(
        _days([5, 2, 0]),
        tuple(map(tuple, hours)),
        (StoryFigures(1, "The *Last* Waltz", 6, 30, 2, 4),),
        readers=6,
    )
    text = charts.library_summary(stats, named=lambda title: title.replace("*", "\\*"))
    assert "**The last 3 days** (2026-06-01 to 2026-06-03, UTC): 6 readers read 35 pages" in text
    assert "excerpts drawn 6, daily posts 3, kudos 0, discussion messages 9" in text
    assert "Busiest day: 2026-06-01, 5 readers and 25 pages." in text
    assert "Busiest hour of the week: Wed 21:00 UTC." in text
    assert "1. The \\*Last\\* Waltz: 6 readers, < 3 finished, 4 kudos" in text


def test_a_storys_drop_off_in_words_hides_small_numbers() -> None:
    stats = StoryStats(
        "Harbour",
        (ChapterReach(1, "One", 25), ChapterReach(2, "Two", 23), ChapterReach(3, "Three", 2)),
        finished=2,
        kudos=7,
        bookmarks=1,
        subscribers=0,
    )
    text = charts.story_summary(stats)
    assert "**Harbour**: 25 readers, < 3 finished, 7 kudos, < 3 bookmarks, 0 subscribers." in text
    assert "Chapter 1 → 2: 92 % of readers who opened chapter 1 reached chapter 2 (23 of 25)." in (
        text
    )
    assert "Chapter 2 → 3: < 3 of the 23 readers who opened chapter 2 reached chapter 3." in text


def test_charts_read_alike_on_dark_and_light_backgrounds_and_fit_a_phone() -> None:
    hours = tuple(tuple(range(24)) for _ in range(7))
    library = LibraryStats(_days([5, 2, 9] * 30), hours, (), readers=12)
    story = StoryStats(
        "Harbour", tuple(ChapterReach(n, "", 30 - n) for n in range(1, 40)), 3, 0, 0, 0
    )
    for png in (charts.library_chart(library), charts.story_chart(story)):
        on_dark, on_light = _on(DARK, png), _on(LIGHT, png)
        assert numpy.array_equal(on_dark, on_light)  # its own opaque card on either theme
        height, width, _ = on_dark.shape
        assert 800 <= width <= 2000 and 600 <= height <= 2000
        ink = on_dark.mean(axis=2) < 0.3  # dark text and axes on the light card
        assert 0.002 < ink.mean() < 0.5


def test_no_reading_yet_is_a_sentence_and_an_empty_chart() -> None:
    stats = LibraryStats(_days([0] * 30), tuple((0,) * 24 for _ in range(7)), (), readers=0)
    assert charts.library_summary(stats) == "Nothing was read here in the last 30 days yet."
    assert charts.library_chart(stats).startswith(b"\x89PNG")
    nobody = StoryStats("Harbour", (ChapterReach(1, "One", 0),), 0, 0, 0, 0)
    assert "Nobody has read it yet." in charts.story_summary(nobody)
    assert charts.story_chart(nobody).startswith(b"\x89PNG")


def test_days_outside_one_to_a_year_are_refused_with_the_range() -> None:
    assert charts.days_refusal(30) is None and charts.days_refusal(365) is None
    assert charts.days_refusal(0) == "The figures go back 1 to 365 days, not 0."
    assert charts.days_refusal(366) == "The figures go back 1 to 365 days, not 366."
