"""Queries for readers: pages, finding stories, where each reader stopped, their preferences."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import aiosqlite

from bot.library.model import Rating
from bot.store.database import Database, escape_like

# Stories visible in a guild: the bundled library and the guild's own uploads, not removed.
# `?1` is the guild id (NULL in DMs, where only the bundled library is visible) and `?2` a JSON
# list of the ratings allowed where the reader is.
VISIBLE = (
    "story.removed_at IS NULL AND (story.guild_id IS NULL OR story.guild_id = ?1) "
    "AND story.rating IN (SELECT value FROM json_each(?2))"
)


@functools.cache
def allowed_ratings(age_restricted_ok: bool) -> str:
    """The JSON list of ratings a reader may see, for the `?2` parameter of `VISIBLE`."""
    return json.dumps(
        [rating.value for rating in Rating if age_restricted_ok or not rating.age_restricted]
    )


_CHOICE = "SELECT id, title, author, rating, chapter_count FROM story"
_TRIGRAM = 3
"""Characters story_name needs to find a run of text anywhere in a title or author."""
_NAME_CANDIDATES = 200
NEARBY_CHAPTERS = 24
"""Chapters either side of a page's chapter that come with it: enough for any chapter menu."""


@dataclass(frozen=True)
class Page:
    """One page of a chapter, with what a reader needs around it."""

    story_id: int
    story_title: str
    author: str
    rating: Rating
    guild_id: int | None
    chapter_count: int
    story_pages: int
    chapter_number: int
    chapter_title: str
    number: int
    page_count: int
    pages_before: int
    text: str
    notes_before: str
    notes_after: str
    nearby_chapters: tuple[tuple[int, str], ...]
    """(number, title) of the chapters up to NEARBY_CHAPTERS either side, for the chapter menu;
    empty for a story of one chapter."""

    @property
    def pages_read(self) -> int:
        """Pages of the story up to and including this one."""
        return self.pages_before + self.number


@dataclass(frozen=True)
class StoryChoice:
    id: int
    title: str
    author: str
    rating: Rating
    chapter_count: int


@dataclass(frozen=True)
class Bookmark:
    """Where a reader stopped in a story."""

    story_id: int
    story_title: str
    chapter_number: int
    page_number: int
    pages_read: int
    story_pages: int
    updated_at: str


