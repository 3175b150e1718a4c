"""Queries for readers: pages, finding stories, where each reader stopped, their preferences.

Who may see what is decided by bot.access; every query here that returns a story applies it.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, fields, replace

from bot.access import (
    CHANGEABLE,
    IN_REACH,
    OF_THIS_SERVER,
    RATING_ALLOWED,
    VISIBLE,
    Changer,
    Hidden,
    StoryHidden,
    Viewer,
    check_visible,
)
from bot.library.model import Rating, Status
from bot.store.database import Dialect, Queries, Row, escape_like, typed_id, typed_text
from bot.store.stats import COUNT_PAGE, COUNTED_IN

_TRIGRAM = 3
"""Characters story_name needs to find a run of text anywhere in a title or author."""
_NAME_CANDIDATES = 200
_CHOICE_COLUMNS = "story.id, story.title, story.author, story.rating, story.chapter_count"
NEARBY_CHAPTERS = 24
"""Chapters either side of a page's chapter that come with it: enough for any chapter menu."""


class PageLength(enum.Enum):
    """How much of a story a reader sees at a time."""

    STANDARD = "standard"
    """A whole stored page."""
    SHORT = "short"
    """A stored page in parts (`bot.library.pages.parts`), for phones."""


@dataclass(frozen=True)
class Preferences:
    """How a reader likes to read, the same in every server and in DMs; by default, as
    everyone read before there were preferences."""

    page_length: PageLength = PageLength.STANDARD
    notes_shown: bool = True
    """Whether author's notes are shown around the prose."""


@dataclass(frozen=True)
class Page:
    """One page of a chapter, with what a reader needs around it."""

    story_id: int
    story_title: str
    author: str
    rating: Rating
    status: Status
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
    preferences: Preferences
    """The reader's, who asked for the page: how it is to be shown to them."""

    @property
    def pages_read(self) -> int:
        """Pages of the story up to and including this one."""
        return self.pages_before + self.number

    @property
    def is_last(self) -> bool:
        """Whether this is the story's last page."""
        return self.pages_read == self.story_pages


@dataclass(frozen=True)
class StoryChoice:
    id: int
    title: str
    author: str
    rating: Rating
    chapter_count: int
    tag: str = ""
    """The fandom, relationship, character or tag it was found by, when not by its title or
    author."""


@dataclass(frozen=True)
class Bookmark:
    """Where a reader stopped in a story."""

    story_id: int
    story_title: str
    chapter_number: int
    page_number: int
    part: int
    """Of the page, for a reader of short pages (1 for a whole page)."""
    pages_read: int
    story_pages: int
    updated_at: str


def _changeable_if(changer: Changer | None) -> str:
    """A lookup narrowed to the stories `changer` may change, if one is given (its parameters
    are the changer's)."""
    return "" if changer is None else f"AND {CHANGEABLE}"


