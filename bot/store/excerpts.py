"""Excerpts: stored with their chapter, drawn uniformly at random at a cost that does not grow
with the library."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bot.access import VISIBLE, Viewer
from bot.library.model import Rating
from bot.store.database import STORY_WARNINGS, Queries, Row, Transaction

_DRAW_TRIES = 24


def _matches(params: dict[str, Any]) -> str:
    """The filters of a draw, only those it has (so that PostgreSQL keeps one plan for each
    kind of draw instead of planning it at every run): the viewer's, then a story
    (`:story`), an author (`:author`), a tag (`:tag`) and the first local date whose daily
    posts in the viewer's guild must not be repeated (`:not_posted_since`)."""
    clauses = [VISIBLE]
    if params.get("story") is not None:
        clauses.append("story.id = :story")
    if params.get("author"):
        clauses.append("story.author = :author COLLATE NOCASE")
    if params.get("tag"):
        clauses.append(
            """EXISTS (
                SELECT 1 FROM story_tag
                WHERE story_tag.story_id = story.id AND story_tag.name = :tag COLLATE NOCASE)"""
        )
    if params.get("not_posted_since"):
        clauses.append(
            """NOT EXISTS (
                SELECT 1 FROM daily_post
                WHERE daily_post.guild_id = :viewer_guild AND daily_post.excerpt_id = excerpt.id
                AND daily_post.posted_on >= :not_posted_since)"""
        )
    return " AND ".join(clauses)


def _passing(params: dict[str, Any]) -> str:
    """The excerpts that pass a draw's filters, to count or choose from."""
    return f"FROM excerpt JOIN story ON story.id = excerpt.story_id WHERE {_matches(params)}"


def _draw_walk(params: dict[str, Any]) -> str:
    """Random slots tried in turn (`:try_0` …), until one holds an excerpt that passes the
    filters: the draw's first way, one indexed lookup a try."""
    return f"""
    WITH RECURSIVE top(slots) AS (SELECT max(slot) FROM excerpt),
    tries(n, point) AS (VALUES
        {", ".join(f"({n}, CAST(:try_{n} AS BIGINT))" for n in range(_DRAW_TRIES))}),
    walk(n, id) AS (
        SELECT -1, CAST(NULL AS BIGINT)
        UNION ALL
        SELECT tries.n, (
            SELECT excerpt.id
            FROM excerpt JOIN story ON story.id = excerpt.story_id
            WHERE excerpt.slot = tries.point % (SELECT slots FROM top) + 1
            AND {_matches(params)})
        FROM walk JOIN tries ON tries.n = walk.n + 1
        WHERE walk.id IS NULL
    )
    """


_EXCERPT_COLUMNS = (
    "excerpt.id, story.id AS story_id, story.title AS story_title, story.author, story.rating, "
    "story.kudos_count, "
    "chapter.number AS chapter_number, chapter.title AS chapter_title, excerpt.page_number, "
    "substr(chapter.text, excerpt.start_offset + 1, excerpt.end_offset - excerpt.start_offset) "
    f"AS text, {STORY_WARNINGS} AS warnings"
)
_EXCERPT_JOINS = (
    "JOIN chapter ON chapter.id = excerpt.chapter_id JOIN story ON story.id = excerpt.story_id"
)


@dataclass(frozen=True)
class Excerpt:
    id: int
    story_id: int
    story_title: str
    author: str
    rating: Rating
    chapter_number: int
    chapter_title: str
    page_number: int
    text: str
    warnings: str
    """The story's archive warnings, joined with commas ("" for none)."""
    kudos_count: int = 0


def _excerpt(row: Row) -> Excerpt:
    return Excerpt(
        **{**dict(row), "rating": Rating(row["rating"]), "warnings": row["warnings"] or ""}
    )


async def add_excerpts(
    tx: Transaction, story_id: int, excerpts: list[tuple[int, int, int, int]]
) -> None:
    """Store a story's excerpts, (chapter id, start, end, page), in the slots after the last."""
    last = await tx.scalar("SELECT ifnull(max(slot), 0) FROM excerpt")
    await tx.execute_many(
        "INSERT INTO excerpt (slot, story_id, chapter_id, start_offset, end_offset, page_number) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(last + n, story_id, *excerpt) for n, excerpt in enumerate(excerpts, 1)],
    )