class ReadingQueries(Database):
    async def page(self, story_id: int, chapter_number: int, page_number: int) -> Page | None:
        """A page by number, clamped to the chapter's pages (0 or less: the last page), with
        everything the reader's embed and buttons need: one query for a page turn.

        None if the story or the chapter does not exist. Notes come only with the chapter's
        first page (notes before) and last page (notes after).
        """
        row = await self.fetch_one(
            "SELECT story.id AS story_id, story.title AS story_title, story.author, "
            "story.rating, story.guild_id, story.chapter_count, story.page_count AS story_pages, "
            "chapter.number AS chapter_number, chapter.title AS chapter_title, "
            "chapter.page_count, chapter.pages_before, page.number, "
            "substr(chapter.text, page.start_offset + 1, page.end_offset - page.start_offset) "
            "AS text, "
            "CASE WHEN page.number = 1 THEN chapter.notes_before ELSE '' END AS notes_before, "
            "CASE WHEN page.number = chapter.page_count THEN chapter.notes_after ELSE '' END "
            "AS notes_after, "
            "(SELECT json_group_array(json_array(near.number, near.title)) FROM chapter AS near "
            " WHERE story.chapter_count > 1 AND near.story_id = story.id "
            " AND near.number BETWEEN ?2 - ?4 AND ?2 + ?4) AS nearby_chapters "
            "FROM story JOIN chapter ON chapter.story_id = story.id AND chapter.number = ?2 "
            "JOIN page ON page.chapter_id = chapter.id AND page.number = "
            "CASE WHEN ?3 < 1 OR ?3 > chapter.page_count THEN chapter.page_count ELSE ?3 END "
            "WHERE story.id = ?1",
            (story_id, chapter_number, page_number if page_number > 0 else 0, NEARBY_CHAPTERS),
        )
        if row is None:
            return None
        nearby = sorted((number, title) for number, title in json.loads(row["nearby_chapters"]))
        return Page(
            **{**dict(row), "rating": Rating(row["rating"]), "nearby_chapters": tuple(nearby)}
        )

    async def chapter_titles(self, story_id: int, offset: int, limit: int) -> list[tuple[int, str]]:
        """(number, title) of `limit` chapters from chapter `offset + 1` on."""
        rows = await self.fetch_all(
            "SELECT number, title FROM chapter WHERE story_id = ? AND number > ? "
            "ORDER BY number LIMIT ?",
            (story_id, offset, limit),
        )
        return [(row["number"], row["title"]) for row in rows]

    async def find_stories(
        self,
        guild_id: int | None,
        text: str,
        *,
        age_restricted_ok: bool,
        own_only: bool = False,
        limit: int = 25,
    ) -> list[StoryChoice]:
        """Stories whose title or author contains `text`, best matches first; `own_only` leaves
        out the bundled library.

        Title prefix, then a word of the title starting with it, then anywhere in the title,
        then the author. One or two characters match the start of a word only: anywhere, they
        would match nearly everything. Only the first _NAME_CANDIDATES stories that match are
        ranked, so what a keystroke costs does not grow with the library.
        """
        typed = text.strip()
        needle = escape_like(typed)
        matching, query = _name_match(typed)
        rows = await self.fetch_all(
            f"{_CHOICE} WHERE {VISIBLE} AND {matching} "
            "AND (?7 = 0 OR story.guild_id IS NOT NULL) "
            "ORDER BY CASE WHEN title LIKE ?4 ESCAPE '\\' THEN 0 "
            "WHEN title LIKE ?5 ESCAPE '\\' THEN 1 WHEN title LIKE ?3 ESCAPE '\\' THEN 2 "
            "ELSE 3 END, title COLLATE NOCASE, id LIMIT ?6",
            (
                guild_id,
                allowed_ratings(age_restricted_ok),
                f"%{needle}%",
                f"{needle}%",
                f"% {needle}%",
                limit,
                own_only,
                query,
            ),
        )
        return [_story_choice(row) for row in rows]

    async def visible_story(self, guild_id: int | None, value: str) -> StoryChoice | None:
        """The story a reader meant by `value` (an id from autocomplete, or a typed title).

        Only stories visible in `guild_id` count, whatever their rating: the caller decides
        whether the rating allows it here, so that it can explain a refusal.
        """
        everything = allowed_ratings(True)
        row = None
        if value.strip().isdigit():
            row = await self.fetch_one(
                f"{_CHOICE} WHERE {VISIBLE} AND id = ?3",
                (guild_id, everything, int(value)),
            )
        if row is None:
            row = await self.fetch_one(
                f"{_CHOICE} WHERE {VISIBLE} AND title = ?3 COLLATE NOCASE ORDER BY id LIMIT 1",
                (guild_id, everything, value.strip()),
            )
        if row is None:
            return None
        return _story_choice(row)

    async def save_bookmark(
        self, user_id: int, story_id: int, chapter_number: int, page_number: int
    ) -> None:
        """Remember where the reader is. Bookmarks are written in batches, so one for a story
        that has just gone is dropped rather than failing the others."""
        await self.write_in_batch(
            "INSERT INTO reading_progress (user_id, story_id, chapter_number, page_number, "
            "updated_at) SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM story "
            "WHERE story.id = ?2) ON CONFLICT (user_id, story_id) DO UPDATE "
            "SET chapter_number = excluded.chapter_number, "
            "page_number = excluded.page_number, updated_at = excluded.updated_at",
            (user_id, story_id, chapter_number, page_number, self.now()),
        )

    async def bookmarks(
        self, user_id: int, guild_id: int | None, *, story_id: int | None = None, limit: int = 25
    ) -> list[Bookmark]:
        """Where the reader stopped in each story visible here, most recent first."""
        rows = await self.fetch_all(
            "SELECT story.id AS story_id, story.title AS story_title, "
            "reading_progress.chapter_number, reading_progress.page_number, "
            "chapter.pages_before + min(reading_progress.page_number, chapter.page_count) "
            "AS pages_read, story.page_count AS story_pages, reading_progress.updated_at "
            "FROM reading_progress JOIN story ON story.id = reading_progress.story_id "
            "JOIN chapter ON chapter.story_id = story.id "
            "AND chapter.number = reading_progress.chapter_number "
            f"WHERE reading_progress.user_id = ?3 AND {VISIBLE} "
            "AND (?4 IS NULL OR story.id = ?4) "
            "ORDER BY reading_progress.updated_at DESC, story.title LIMIT ?5",
            (guild_id, allowed_ratings(True), user_id, story_id, limit),
        )
        return [Bookmark(**dict(row)) for row in rows]

    async def clear_bookmarks(self, user_id: int, story_id: int | None = None) -> int:
        """Forget where the reader stopped (in one story, or everywhere); how many were cleared."""
        async with self.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM reading_progress WHERE user_id = ? AND (? IS NULL OR story_id = ?)",
                (user_id, story_id, story_id),
            )
            return cursor.rowcount

    async def mature_in_dms(self, user_id: int) -> bool:
        row = await self.fetch_one("SELECT mature_in_dms FROM reader WHERE user_id = ?", (user_id,))
        return bool(row and row["mature_in_dms"])

    async def set_mature_in_dms(self, user_id: int, allowed: bool) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO reader (user_id, mature_in_dms) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET mature_in_dms = excluded.mature_in_dms",
                (user_id, int(allowed)),
            )


def _name_match(typed: str) -> tuple[str, str]:
    """The condition on `story` that finds what a reader typed, and its FTS5 query (`?8`):
    the text anywhere (story_name) or, shorter than a trigram, a word starting with it
    (story_word); never a syntax error. Nothing typed matches every story."""
    if not typed:
        return "?8 = ''", ""
    phrase = '"' + typed.replace('"', '""') + '"'
    names, query = "story_name", phrase
    if len(typed) < _TRIGRAM:
        names, query = "story_word", phrase + "*"
    condition = (
        f"story.id IN (SELECT rowid FROM {names} WHERE {names} MATCH ?8 LIMIT {_NAME_CANDIDATES})"
    )
    return condition, query


def _story_choice(row: aiosqlite.Row) -> StoryChoice:
    return StoryChoice(**{**dict(row), "rating": Rating(row["rating"])})
