"""Queries for finding stories: the filtered, sorted listing and full-text search."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import asdict, dataclass

from bot.access import VISIBLE, Viewer
from bot.store.database import Dialect, Queries, escape_like
from bot.store.library import STORY_COLUMNS, Story, story_from_row

_SORTS = {
    "title": "story.title COLLATE NOCASE, story.id",
    "updated": "story.updated_at DESC, story.id DESC",
    "length": "story.word_count DESC, story.id",
    "kudos": "story.kudos_count DESC, story.id",
}
_SERIES_ORDER = "story.series_part IS NULL, story.series_part, "
"""A series first by its parts (those without a number last), then as `sort` says."""
HIT_START, HIT_END = "\x01", "\x02"
SEARCH_CANDIDATES = 50
_QUERY_WORD = re.compile(r"\w+")
_WORD = re.compile(r"[^\W_]+")
"""What PostgreSQL's parser makes a word of: a run of letters or digits."""


@dataclass(frozen=True)
class BrowseFilters:
    """What a reader asked /stories for; empty strings mean "any"."""

    tag: str = ""
    rating: str = ""
    status: str = ""
    author: str = ""
    sort: str = "title"
    series: str = ""
    """A series, listed in the order of its parts whatever `sort` says."""


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


def searchable(text: str) -> bool:
    """Whether `text` has a word to search for."""
    return bool(_QUERY_WORD.search(text))


def _fts_match(text: str, *, every_word: bool) -> str:
    """The words of `text` as an FTS5 query: one phrase, or each word required on its own;
    never a syntax error, whatever was typed."""
    words = _QUERY_WORD.findall(text)
    if every_word:
        return " ".join(f'"{word}"' for word in words)
    return '"' + " ".join(words) + '"'


def _one_highlight(snippet: str, words: int) -> str:
    """A PostgreSQL headline of a phrase of `words` words with each match of it marked as one
    run, as FTS5 marks a phrase: PostgreSQL marks each word of it, and also a word of it that
    stands alone nearby (marked only if no whole match is in the headline)."""
    runs: list[list[int]] = []  # [start, end] of each run, in characters of the unmarked text
    plain = ""
    for index, piece in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        if index % 2:  # a marked word
            start = len(plain)
            if runs and len(_QUERY_WORD.findall(plain[runs[-1][0] : start])) + 1 <= words:
                runs[-1][1] = start + len(piece)
            else:
                runs.append([start, start + len(piece)])
        plain += piece
    whole = [run for run in runs if len(_QUERY_WORD.findall(plain[run[0] : run[1]])) == words]
    for start, end in reversed(whole or runs):
        plain = plain[:start] + HIT_START + plain[start:end] + HIT_END + plain[end:]
    return plain


_FTS5_HITS = (
    f"""candidate AS (
        SELECT chapter_fts.rowid AS chapter_id, chapter.story_id
        FROM chapter_fts
        JOIN chapter ON chapter.id = chapter_fts.rowid
        JOIN story ON story.id = chapter.story_id
        WHERE chapter_fts MATCH :match AND {VISIBLE}
        LIMIT :candidates
    )""",
    """hit AS MATERIALIZED (
        SELECT chapter_fts.rowid AS chapter_id,
            snippet(chapter_fts, 0, :hit_start, :hit_end, '', 24) AS snippet
        FROM chapter_fts
        WHERE chapter_fts MATCH :match
        AND chapter_fts.rowid IN (SELECT chapter_id FROM best)
    )""",
)
"""How a search finds chapters on SQLite (FTS5, `:match` an FTS5 query), and makes snippets of
the `best` of them."""