async def remove_excerpts(tx: Transaction, story_id: int) -> None:
    """Delete a story's excerpts and move the last ones into the freed slots, so the slots stay
    1..N without gaps. Costs as much as the story has excerpts, not the library."""
    rows = await tx.fetch_all("SELECT slot FROM excerpt WHERE story_id = ?", (story_id,))
    freed = sorted(row[0] for row in rows)
    if not freed:
        return
    await tx.execute("DELETE FROM excerpt WHERE story_id = ?", (story_id,))
    remaining = await tx.scalar("SELECT count(*) FROM excerpt")
    holes = [slot for slot in freed if slot <= remaining]
    rows = await tx.fetch_all("SELECT id FROM excerpt WHERE slot > ? ORDER BY slot", (remaining,))
    movers = [row[0] for row in rows]
    await tx.execute_many(
        "UPDATE excerpt SET slot = ? WHERE id = ?", list(zip(holes, movers, strict=True))
    )


class ExcerptQueries(Queries):
    async def draw_excerpt(
        self,
        viewer: Viewer,
        *,
        story_id: int | None = None,
        author: str = "",
        tag: str = "",
        not_posted_since: str | None = None,
    ) -> Excerpt | None:
        """A uniformly random excerpt the viewer may see among those that pass the filters, or
        None if none does.

        Tries random slots in turn and keeps the first that passes (one statement, one indexed
        lookup per try, whatever the size of the library); only when few excerpts pass, and so
        the tries all miss, it counts the ones that do and picks one of them by position.
        `not_posted_since` (a local date) leaves out excerpts the viewer's guild got as a daily
        post on or after it.
        """
        filters = {
            **viewer.params,
            "story": story_id,
            "author": author.strip(),
            "tag": tag.strip(),
            "not_posted_since": not_posted_since,
        }
        if story_id is None:
            # The tries in one statement, taken in turn until one passes the filters: random
            # numbers, each taken modulo the slots there are now (a bias of at most one in
            # 2**32 for a library of a million excerpts).
            tries = {f"try_{n}": random.randrange(2**52) for n in range(_DRAW_TRIES)}
            walk = _draw_walk(filters)
            drawn = await self._excerpt_chosen_by(
                "SELECT id FROM walk WHERE id IS NOT NULL", filters | tries, ctes=walk
            )
            if drawn:
                return drawn
        count = await self._db.fetch_one(f"SELECT count(*) {_passing(filters)}", filters)
        if not count or not count[0]:
            return None
        return await self._excerpt_chosen_by(
            f"SELECT excerpt.id {_passing(filters)} ORDER BY excerpt.id LIMIT 1 OFFSET :nth",
            {**filters, "nth": random.randrange(count[0])},
        )

    async def least_recent_daily_excerpt(self, viewer: Viewer, *, tag: str = "") -> Excerpt | None:
        """The excerpt the viewer's guild got as a daily post longest ago, for when every one
        allowed was posted within the no-repeat window (so the set is small: at most a year's
        posts)."""
        params = {**viewer.params, "tag": tag.strip()}
        query = f"""
            SELECT excerpt.id {_passing(params)}
            ORDER BY ifnull((
                SELECT max(posted_on) FROM daily_post
                WHERE daily_post.guild_id = :viewer_guild AND daily_post.excerpt_id = excerpt.id
            ), ''), excerpt.id
            LIMIT 1
        """
        return await self._excerpt_chosen_by(query, params)

    async def _excerpt_chosen_by(
        self, query: str, params: dict[str, Any], *, ctes: str = ""
    ) -> Excerpt | None:
        """The excerpt whose id `query` selects. Its text is read for that one excerpt only:
        picking among candidates with their text would read every candidate's chapter."""
        row = await self._db.fetch_one(
            f"""
            {ctes}
            SELECT {_EXCERPT_COLUMNS}
            FROM ({query}) AS chosen
            JOIN excerpt ON excerpt.id = chosen.id
            {_EXCERPT_JOINS}
            """,
            params,
        )
        return _excerpt(row) if row else None

    async def excerpt(self, viewer: Viewer, excerpt_id: int) -> Excerpt | None:
        """An excerpt by id, if the viewer may see its story."""
        query = f"""
            SELECT {_EXCERPT_COLUMNS} FROM excerpt {_EXCERPT_JOINS}
            WHERE excerpt.id = :id AND {VISIBLE}
        """
        row = await self._db.fetch_one(query, {**viewer.params, "id": excerpt_id})
        return _excerpt(row) if row else None

    async def excerpt_count(self) -> int:
        row = await self._db.fetch_one("SELECT count(*) FROM excerpt")
        return row[0] if row else 0
