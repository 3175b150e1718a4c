"""The reading figures as pictures and as text: PNG charts drawn with matplotlib (Agg, no
display; slow enough to be run off the event loop), and the same numbers in words, for screen
readers and the command line.

A count of people under `PRIVATE_BELOW` is never shown as it is: "< 3" in text, and left out
of a chart, so that nobody's reading can be told from a figure.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.library.render import plural, shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.store.stats import LibraryStats, StoryStats

PRIVATE_BELOW = 3
"""Counts of people smaller than this (and not 0) are shown as "< 3"."""
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# An opaque card of Discord's own greys reads the same in its dark and light themes; the two
# colours are told apart by people with the common colour blindnesses.
_BACKGROUND = "#f2f3f5"
_INK = "#1e1f22"
_READERS = "#1f6fb5"
_PAGES = "#d9731a"
_STYLE: dict[Any, Any] = {
    "figure.facecolor": _BACKGROUND,
    "axes.facecolor": _BACKGROUND,
    "savefig.facecolor": _BACKGROUND,
    "text.color": _INK,
    "axes.labelcolor": _INK,
    "axes.edgecolor": _INK,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.titleweight": "bold",
}


DAYS = range(1, 366)
"""How many days back the figures may be asked for."""


def days_refusal(days: int) -> str | None:
    """Why figures over `days` days cannot be shown; None if they can."""
    if days in DAYS:
        return None
    return f"The figures go back 1 to 365 days, not {days:,}."


def shown(count: int) -> str:
    """A count of people as it may be shown."""
    return f"< {PRIVATE_BELOW}" if 0 < count < PRIVATE_BELOW else f"{count:,}"


def _drawn(count: int) -> float:
    """A count of people as a chart may draw it: not at all, under the threshold."""
    return float("nan") if 0 < count < PRIVATE_BELOW else float(count)


def library_summary(stats: LibraryStats, *, named: Callable[[str], str] = str) -> str:
    """A server's figures over the period, in words (with titles as `named` writes them)."""
    days = stats.days
    if not any(day.pages for day in days):
        return f"Nothing was read here in {_period(len(days))} yet."
    total = {
        name: sum(getattr(day, name) for day in days)
        for name in ("pages", "started", "finished", "excerpts", "daily_posts", "kudos")
    }
    busiest = max(days, key=lambda day: (day.readers, day.pages))
    lines = [
        f"**{_period(len(days)).capitalize()}** ({days[0].day} to {days[-1].day}, UTC): "
        f"{shown(stats.readers)} readers read {total['pages']:,} pages; stories started "
        f"{shown(total['started'])}, finished {shown(total['finished'])}; excerpts drawn "
        f"{total['excerpts']:,}, daily posts {total['daily_posts']:,}, kudos "
        f"{shown(total['kudos'])}, discussion messages "
        f"{sum(day.discussion_messages for day in days):,}.",
        f"Busiest day: {busiest.day}, {shown(busiest.readers)} readers and "
        f"{busiest.pages:,} pages.",
    ]
    hour = max(
        ((weekday, hour) for weekday in range(7) for hour in range(24)),
        key=lambda at: stats.hours[at[0]][at[1]],
    )
    lines.append(f"Busiest hour of the week: {_WEEKDAYS[hour[0]]} {hour[1]:02}:00 {stats.zone}.")
    if stats.top:
        lines.append("**Most read**")
        lines += [
            f"{rank}. {named(shorten(story.title, 80))}: {shown(story.readers)} readers, "
            f"{shown(story.finished)} finished, {shown(story.kudos)} kudos"
            for rank, story in enumerate(stats.top, 1)
        ]
    return "\n".join(lines)