def _postgres_hits(*, every_word: bool, words: int) -> tuple[str, str]:
    """The same on PostgreSQL (a GIN index of each chapter's words; `:match` the `words` words
    typed, as a phrase or with `every_word` anywhere), with headlines.

    That index holds no positions: whether a phrase's words stand together would be read from
    each chapter holding all of them, for a phrase of common words most of the library. So a
    phrase of several words is looked up by its pairs of words side by side, in an index of
    those (`chapter.pairs`): a phrase of two is found by its pair alone, a longer one is read
    only from the chapters holding each of its pairs.

    A headline reads every word of the text it is given, so it is made of the part of the
    chapter around the first place the words typed stand as typed (`:typed`, a pattern of
    them as words; else where a word starts as the first one typed, `:first_word`), and of the
    whole chapter only when the words do not match there."""
    query = f"{'plainto_tsquery' if every_word else 'phraseto_tsquery'}('storybot_prose', :match)"
    found = f"chapter.words @@ {query}"
    if not every_word and words > 1:
        pairs = "chapter.pairs @@ storybot_pairs_of(:match)"
        found = pairs if words == 2 else f"{pairs} AND {found}"
    options = (
        "'MaxFragments=1, MaxWords=24, MinWords=12, StartSel=' || :hit_start "
        "|| ', StopSel=' || :hit_end"
    )
    return (
        f"""candidate AS (
            SELECT chapter.id AS chapter_id, chapter.story_id
            FROM chapter JOIN story ON story.id = chapter.story_id
            WHERE {found} AND {VISIBLE}
            LIMIT :candidates
        )""",
        f"""near AS MATERIALIZED (
            SELECT chapter.id AS chapter_id, chapter.text,
                substr(chapter.text, greatest(1, coalesce(
                    nullif(regexp_instr(chapter.text, :typed, 1, 1, 0, 'i'), 0),
                    regexp_instr(chapter.text, :first_word, 1, 1, 0, 'i')) - {_NEAR // 2}),
                    {_NEAR}) AS part
            FROM chapter WHERE chapter.id IN (SELECT chapter_id FROM best)
        ),
        hit AS MATERIALIZED (
            SELECT chapter_id, ts_headline('storybot_prose',
                CASE WHEN to_tsvector('storybot_prose', part) @@ {query} THEN part ELSE text END,
                {query}, {options}) AS snippet
            FROM near
        )""",
    )


_NEAR = 1200
"""How much of a chapter a PostgreSQL headline is made of, around where the match is."""