class ReadingQueries(Queries):
    async def page(
        self, viewer: Viewer, story_id: int, chapter_number: int, page_number: int
    ) -> Page:
        """A page by number, clamped to the chapter's pages (0 or less: the last page), with
        everything the reader's page and buttons need, the viewer's preferences too: one query
        for a page turn.

        Raises StoryHidden if the viewer may not see the story, or it has no such chapter.
        Notes come only with the chapter's first page (notes before) and last page (after).
        """
        query = f"""
            SELECT story.id AS story_id, story.title AS story_title, story.author,
                story.rating, story.status, story.guild_id, story.chapter_count,
                story.page_count AS story_pages, {RATING_ALLOWED} AS rating_allowed,
                chapter.number AS chapter_number, chapter.title AS chapter_title,
                chapter.page_count, chapter.pages_before, page.number,
                substr(chapter.text, page.start_offset + 1,
                    page.end_offset - page.start_offset) AS text,
                CASE WHEN page.number = 1 THEN chapter.notes_before ELSE '' END AS notes_before,
                CASE WHEN page.number = chapter.page_count THEN chapter.notes_after ELSE '' END
                    AS notes_after,
                (SELECT json_group_array(json_array(near.number, near.title))
                    FROM chapter AS near
                    WHERE story.chapter_count > 1 AND near.story_id = story.id
                    AND near.number BETWEEN :chapter - :nearby AND :chapter + :nearby
                ) AS nearby_chapters,
                reader.page_length, reader.notes_shown
            FROM story
            LEFT JOIN chapter ON chapter.story_id = story.id AND chapter.number = :chapter
            LEFT JOIN page ON page.chapter_id = chapter.id AND page.number =
                CASE WHEN :page < 1 OR :page > chapter.page_count THEN chapter.page_count
                ELSE :page END
            LEFT JOIN reader ON reader.user_id = :user
            WHERE story.id = :story AND {IN_REACH}
        """
        row = await self._db.fetch_one(
            query,
            {
                **viewer.params,
                "user": viewer.user_id,
                "story": story_id,
                "chapter": chapter_number,
                "page": max(page_number, 0),
                "nearby": NEARBY_CHAPTERS,
            },
        )
        check_visible(viewer, row)
        assert row is not None
        if row["number"] is None:
            raise StoryHidden(Hidden.CHAPTER_GONE)
        values = dict(row)
        for column in ("rating_allowed", "page_length", "notes_shown"):
            del values[column]
        nearby = sorted((number, title) for number, title in json.loads(row["nearby_chapters"]))
        return Page(
            **{
                **values,
                "rating": Rating(row["rating"]),
                "status": Status(row["status"]),
                "nearby_chapters": tuple(nearby),
                "preferences": _preferences(row),
            }
        )

    async def chapter_titles(
        self, viewer: Viewer, story_id: int, offset: int, limit: int
    ) -> list[tuple[int, str]]:
        """(number, title) of `limit` chapters of a story the viewer may see, from chapter
        `offset + 1` on."""
        query = f"""
            SELECT chapter.number, chapter.title
            FROM story JOIN chapter ON chapter.story_id = story.id
            WHERE story.id = :story AND {VISIBLE} AND chapter.number > :offset
            ORDER BY chapter.number
            LIMIT :limit
        """
        rows = await self._db.fetch_all(
            query, {**viewer.params, "story": story_id, "offset": offset, "limit": limit}
        )
        return [(row["number"], row["title"]) for row in rows]

    async def find_stories(
        self, viewer: Viewer, text: str, *, changer: Changer | None = None, limit: int = 25
    ) -> list[StoryChoice]:
        """Stories the viewer may see whose title or author contains `text`, best matches
        first; with `changer`, only those they may change.

        Title prefix, then a word of the title starting with it, then anywhere in the title,
        then the author. One or two characters match the start of a word only: anywhere, they
        would match nearly everything; nothing typed matches this server's stories, then the
        bundled library. Only the first _NAME_CANDIDATES stories that match are ranked, so what
        a keystroke costs does not grow with the library.
        """
        typed = typed_text(text)
        needle = escape_like(typed)
        query = f"""
            SELECT {_CHOICE_COLUMNS} FROM {_named_stories(typed, self._db.dialect)}
            WHERE {VISIBLE} {_changeable_if(changer)}
            ORDER BY CASE
                WHEN folded LIKE lower(:prefix) ESCAPE '\\' THEN 0
                WHEN folded LIKE lower(:word_start) ESCAPE '\\' THEN 1
                WHEN folded LIKE lower(:anywhere) ESCAPE '\\' THEN 2
                ELSE 3 END,
                folded COLLATE NOCASE, id
            LIMIT :limit
        """
        rows = await self._db.fetch_all(
            query,
            {
                **viewer.params,
                "names": _names(typed, self._db.dialect),
                "anywhere": f"%{needle}%",
                "prefix": f"{needle}%",
                "word_start": f"% {needle}%",
                **(changer.params if changer else {}),
                "limit": limit,
            },
        )
        return [_story_choice(row) for row in rows]

    async def story_named(self, viewer: Viewer, value: str) -> StoryChoice | None:
        """The story a reader meant by `value` (an id from autocomplete, or a typed title),
        or None if no story in reach here has that id or title.

        Raises StoryHidden if it is there but its rating is not allowed where the viewer is.
        """
        typed = typed_text(value)
        story_id = typed_id(typed)
        named = "title = :title COLLATE NOCASE"
        query = f"""
            SELECT {_CHOICE_COLUMNS}, {RATING_ALLOWED} AS rating_allowed FROM story
            WHERE {IN_REACH} AND {named if story_id is None else f"(story.id = :id OR {named})"}
            ORDER BY {"" if story_id is None else "story.id = :id DESC, "}story.id
            LIMIT 1
        """
        row = await self._db.fetch_one(query, {**viewer.params, "id": story_id, "title": typed})
        if row is None:
            return None
        check_visible(viewer, row)
        return _story_choice(row)

    async def next_reads(self, viewer: Viewer, story_id: int, limit: int = 2) -> list[StoryChoice]:
        """Stories to read after this one, that the viewer may see: by its author first, then
        those sharing most of its fandoms, characters and tags, then the newest."""
        query = f"""
            WITH shared AS (
                SELECT theirs.story_id, count(*) AS tags
                FROM story_tag AS mine
                JOIN story_tag AS theirs
                    ON theirs.name = mine.name COLLATE NOCASE AND theirs.kind = mine.kind
                WHERE mine.story_id = :story AND mine.kind != 'warning'
                GROUP BY theirs.story_id
            )
            SELECT {_CHOICE_COLUMNS} FROM story
            LEFT JOIN shared ON shared.story_id = story.id
            WHERE {VISIBLE} AND story.id != :story
            ORDER BY
                story.author = (SELECT author FROM story AS read WHERE read.id = :story)
                    COLLATE NOCASE DESC,
                ifnull(shared.tags, 0) DESC,
                story.updated_at DESC,
                story.id
            LIMIT :limit
        """
        rows = await self._db.fetch_all(query, {**viewer.params, "story": story_id, "limit": limit})
        return [_story_choice(row) for row in rows]

    async def stories_tagged(
        self, viewer: Viewer, text: str, *, changer: Changer | None = None, limit: int = 25
    ) -> list[StoryChoice]:
        """Stories the viewer may see with a fandom, relationship, character or tag that
        contains `text` (one or two characters: that starts with it), each with the name it was
        found by, by title; with `changer`, only those they may change.

        The first _NAME_CANDIDATES names that match, and the first _NAME_CANDIDATES stories
        that carry them, are all that is looked at: what a keystroke costs does not grow with
        the library, however many stories share a fandom.
        """
        typed = typed_text(text)
        if not typed:
            return []
        query = f"""
            WITH tagged AS (
                SELECT story_tag.story_id, tag_name.name
                FROM tag_name
                JOIN story_tag ON story_tag.name = tag_name.name COLLATE NOCASE
                WHERE tag_name.id IN ({_tag_match(typed, self._db.dialect)})
                AND story_tag.kind != 'warning'
                LIMIT {_NAME_CANDIDATES}
            )
            SELECT {_CHOICE_COLUMNS}, min(CAST(tagged.name AS TEXT)) AS tag
            FROM tagged JOIN story ON story.id = tagged.story_id
            WHERE {VISIBLE} {_changeable_if(changer)}
            GROUP BY story.id
            ORDER BY story.title COLLATE NOCASE, story.id
            LIMIT :limit
        """
        rows = await self._db.fetch_all(
            query,
            {
                **viewer.params,
                "tags": _names(typed, self._db.dialect),
                "tag_start": escape_like(typed) + "%",
                **(changer.params if changer else {}),
                "limit": limit,
            },
        )
        return [replace(_story_choice(row), tag=row["tag"]) for row in rows]

    async def authors_like(self, viewer: Viewer, text: str, limit: int = 25) -> list[str]:
        """Authors of stories the viewer may see whose name contains `text` (one or two
        characters: with a word starting with it), as the library writes them: the name
        starting with it first, then a word of it, then anywhere. Nothing typed gives the
        authors of this server's stories, then of the bundled library. Only the first
        _NAME_CANDIDATES stories that match are looked at."""
        typed = typed_text(text)
        needle = escape_like(typed)
        named = _named_stories(typed, self._db.dialect, column="author")
        query = f"""
            SELECT name FROM (
                SELECT min(CAST(story.author AS TEXT)) AS name FROM {named}
                WHERE {VISIBLE}
                GROUP BY story.author COLLATE NOCASE
            ) AS author
            ORDER BY CASE
                WHEN lower(name) LIKE lower(:prefix) ESCAPE '\\' THEN 0
                WHEN lower(name) LIKE lower(:word_start) ESCAPE '\\' THEN 1
                ELSE 2 END,
                name COLLATE NOCASE
            LIMIT :limit
        """
        params = {
            **viewer.params,
            "names": _names(typed, self._db.dialect, column="author"),
            "prefix": f"{needle}%",
            "word_start": f"% {needle}%",
            "limit": limit,
        }
        return [row["name"] for row in await self._db.fetch_all(query, params)]

    async def author_named(self, viewer: Viewer, text: str) -> str | None:
        """The author of a story the viewer may see whose name is `text` in any letter case,
        as the library writes it; None if no such story is shown to them here."""
        query = f"""
            SELECT story.author FROM story
            WHERE {VISIBLE} AND story.author = :author COLLATE NOCASE
            LIMIT 1
        """
        typed = typed_text(text)
        row = await self._db.fetch_one(query, {**viewer.params, "author": typed})
        return row["author"] if row else None

    async def stories_sharing_word_starts(
        self, viewer: Viewer, typed: str, limit: int = _NAME_CANDIDATES
    ) -> list[StoryChoice]:
        """Stories the viewer may see with a word in the title or author that begins as a word
        typed does (its first two letters): the candidates for a typed title with a typo, at
        most `limit` of them, so what a look-up costs does not grow with the library."""
        match = _word_starts(typed, self._db.dialect)
        if not match:
            return []
        query = f"""
            SELECT {_CHOICE_COLUMNS} FROM story
            WHERE {VISIBLE} AND story.id IN ({_words_starting(self._db.dialect)})
            LIMIT :limit
        """
        rows = await self._db.fetch_all(query, {**viewer.params, "starts": match, "limit": limit})
        return [_story_choice(row) for row in rows]

    async def authors_sharing_word_starts(
        self, viewer: Viewer, typed: str, limit: int = _NAME_CANDIDATES
    ) -> list[str]:
        """Authors of stories the viewer may see with a word of their name that begins as a
        word typed does (its first two letters): the candidates for an author's name typed
        with a typo, from at most `limit` stories."""
        match = _word_starts(typed, self._db.dialect, column="author")
        if not match:
            return []
        query = f"""
            SELECT min(CAST(story.author AS TEXT)) AS name FROM story
            WHERE {VISIBLE} AND story.id IN ({_words_starting(self._db.dialect, column="author")})
            GROUP BY story.author COLLATE NOCASE
        """
        params = {**viewer.params, "starts": match, "limit": limit}
        return [row["name"] for row in await self._db.fetch_all(query, params)]

    async def save_bookmark(
        self,
        user_id: int,
        story_id: int,
        chapter_number: int,
        page_number: int,
        *,
        part: int = 1,
        move: bool,
        guild_id: int | None = None,
        ends_story: bool = False,
    ) -> None:
        """Remember where the reader is (`part` of the page, for short pages): the place they
        read on to (`move`), or, for a page they jumped to, only if they have no place in that
        story yet. Bookmarks are written in batches, so one for a story that has just gone is
        dropped rather than failing the others, and not durably (`Database.transaction`): a
        power cut may lose the last moment's turns of the page, never a place half-written.

        The page is counted in the reading figures of the server it was read in (`guild_id`;
        None: in DMs), in the same batch (see `bot.store.stats`); reading on to the part that
        `ends_story` finishes it."""
        now = self.now()
        await self._db.write_in_batch(
            (*COUNT_PAGE, _MOVE_PLACE if move else _FIRST_PLACE),
            {
                "user": user_id,
                "story": story_id,
                "chapter": chapter_number,
                "page": page_number,
                "part": part,
                "now": now,
                "guild": guild_id,
                "day": now[:10],
                "hour": int(now[11:13]),
                "finishing": move and ends_story,
            },
            key=("user", "story"),
            durable=False,
        )

    async def bookmarks(self, viewer: Viewer, *, limit: int = 25) -> list[Bookmark]:
        """Where the viewer stopped in each story they may see here, most recent first."""
        query = f"""
            {_BOOKMARKS}
            WHERE reading_progress.user_id = :user AND {VISIBLE}
            ORDER BY reading_progress.updated_at DESC, story.title
            LIMIT :limit
        """
        rows = await self._db.fetch_all(
            query, {**viewer.params, "user": viewer.user_id, "limit": limit}
        )
        return [_bookmark(row) for row in rows]

    async def last_bookmark(self, viewer: Viewer, story_id: int | None = None) -> Bookmark | None:
        """Where the viewer stopped last here (in `story_id`, or in any story of this server);
        None if nowhere. Raises StoryHidden if that story was removed since, or if its rating is
        not allowed where they are."""
        in_story = "" if story_id is None else "AND story.id = :story"
        query = f"""
            {_BOOKMARKS}
            WHERE reading_progress.user_id = :user AND {OF_THIS_SERVER} {in_story}
            ORDER BY reading_progress.updated_at DESC, story.title
            LIMIT 1
        """
        row = await self._db.fetch_one(
            query, {**viewer.params, "user": viewer.user_id, "story": story_id}
        )
        if row is None:
            return None
        if row["removed"]:
            raise StoryHidden(Hidden.REMOVED, title=row["story_title"])
        check_visible(viewer, row)
        return _bookmark(row)

    async def clear_bookmarks(self, user_id: int, story_ids: list[int]) -> int:
        """Forget where the reader stopped in these stories; how many places were forgotten."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                """
                DELETE FROM reading_progress
                WHERE user_id = :user AND story_id IN (SELECT value FROM json_each(:stories))
                """,
                {"user": user_id, "stories": json.dumps(story_ids)},
            )
            return changed

    async def reader_servers(self, user_id: int) -> list[int]:
        """The servers a reader has read a story of or follows something in: the ones whose
        stories they may read in DMs, if Discord says they are still a member."""
        rows = await self._db.fetch_all(
            """
            SELECT story.guild_id FROM reading_progress
            JOIN story ON story.id = reading_progress.story_id
            WHERE reading_progress.user_id = :user AND story.guild_id IS NOT NULL
            UNION
            SELECT guild_id FROM subscription WHERE user_id = :user
            """,
            {"user": user_id},
        )
        return [row[0] for row in rows]

    async def preferences(self, user_id: int) -> Preferences:
        """How the reader likes to read (the defaults, if they never said)."""
        row = await self._db.fetch_one(
            "SELECT page_length, notes_shown FROM reader WHERE user_id = :user", {"user": user_id}
        )
        return _preferences(row)

    async def set_preferences(
        self,
        user_id: int,
        *,
        page_length: PageLength | None = None,
        notes_shown: bool | None = None,
    ) -> Preferences:
        """Change the preferences given (None: keep it as it is); the reader's preferences now."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reader (user_id) VALUES (:user) ON CONFLICT (user_id) DO NOTHING",
                {"user": user_id},
            )
            row = await tx.fetch_one(
                """
                UPDATE reader SET
                    page_length = ifnull(:page_length, page_length),
                    notes_shown = ifnull(:notes_shown, notes_shown)
                WHERE user_id = :user
                RETURNING page_length, notes_shown
                """,
                {
                    "user": user_id,
                    "page_length": page_length.value if page_length else None,
                    "notes_shown": notes_shown,
                },
            )
        return _preferences(row)

    async def mature_in_dms(self, user_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT mature_in_dms FROM reader WHERE user_id = ?", (user_id,)
        )
        return bool(row and row["mature_in_dms"])

    async def set_mature_in_dms(self, user_id: int, allowed: bool) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reader (user_id, mature_in_dms) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET mature_in_dms = excluded.mature_in_dms",
                (user_id, int(allowed)),
            )


