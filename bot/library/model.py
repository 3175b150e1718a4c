"""The story vocabulary readers know from AO3: ratings, warnings, tags, stories and chapters."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Rating(StrEnum):
    """AO3's content ratings, mildest first."""

    GENERAL = "General Audiences"
    TEEN = "Teen And Up Audiences"
    MATURE = "Mature"
    EXPLICIT = "Explicit"
    NOT_RATED = "Not Rated"

    @property
    def age_restricted(self) -> bool:
        """Whether the story may only be shown in age-restricted channels."""
        return self in (Rating.MATURE, Rating.EXPLICIT, Rating.NOT_RATED)

    @classmethod
    def parse(cls, value: str) -> Rating:
        """Read a rating as people write it ("Teen", "T", "teen and up", "M", "explicit" …)."""
        key = re.sub(r"[^a-z]", "", value.lower())
        for rating, aliases in _RATING_ALIASES.items():
            if key in aliases:
                return rating
        raise ValueError(f"unknown rating {value!r}")


_RATING_ALIASES = {
    Rating.GENERAL: {"g", "general", "generalaudiences", "gen", "k", "kplus"},
    Rating.TEEN: {"t", "teen", "teenandup", "teenandupaudiences", "pg13", "pg"},
    Rating.MATURE: {"m", "mature"},
    Rating.EXPLICIT: {"e", "explicit", "ma", "nc17"},
    Rating.NOT_RATED: {"notrated", "nr", "unrated", ""},
}


class Status(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in progress"

    @classmethod
    def parse(cls, value: str) -> Status:
        key = re.sub(r"[^a-z]", "", value.lower())
        if key in {"complete", "completed", "finished", "done"}:
            return cls.COMPLETE
        if key in {"inprogress", "wip", "ongoing", "incomplete", "updating"}:
            return cls.IN_PROGRESS
        raise ValueError(f"unknown status {value!r}")


ARCHIVE_WARNINGS = (
    "Creator Chose Not To Use Archive Warnings",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "No Archive Warnings Apply",
    "Rape/Non-Con",
    "Underage Sex",
)


class TagKind(StrEnum):
    FANDOM = "fandom"
    RELATIONSHIP = "relationship"
    CHARACTER = "character"
    FREEFORM = "freeform"


@dataclass(frozen=True)
class ChapterDraft:
    """A chapter as parsed from a file, before it is stored.

    `text` is the prose only: paragraphs separated by one blank line ("\\n\\n"), no heading.
    Author's notes live apart from the prose, before or after it.
    """

    title: str
    text: str
    notes_before: str = ""
    notes_after: str = ""

    @cached_property
    def word_count(self) -> int:
        return count_words(self.text)


@dataclass(frozen=True)
class StoryDraft:
    """A story as parsed from a file (or an upload), ready to be written to the library."""

    title: str
    chapters: tuple[ChapterDraft, ...]
    author: str = "Unknown"
    summary: str = ""
    rating: Rating = Rating.NOT_RATED
    warnings: tuple[str, ...] = ()
    tags: dict[TagKind, tuple[str, ...]] = field(default_factory=dict)
    status: Status = Status.COMPLETE
    language: str = "en"
    source: str = ""
    series: str = ""
    """The series the story is part of ("" for none), as AO3's "Part 2 of <series>"."""
    series_part: int | None = None
    """Its part number in `series` (None: not given)."""
    notices: tuple[str, ...] = ()
    """What reading the file found for the uploader to check before it is saved (never
    stored), such as a web page that holds only one chapter of the work."""

    @property
    def word_count(self) -> int:
        return sum(chapter.word_count for chapter in self.chapters)


_WORD = re.compile(r"\w+(?:['’\-]\w+)*")


def count_words(text: str) -> int:
    """Words as AO3 counts them, near enough: runs of letters and digits, with inner ' and -."""
    return len(_WORD.findall(text))


def draft_json(draft: StoryDraft) -> str:
    """The draft as JSON, to keep it as it is while it waits (a submission in review)."""
    return json.dumps(
        {
            "title": draft.title,
            "author": draft.author,
            "summary": draft.summary,
            "rating": draft.rating.value,
            "warnings": list(draft.warnings),
            "tags": {kind.value: list(names) for kind, names in draft.tags.items()},
            "status": draft.status.value,
            "language": draft.language,
            "source": draft.source,
            "series": draft.series,
            "series_part": draft.series_part,
            "chapters": [
                [chapter.title, chapter.text, chapter.notes_before, chapter.notes_after]
                for chapter in draft.chapters
            ],
        },
        ensure_ascii=False,
    )


def draft_from_json(text: str) -> StoryDraft:
    """The draft `draft_json` kept."""
    kept = json.loads(text)
    return StoryDraft(
        title=kept["title"],
        chapters=tuple(ChapterDraft(*chapter) for chapter in kept["chapters"]),
        author=kept["author"],
        summary=kept["summary"],
        rating=Rating(kept["rating"]),
        warnings=tuple(kept["warnings"]),
        tags={TagKind(kind): tuple(names) for kind, names in kept["tags"].items()},
        status=Status(kept["status"]),
        language=kept["language"],
        source=kept["source"],
        series=kept.get("series", ""),  # kept before stories had series
        series_part=kept.get("series_part"),
    )