class BrowsingQueries(Queries):
    async def browse(
        self, viewer: Viewer, filters: BrowseFilters, *, offset: int, limit: int
    ) -> tuple[list[Story], int]:
        """One page of the stories the viewer may see that pass `filters`, and how many pass."""
        where = f"""
            {VISIBLE}
            AND (:rating = '' OR story.rating = :rating)
            AND (:status = '' OR story.status = :status)
            AND (:any_author OR story.author = :author COLLATE NOCASE)
            AND (:any_tag OR EXISTS (
                SELECT 1 FROM story_tag
                WHERE story_tag.story_id = story.id AND story_tag.name = :tag COLLATE NOCASE))
            AND (:any_series OR story.series = :series COLLATE NOCASE)
        """
        params = {
            **viewer.params,
            "rating": filters.rating,
            "status": filters.status,
            "author": filters.author,
            "any_author": not filters.author,
            "tag": filters.tag,
            "any_tag": not filters.tag,
            "series": filters.series,
            "any_series": not filters.series,
            "limit": limit,
            "offset": offset,
        }
        total = await self._db.fetch_one(f"SELECT count(*) FROM story WHERE {where}", params)
        query = f"""
            SELECT {STORY_COLUMNS} FROM story
            WHERE {where}
            ORDER BY {_SERIES_ORDER if filters.series else ""}{_SORTS[filters.sort]}
            LIMIT :limit OFFSET :offset
        """
        rows = await self._db.fetch_all(query, params)
        return [story_from_row(row) for row in rows], total[0] if total else 0

    async def save_browse_filters(self, guild_id: int | None, filters: BrowseFilters) -> int:
        """A short id for `filters` as typed in `guild_id` (None: DMs), to be carried by a
        listing's buttons."""
        key = json.dumps({"guild": guild_id, **asdict(filters)}, sort_keys=True)
        select = "SELECT id FROM browse_query WHERE filters = :key"
        saved = await self._db.fetch_one(select, {"key": key})
        if saved:  # the usual case: the same few filters are used again and again
            return int(saved[0])
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO browse_query (filters) VALUES (:key) ON CONFLICT DO NOTHING",
                {"key": key},
            )
            row = await tx.fetch_one(select, {"key": key})
        assert row is not None  # just written, or there before
        return int(row[0])

    async def browse_filters(self, guild_id: int | None, query_id: int) -> BrowseFilters | None:
        """The filters saved as `query_id`, if they were typed in `guild_id` (None: DMs):
        another server's filters are not shown here."""
        row = await self._db.fetch_one(
            "SELECT filters FROM browse_query WHERE id = :id", {"id": query_id}
        )
        if row is None:
            return None
        saved = json.loads(row[0])
        if "guild" not in saved or saved.pop("guild") != guild_id:
            return None
        return BrowseFilters(**saved)

    async def tags_like(self, viewer: Viewer, text: str, limit: int = 25) -> list[str]:
        """Tag names of stories the viewer may see that start with `text` (for autocomplete)."""
        query = f"""
            SELECT name FROM (
                SELECT DISTINCT story_tag.name
                FROM story_tag JOIN story ON story.id = story_tag.story_id
                WHERE {VISIBLE} AND story_tag.kind != 'warning'
                AND story_tag.name LIKE :prefix ESCAPE '\\'
            ) AS tag
            ORDER BY name COLLATE NOCASE
            LIMIT :limit
        """
        params = {**viewer.params, "prefix": escape_like(text) + "%", "limit": limit}
        return [row[0] for row in await self._db.fetch_all(query, params)]

    async def series_like(self, viewer: Viewer, text: str, limit: int = 25) -> list[str]:
        """Series of stories the viewer may see whose name contains `text` (for autocomplete)."""
        query = f"""
            SELECT series FROM (
                SELECT DISTINCT story.series FROM story
                WHERE {VISIBLE} AND story.series != ''
                AND story.series LIKE :pattern ESCAPE '\\'
            ) AS named
            ORDER BY series COLLATE NOCASE
            LIMIT :limit
        """
        params = {**viewer.params, "pattern": "%" + escape_like(text) + "%", "limit": limit}
        return [row[0] for row in await self._db.fetch_all(query, params)]

    async def search(
        self, viewer: Viewer, text: str, *, every_word: bool = False, limit: int
    ) -> list[SearchHit]:
        """Stories the viewer may see with a chapter holding the words of `text` (as a phrase,
        or anywhere in the chapter with `every_word`), in any of their forms: the first such
        chapter of each of the first `limit` stories, in the library's order.

        Only the first SEARCH_CANDIDATES matching chapters are looked at, and they are not
        ranked: ranking first counts the matches in the whole library, a cost that grows with
        it. So a search costs the same however large the library is. Snippets are made for
        the hits shown only; a hit's page is the one its snippet is on, found by looking the
        snippet up in the chapter's text (marking every match of the chapter costs far more).
        """
        if not searchable(text):
            return []
        words = _QUERY_WORD.findall(text)
        if self._db.dialect is Dialect.SQLITE:
            candidates, snippets = _FTS5_HITS
            match = _fts_match(text, every_word=every_word)
        else:
            candidates, snippets = _postgres_hits(
                every_word=every_word, words=len(_WORD.findall(text))
            )
            match = " ".join(words)
        query = f"""
            WITH {candidates},
            best AS (
                SELECT min(chapter_id) AS chapter_id FROM candidate
                GROUP BY story_id ORDER BY 1 LIMIT :limit
            ),
            {snippets},
            located AS MATERIALIZED (
                SELECT chapter.id AS chapter_id, chapter.story_id, chapter.number, chapter.title,
                    hit.snippet,
                    instr(chapter.text, replace(replace(hit.snippet, :hit_start, ''), :hit_end, ''))
                        AS snippet_at
                FROM hit JOIN chapter ON chapter.id = hit.chapter_id
            )
            SELECT story.id AS story_id, story.title AS story_title, story.author,
                located.number AS chapter_number, located.title AS chapter_title,
                located.snippet, located.snippet_at,
                (SELECT group_concat(CAST(start_offset AS TEXT), ',') FROM (
                    SELECT page.start_offset FROM page
                    WHERE page.chapter_id = located.chapter_id ORDER BY page.number
                ) AS page_starts) AS page_starts
            FROM located JOIN story ON story.id = located.story_id
            ORDER BY located.chapter_id
        """
        params = {
            **viewer.params,
            "match": match,
            "hit_start": HIT_START,
            "hit_end": HIT_END,
            "limit": limit,
            "candidates": SEARCH_CANDIDATES,
            "typed": r"\m" + r"\W+".join(words) + r"\M",
            "first_word": r"\m" + (words[0] if words else ""),
        }
        hits = []
        for row in await self._db.fetch_all(query, params):
            snippet = row["snippet"]
            if self._db.dialect is Dialect.POSTGRES and not every_word:
                snippet = _one_highlight(snippet, len(words))
            # the match's page: the last to start before its first marked word
            at = row["snippet_at"] - 1 + snippet.find(HIT_START) if row["snippet_at"] else 0
            starts = [int(start) for start in (row["page_starts"] or "0").split(",")]
            hits.append(
                SearchHit(
                    story_id=row["story_id"],
                    story_title=row["story_title"],
                    author=row["author"],
                    chapter_number=row["chapter_number"],
                    chapter_title=row["chapter_title"],
                    page_number=max(1, bisect.bisect_right(starts, at)),
                    snippet=snippet,
                )
            )
        return hits