def _named_stories(typed: str, dialect: Dialect, *, column: str = "") -> str:
    """The first _NAME_CANDIDATES stories that match what a reader typed (in `column` only, if
    given; its query is `:names`, see `_names`), as the table `story` of the columns a lookup
    ranks and checks them by: the text anywhere (by trigrams) or, shorter than a trigram, a
    word starting with it. Nothing typed matches the stories uploaded to the viewer's server,
    then the bundled library: those that can be in reach, found through story_by_source without
    reading the other servers' stories (`VISIBLE` still decides which may be shown).

    On PostgreSQL the stories its index found are the ones ranked, not looked up again, and
    they are found whole before the first _NAME_CANDIDATES are taken (`MATERIALIZED`): planned
    for the first few only, a lookup would read the whole table, row by row, whenever it
    expects more matches than it finds."""
    columns = _NAMED_COLUMNS if column else f"{_NAMED_COLUMNS}, {_FOLDED_TITLE}"
    if not typed:
        found = f"""story.id IN (
            SELECT id FROM story WHERE ifnull(guild_id, 0) = :viewer_guild
            UNION ALL SELECT id FROM story WHERE ifnull(guild_id, 0) = 0
            LIMIT {_NAME_CANDIDATES})"""
    elif dialect is Dialect.SQLITE:
        names = "story_name" if len(typed) >= _TRIGRAM else "story_word"
        found = f"""story.id IN (
            SELECT rowid FROM {names} WHERE {names} MATCH :names LIMIT {_NAME_CANDIDATES})"""
    else:
        if len(typed) >= _TRIGRAM:
            searched = [column] if column else ["title", "author"]
            found = " OR ".join(f"lower({name}::text) LIKE :names ESCAPE '\\'" for name in searched)
        else:
            found = f"{_pg_word_starts(column)} @@ to_tsquery('storybot_names', :names)"
        return f"""(
            WITH found AS MATERIALIZED (SELECT {columns} FROM story WHERE {found})
            SELECT * FROM found LIMIT {_NAME_CANDIDATES}
        ) AS story"""
    return f"(SELECT {columns} FROM story WHERE {found}) AS story"