def story_summary(
    stats: StoryStats, *, chapters: int = 15, named: Callable[[str], str] = str
) -> str:
    """A story's figures in words (its title as `named` writes it), with the drop-off between
    its first `chapters` chapters."""
    opened = stats.chapters[0].readers if stats.chapters else 0
    lines = [
        f"**{named(shorten(stats.title, 100))}**: {shown(opened)} readers, "
        f"{shown(stats.finished)} finished, {shown(stats.kudos)} kudos, "
        f"{shown(stats.bookmarks)} bookmarks, {shown(stats.subscribers)} subscribers."
    ]
    if not opened:
        lines.append("Nobody has read it yet.")
        return "\n".join(lines)
    for before, after in zip(stats.chapters[:chapters], stats.chapters[1:chapters], strict=False):
        step = f"Chapter {before.number} → {after.number}: "
        reached = f"readers who opened chapter {before.number} reached chapter {after.number}"
        if min(before.readers, after.readers) >= PRIVATE_BELOW:
            share = round(100 * after.readers / before.readers)
            lines.append(f"{step}{share} % of {reached} ({after.readers:,} of {before.readers:,}).")
        else:
            lines.append(f"{step}{shown(after.readers)} of the {shown(before.readers)} {reached}.")
    if len(stats.chapters) > chapters:
        lines.append(f"… and {plural(len(stats.chapters) - chapters, 'more chapter')}.")
    return "\n".join(lines)


def library_chart(stats: LibraryStats) -> bytes:
    """Readers and pages read each day, and the busiest hours of the week, as a PNG."""
    figure = _figure(9, 11)
    readers, pages, hours = figure.subplots(3, 1, height_ratios=(3, 3, 3.4))
    days = range(len(stats.days))
    every = max(1, len(days) // 6)
    readers.bar(days, [_drawn(day.readers) for day in stats.days], color=_READERS)
    readers.set_title("Readers each day")
    pages.bar(days, [day.pages for day in stats.days], color=_PAGES)
    pages.set_title("Pages read each day")
    for axes in (readers, pages):
        axes.set_xticks(
            days[::every], [f"{day.day:%b} {day.day.day}" for day in stats.days[::every]]
        )
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.set_major_locator(_whole_numbers())
    image = hours.imshow(stats.hours, aspect="auto", cmap="cividis")
    hours.set_title(f"Pages read by hour of the week ({stats.zone})")
    hours.set_yticks(range(7), _WEEKDAYS)
    hours.set_xticks(range(0, 24, 3), [f"{hour:02}" for hour in range(0, 24, 3)])
    figure.colorbar(image, ax=hours, label="pages")
    if not any(day.pages for day in stats.days):
        figure.suptitle("Nothing read here yet", fontsize=20)
    return _png(figure)


def story_chart(stats: StoryStats) -> bytes:
    """Readers who reached each chapter of a story, as a PNG."""
    figure = _figure(9, 7)
    axes = figure.subplots()
    numbers = [chapter.number for chapter in stats.chapters]
    reached = [_drawn(chapter.readers) for chapter in stats.chapters]
    axes.bar(numbers, reached, color=_READERS)
    axes.set_title(f"Readers who reached each chapter\n{shorten(stats.title, 60)}")
    axes.set_xlabel("chapter")
    axes.set_ylabel("readers")
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_locator(_whole_numbers())
    axes.yaxis.set_major_locator(_whole_numbers())
    if not any(chapter.readers for chapter in stats.chapters):
        axes.text(0.5, 0.5, "Nobody has read it yet", transform=axes.transAxes, ha="center")
    return _png(figure)


@functools.cache
def _matplotlib() -> None:
    """Load matplotlib, in its style, with the first chart: it takes a second and 40 MB, which
    a bot that is never asked for a chart need not spend. Once: charts may be drawn in several
    threads at a time."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(_STYLE)


def _figure(width: float, height: float) -> Figure:
    """A figure of `width` × `height` inches, sized for a phone."""
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=130, layout="constrained")


def _whole_numbers() -> Any:
    """Ticks for counts: whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _period(days: int) -> str:
    return "today" if days == 1 else f"the last {days:,} days"


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
