"""Queries for finding stories: the filtered, sorted listing and full-text search."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from bot.store.database import Database, escape_like
from bot.store.library import STORY_COLUMNS, Story, story_from_row
from bot.store.reading import VISIBLE, allowed_ratings

_SORTS = {
    "title": "story.title COLLATE NOCASE, story.id",
    "updated": "story.updated_at DESC, story.id DESC",
    "length": "story.word_count DESC, story.id",
}
HIT_START, HIT_END = "\x01", "\x02"
SEARCH_CANDIDATES = 50
_QUERY_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BrowseFilters:
    """What a reader asked /stories for; empty strings mean "any"."""

    tag: str = ""
    rating: str = ""
    status: str = ""
    author: str = ""
    sort: str = "title"


@dataclass(frozen=True)
class SearchHit:
    """A chapter that matches a search, with a snippet around a match and that match's page."""

    story_id: int
    story_title: str
    author: str
    chapter_number: int
    chapter_title: str
    page_number: int
    snippet: str  # the match between HIT_START and HIT_END markers


def fts_phrase(text: str) -> str:
    """The words of `text` as one FTS5 phrase: never a syntax error, whatever was typed."""
    return '"' + " ".join(_QUERY_WORD.findall(text)) + '"'


def fts_all_words(text: str) -> str:
    """Each word of `text` as its own FTS5 term, all of them required."""
    return " ".join(f'"{word}"' for word in _QUERY_WORD.findall(text))


class BrowsingQueries(Database):
    async def browse(
        self,
        guild_id: int | None,
        filters: BrowseFilters,
        *,
        age_restricted_ok: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[Story], int]:
        """One page of the stories visible here that pass `filters`, and how many pass in all."""
        where = (
            f"{VISIBLE} AND (?3 = '' OR story.rating = ?3) AND (?4 = '' OR story.status = ?4) "
            "AND (?5 = '' OR story.author = ?5 COLLATE NOCASE) AND (?6 = '' OR EXISTS ("
            "SELECT 1 FROM story_tag WHERE story_tag.story_id = story.id "
            "AND story_tag.name = ?6 COLLATE NOCASE))"
        )
        params = (
            guild_id,
            allowed_ratings(age_restricted_ok),
            filters.rating,
            filters.status,
            filters.author,
            filters.tag,
        )
        total = await self.fetch_one(f"SELECT count(*) FROM story WHERE {where}", params)
        rows = await self.fetch_all(
            f"SELECT {STORY_COLUMNS} FROM story WHERE {where} "
            f"ORDER BY {_SORTS[filters.sort]} LIMIT ?7 OFFSET ?8",
            (*params, limit, offset),
        )
        return [story_from_row(row) for row in rows], total[0] if total else 0

    async def save_browse_filters(self, filters: BrowseFilters) -> int:
        """A short id for `filters`, to be carried by a listing's buttons."""
        key = json.dumps(asdict(filters), sort_keys=True)
        saved = await self.fetch_one("SELECT id FROM browse_query WHERE filters = ?", (key,))
        if saved:  # the usual case: the same few filters are used again and again
            return saved[0]
        async with self.transaction() as tx:
            await tx.execute("INSERT OR IGNORE INTO browse_query (filters) VALUES (?)", (key,))
            async with tx.execute(
                "SELECT id FROM browse_query WHERE filters = ?", (key,)
            ) as cursor:
                row = await cursor.fetchone()
        return row[0]  # type: ignore[index]

    async def browse_filters(self, query_id: int) -> BrowseFilters | None:
        row = await self.fetch_one("SELECT filters FROM browse_query WHERE id = ?", (query_id,))
        return BrowseFilters(**json.loads(row[0])) if row else None

    async def tags_like(self, guild_id: int | None, text: str, limit: int = 25) -> list[str]:
        """Tag names used by stories visible here that start with `text` (for autocomplete)."""
        rows = await self.fetch_all(
            "SELECT DISTINCT story_tag.name FROM story_tag "
            f"JOIN story ON story.id = story_tag.story_id WHERE {VISIBLE} "
            "AND story_tag.kind != 'warning' AND story_tag.name LIKE ?3 ESCAPE '\\' "
            "ORDER BY story_tag.name COLLATE NOCASE LIMIT ?4",
            (guild_id, allowed_ratings(True), escape_like(text) + "%", limit),
        )
        return [row[0] for row in rows]

    async def search(
        self, guild_id: int | None, match: str, *, age_restricted_ok: bool, limit: int
    ) -> list[SearchHit]:
        """Stories visible here with a chapter matching the FTS5 expression `match`: the first
        such chapter of each of the first `limit` stories, in the library's order.

        Only the first SEARCH_CANDIDATES matching chapters are looked at, and they are not
        ranked: ranking (bm25) first counts the matches in the whole library, a cost that grows
        with it. So a search costs the same however large the library is. Snippets are made for
        the hits shown only; a hit's page is the one its snippet is on, found by looking the
        snippet up in the chapter's text (marking every match of the chapter costs far more).
        """
        rows = await self.fetch_all(
            "WITH candidate AS ("
            "  SELECT chapter_fts.rowid AS chapter_id, chapter.story_id "
            "  FROM chapter_fts JOIN chapter ON chapter.id = chapter_fts.rowid "
            "  JOIN story ON story.id = chapter.story_id "
            f"  WHERE chapter_fts MATCH ?3 AND {VISIBLE} LIMIT ?7), "
            "best AS (SELECT min(chapter_id) AS chapter_id FROM candidate GROUP BY story_id "
            "  ORDER BY 1 LIMIT ?6), "
            "hit AS MATERIALIZED ("
            "  SELECT chapter_fts.rowid AS chapter_id, "
            "  snippet(chapter_fts, 0, ?4, ?5, '', 24) AS snippet "
            "  FROM chapter_fts WHERE chapter_fts MATCH ?3 "
            "  AND chapter_fts.rowid IN (SELECT chapter_id FROM best)), "
            "located AS ("
            "  SELECT chapter.id AS chapter_id, chapter.story_id, chapter.number, chapter.title, "
            "  hit.snippet, "
            "  instr(chapter.text, replace(replace(hit.snippet, ?4, ''), ?5, '')) AS snippet_at "
            "  FROM hit JOIN chapter ON chapter.id = hit.chapter_id) "
            "SELECT story.id AS story_id, story.title AS story_title, story.author, "
            "located.number AS chapter_number, located.title AS chapter_title, "
            "(SELECT max(page.number) FROM page WHERE page.chapter_id = located.chapter_id "
            " AND page.start_offset <= CASE WHEN located.snippet_at > 0 "
            " THEN located.snippet_at + instr(located.snippet, ?4) - 2 ELSE 0 END) "
            "AS page_number, located.snippet "
            "FROM located JOIN story ON story.id = located.story_id ORDER BY located.chapter_id",
            (
                guild_id,
                allowed_ratings(age_restricted_ok),
                match,
                HIT_START,
                HIT_END,
                limit,
                SEARCH_CANDIDATES,
            ),
        )
        return [SearchHit(**{**dict(row), "page_number": row["page_number"] or 1}) for row in rows]