_NAMED_COLUMNS = "id, title, author, rating, chapter_count, guild_id, removed_at, author_id"
"""The columns of `_named_stories`: a lookup's choices, and what `VISIBLE` and `CHANGEABLE`
read (the whole row would be copied for each story found)."""
_FOLDED_TITLE = "lower(CAST(title AS TEXT)) AS folded"
"""With them when titles are looked for: the title in lower case, to rank and sort the stories
by, made once a story, not at each comparison (PostgreSQL's citext would lower both sides of
each)."""


def _names(typed: str, dialect: Dialect, *, column: str = "") -> str:
    """What a reader typed as the query `:names` of `_named_stories` (also `:tags`, of
    `_tag_match`): never a syntax error."""
    if dialect is Dialect.POSTGRES:
        if len(typed) >= _TRIGRAM:
            return f"%{escape_like(typed).lower()}%"
        return _pg_start(typed)
    phrase = '"' + typed.replace('"', '""') + '"'
    query = phrase if len(typed) >= _TRIGRAM else phrase + "*"
    return f"{column} : {query}" if column else query


def _pg_word_starts(column: str = "") -> str:
    """The starts of the words of a story's title and author (or of `column` only), as
    PostgreSQL's indexes story_word_start and story_author_word_start hold them."""
    words = f"{column}::text" if column else "title::text || ' ' || author::text"
    return f"storybot_word_starts(to_tsvector('storybot_names', {words}))"


