"""Queries on the story library: stories, their tags, chapters and pages."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.access import IN_REACH, RATING_ALLOWED, VISIBLE, Viewer, check_visible
from bot.library.layout import ChapterLayout, lay_out
from bot.library.model import ChapterDraft, Rating, Status, StoryDraft, TagKind
from bot.store.database import Dialect, Queries, Row, Transaction
from bot.store.excerpts import add_excerpts, remove_excerpts


class SaveOutcome(enum.Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Story:
    """A stored story; `warnings` and `tags` are filled only where a query says so."""

    id: int
    guild_id: int | None
    title: str
    author: str
    summary: str
    rating: Rating
    status: Status
    language: str
    source: str
    chapter_count: int
    word_count: int
    page_count: int
    created_at: str
    updated_at: str
    author_id: int | None = None
    """The member who wrote it, for a story a member submitted (else its author is a name)."""
    kudos_count: int = 0
    series: str = ""
    """The series it is part of ("" for none)."""
    series_part: int | None = None
    """Its part number in the series, if given."""
    warnings: tuple[str, ...] = ()
    tags: dict[TagKind, tuple[str, ...]] = field(default_factory=dict)

    def as_draft(self, chapters: Sequence[ChapterDraft] = ()) -> StoryDraft:
        """The story's details (and `chapters`) as a draft, as the library's files hold them."""
        return StoryDraft(
            title=self.title,
            chapters=tuple(chapters),
            author=self.author,
            summary=self.summary,
            rating=self.rating,
            warnings=self.warnings,
            tags=self.tags,
            status=self.status,
            language=self.language,
            source=self.source,
            series=self.series,
            series_part=self.series_part,
        )


STORY_COLUMNS = (
    "id, guild_id, title, author, summary, rating, status, language, source, "
    "chapter_count, word_count, page_count, created_at, updated_at, author_id, kudos_count, "
    "series, series_part"
)


_COLUMN_NAMES = tuple(name.strip() for name in STORY_COLUMNS.split(","))


def story_from_row(row: Row, **extra: Any) -> Story:
    """A Story from a row of STORY_COLUMNS (and `warnings`/`tags`, when given)."""
    values: dict[str, Any] = {name: row[name] for name in _COLUMN_NAMES}
    values["rating"], values["status"] = Rating(row["rating"]), Status(row["status"])
    return Story(**values, **extra)


class LibraryQueries(Queries):
    async def save_story(
        self,
        draft: StoryDraft,
        *,
        source_key: str,
        content_hash: str,
        guild_id: int | None = None,
        page_size: int,
    ) -> tuple[SaveOutcome, int]:
        """Add the story, or replace the one from the same source if its content changed.

        One transaction: the story, its tags, chapters and pages are all written, or none is.
        Replacing keeps the story's id (and so readers' progress and subscriptions).
        """
        layout = await asyncio.to_thread(lay_out, draft.chapters, page_size)
        async with self._db.transaction() as tx:
            existing = await tx.fetch_one(
                "SELECT id, content_hash FROM story "
                "WHERE ifnull(guild_id, 0) = ? AND source_key = ?",
                (guild_id or 0, source_key),
            )
            if existing and existing["content_hash"] == content_hash:
                return SaveOutcome.UNCHANGED, existing["id"]
            story_id = await write_story(
                tx,
                draft,
                layout,
                story_id=existing["id"] if existing else None,
                guild_id=guild_id,
                source_key=source_key,
                content_hash=content_hash,
                now=self.now(),
            )
        return (SaveOutcome.UPDATED if existing else SaveOutcome.ADDED), story_id

    async def story_count(self) -> int:
        row = await self._db.fetch_one("SELECT count(*) FROM story")
        return row[0] if row else 0

    async def story(self, viewer: Viewer, story_id: int) -> Story:
        """A story the viewer may see, with its warnings and tags; StoryHidden if they may not."""
        query = f"""
            SELECT {STORY_COLUMNS}, {RATING_ALLOWED} AS rating_allowed FROM story
            WHERE id = :id AND {IN_REACH}
        """
        row = await self._db.fetch_one(query, {**viewer.params, "id": story_id})
        check_visible(viewer, row)
        assert row is not None
        return await self.with_tags(row)

    async def with_tags(self, row: Row) -> Story:
        """The story of a row of STORY_COLUMNS, with its warnings and tags."""
        tags: dict[str, list[str]] = {}
        for tag in await self._db.fetch_all(
            "SELECT kind, name FROM story_tag WHERE story_id = :id ORDER BY kind, position",
            {"id": row["id"]},
        ):
            tags.setdefault(tag["kind"], []).append(tag["name"])
        return story_from_row(
            row,
            warnings=tuple(tags.pop("warning", ())),
            tags={TagKind(kind): tuple(names) for kind, names in tags.items()},
        )

    async def next_in_series(self, viewer: Viewer, story: Story) -> Story | None:
        """The part after `story` in its series that the viewer may see (the lowest part number
        above its own), if there is one."""
        if not story.series or story.series_part is None:
            return None
        query = f"""
            SELECT {STORY_COLUMNS} FROM story
            WHERE {VISIBLE} AND story.series = :series COLLATE NOCASE
            AND story.series_part > :part
            ORDER BY story.series_part, story.id
            LIMIT 1
        """
        params = {**viewer.params, "series": story.series, "part": story.series_part}
        row = await self._db.fetch_one(query, params)
        return story_from_row(row) if row else None

    async def chapters(self, story_id: int) -> list[ChapterDraft]:
        """Every chapter of a story, in order, with its notes (for a download, not reading: the
        caller has looked the story up with the reader's Viewer)."""
        rows = await self._db.fetch_all(
            "SELECT title, text, notes_before, notes_after FROM chapter "
            "WHERE story_id = :story ORDER BY number",
            {"story": story_id},
        )
        return [
            ChapterDraft(row["title"], row["text"], row["notes_before"], row["notes_after"])
            for row in rows
        ]

    async def chapter_texts(self, story_id: int) -> list[str]:
        """The prose of every chapter of a story, in order (for checks and exports, not reading)."""
        rows = await self._db.fetch_all(
            "SELECT text FROM chapter WHERE story_id = ? ORDER BY number", (story_id,)
        )
        return [row["text"] for row in rows]

    async def meta(self, key: str) -> str | None:
        row = await self._db.fetch_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


async def write_story(
    tx: Transaction,
    draft: StoryDraft,
    layout: Sequence[ChapterLayout],
    *,
    story_id: int | None,
    guild_id: int | None,
    source_key: str,
    content_hash: str,
    now: str,
    author_id: int | None = None,
) -> int:
    """Write a whole story inside the caller's transaction: a new one (`story_id` None), or a
    replacement of story `story_id`'s text and metadata that keeps its id. Returns the id.
    `author_id` is the member who wrote a new story, when a member submitted it."""
    values = (
        content_hash,
        draft.title,
        draft.author,
        draft.summary,
        draft.rating.value,
        draft.status.value,
        draft.language,
        draft.source,
        len(draft.chapters),
        draft.word_count,
        sum(len(chapter.pages) for chapter in layout),
        draft.series,
        draft.series_part,
        now,
    )
    if story_id is not None:
        await tx.execute(
            "UPDATE story SET content_hash = ?, title = ?, author = ?, summary = ?, "
            "rating = ?, status = ?, language = ?, source = ?, chapter_count = ?, "
            "word_count = ?, page_count = ?, series = ?, series_part = ?, updated_at = ? "
            "WHERE id = ?",
            (*values, story_id),
        )
        await remove_excerpts(tx, story_id)
        await delete_chapters(tx, story_id)
        await tx.execute("DELETE FROM story_tag WHERE story_id = ?", (story_id,))
    else:
        story_id = await tx.scalar(
            "INSERT INTO story (content_hash, title, author, summary, rating, status, "
            "language, source, chapter_count, word_count, page_count, series, series_part, "
            "updated_at, created_at, guild_id, source_key, author_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (*values, now, guild_id, source_key, author_id),
        )
    await insert_tags(tx, story_id, draft)
    await insert_chapters(tx, story_id, draft.chapters, layout, first_number=1, pages_before=0)
    return story_id


async def delete_chapters(tx: Transaction, story_id: int) -> None:
    """Delete a story's chapters (their pages with them) and take them out of the full-text
    index, inside the caller's transaction: the one way a chapter leaves the index, as
    `insert_chapters` is the one way it enters it. (PostgreSQL's index is of a column of the
    chapter, so a chapter enters and leaves it with its row.)"""
    params = {"story": story_id}
    if tx.dialect is Dialect.SQLITE:
        await tx.execute(
            """
            INSERT INTO chapter_fts (chapter_fts, rowid, text)
            SELECT 'delete', id, text FROM chapter WHERE story_id = :story
            """,
            params,
        )
    await tx.execute("DELETE FROM chapter WHERE story_id = :story", params)


async def insert_tags(tx: Transaction, story_id: int, draft: StoryDraft) -> None:
    """Write a story's warnings, fandoms, relationships, characters and tags, in order, inside
    the caller's transaction."""
    rows = [(story_id, "warning", name, position) for position, name in enumerate(draft.warnings)]
    for kind, names in draft.tags.items():
        rows += [(story_id, kind.value, name, position) for position, name in enumerate(names)]
    await tx.execute_many(
        "INSERT INTO story_tag (story_id, kind, name, position) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        rows,
    )


async def insert_chapters(
    tx: Transaction,
    story_id: int,
    chapters: Sequence[ChapterDraft],
    layout: Sequence[ChapterLayout],
    *,
    first_number: int,
    pages_before: int,
) -> None:
    """Write chapters (with their pages, excerpts and full-text index) numbered from
    `first_number`.

    Chapter ids are assigned here (the caller holds the write lock), so a story's chapters,
    pages and excerpts are each written in one statement, however many chapters it has.
    """
    last_id = await tx.scalar("SELECT ifnull(max(id), 0) FROM chapter")
    chapter_rows, page_rows, excerpt_rows = [], [], []
    pairs = zip(chapters, layout, strict=True)
    for offset, (chapter, laid_out) in enumerate(pairs):
        chapter_id = last_id + 1 + offset
        chapter_rows.append(
            (
                chapter_id,
                story_id,
                first_number + offset,
                chapter.title,
                chapter.text,
                chapter.notes_before,
                chapter.notes_after,
                chapter.word_count,
                len(laid_out.pages),
                pages_before,
            )
        )
        pages_before += len(laid_out.pages)
        page_rows += [
            (chapter_id, page, start, end) for page, (start, end) in enumerate(laid_out.pages, 1)
        ]
        excerpt_rows += [(chapter_id, *excerpt) for excerpt in laid_out.excerpts]
    await tx.execute_many(
        "INSERT INTO chapter (id, story_id, number, title, text, notes_before, notes_after, "
        "word_count, page_count, pages_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        chapter_rows,
    )
    await tx.execute_many(
        "INSERT INTO page (chapter_id, number, start_offset, end_offset) VALUES (?, ?, ?, ?)",
        page_rows,
    )
    await add_excerpts(tx, story_id, excerpt_rows)
    if tx.dialect is not Dialect.SQLITE:
        return
    # Last, so that what the full-text index gathers is written out once, at the commit.
    await tx.execute(
        "INSERT INTO chapter_fts (rowid, text) "
        "SELECT id, text FROM chapter WHERE id BETWEEN ? AND ?",
        (last_id + 1, last_id + len(chapter_rows)),
    )