def _pg_start(start: str) -> str:
    """A PostgreSQL text-search query for a word starting with `start`, one or two letters,
    in `_pg_word_starts`."""
    return "'" + start.lower().replace("\\", "\\\\").replace("'", "''") + "'"


def _tag_match(typed: str, dialect: Dialect) -> str:
    """The ids of the tag names (`tag_name`) that contain what a reader typed (its query is
    `:tags`), or, shorter than a trigram, that start with it (`:tag_start`)."""
    if len(typed) < _TRIGRAM:
        found = "SELECT id FROM tag_name WHERE name LIKE :tag_start ESCAPE '\\'"
    elif dialect is Dialect.SQLITE:
        found = "SELECT rowid FROM tag_name_fts WHERE tag_name_fts MATCH :tags"
    else:
        found = "SELECT id FROM tag_name WHERE lower(name::text) LIKE :tags ESCAPE '\\'"
    return f"{found} LIMIT {_NAME_CANDIDATES}"


def _word_starts(typed: str, dialect: Dialect, *, column: str = "") -> str:
    """A text-search query matching a word that begins as any word typed does (its first two
    letters), in `column` only if given; "" if nothing was typed that makes a word."""
    starts = sorted({word[:2].lower() for word in re.findall(r"\w+", typed)})
    if not starts:
        return ""
    if dialect is Dialect.POSTGRES:
        return " | ".join(_pg_start(start) for start in starts)
    match = " OR ".join(f'"{start}"*' for start in starts)
    return f"{column} : ({match})" if column else match


def _words_starting(dialect: Dialect, *, column: str = "") -> str:
    """The ids of the stories whose words match `:starts` (see `_word_starts`)."""
    if dialect is Dialect.SQLITE:
        return "SELECT rowid FROM story_word WHERE story_word MATCH :starts LIMIT :limit"
    return (
        f"SELECT id FROM story WHERE {_pg_word_starts(column)} "
        "@@ to_tsquery('storybot_names', :starts) LIMIT :limit"
    )


def _preferences(row: Row | None) -> Preferences:
    """A reader's preferences from their `reader` row's columns; no row (NULL columns, from a
    LEFT JOIN): the defaults."""
    if row is None or row["page_length"] is None:
        return Preferences()
    return Preferences(PageLength(row["page_length"]), bool(row["notes_shown"]))


def _story_choice(row: Row) -> StoryChoice:
    return StoryChoice(
        id=row["id"],
        title=row["title"],
        author=row["author"],
        rating=Rating(row["rating"]),
        chapter_count=row["chapter_count"],
    )


_NEW_PLACE = f"""
    INSERT INTO reading_progress (user_id, story_id, chapter_number, page_number, part,
        updated_at, guild_id, furthest_chapter, finished)
    SELECT :user, :story, :chapter, :page, :part, :now, {COUNTED_IN}, :chapter,
        CASE WHEN :finishing THEN 1 ELSE 0 END
    FROM story WHERE story.id = :story
"""
_FIRST_PLACE = f"""
    {_NEW_PLACE}
    ON CONFLICT (user_id, story_id) DO NOTHING
"""
_MOVE_PLACE = f"""
    {_NEW_PLACE}
    ON CONFLICT (user_id, story_id) DO UPDATE SET
        chapter_number = excluded.chapter_number,
        page_number = excluded.page_number,
        part = excluded.part,
        updated_at = excluded.updated_at,
        guild_id = excluded.guild_id,
        furthest_chapter = CASE WHEN excluded.chapter_number > reading_progress.furthest_chapter
            THEN excluded.chapter_number ELSE reading_progress.furthest_chapter END,
        finished = CASE WHEN excluded.finished = 1 THEN 1 ELSE reading_progress.finished END
"""


def _bookmark(row: Row) -> Bookmark:
    return Bookmark(**{name: row[name] for name in _BOOKMARK_FIELDS})


_BOOKMARK_FIELDS = tuple(field.name for field in fields(Bookmark))
_BOOKMARKS = f"""
    SELECT story.id AS story_id, story.title AS story_title, story.rating,
        {RATING_ALLOWED} AS rating_allowed, story.removed_at IS NOT NULL AS removed,
        reading_progress.chapter_number, reading_progress.page_number, reading_progress.part,
        ifnull(chapter.pages_before + CASE
            WHEN reading_progress.page_number < chapter.page_count
            THEN reading_progress.page_number ELSE chapter.page_count END, 0)
            AS pages_read,
        story.page_count AS story_pages, reading_progress.updated_at
    FROM reading_progress
    JOIN story ON story.id = reading_progress.story_id
    LEFT JOIN chapter ON chapter.story_id = story.id
        AND chapter.number = reading_progress.chapter_number
"""
