"""Queries for moderators' changes to a guild's own library, and its audit trail.

An upload and the notices it causes are written in one transaction, so a notice is never lost
(nor sent for an upload that did not happen).
"""

from __future__ import annotations

import asyncio
import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.access import CHANGEABLE, Hidden, StoryHidden
from bot.library.layout import lay_out
from bot.library.model import ChapterDraft, StoryDraft
from bot.store.database import Transaction, typed_id, typed_text
from bot.store.library import (
    STORY_COLUMNS,
    LibraryQueries,
    Story,
    insert_chapters,
    insert_tags,
    write_story,
)
from bot.store.outbox import drop_notices, queue_notices


class DuplicateUpload(Exception):
    """The same file was uploaded to this guild before; the message is the story's title."""


class AuditAction(enum.StrEnum):
    """What a moderator did to a story, as the audit trail and /library history say it."""

    UPLOAD = "upload"
    APPEND = "append"
    EDIT = "edit"
    REMOVE = "remove"
    RESTORE = "restore"
    MOVE_CHAPTER = "move-chapter"


@dataclass(frozen=True)
class AuditEntry:
    user_id: int
    action: AuditAction
    detail: str
    at: str


async def _audit(
    tx: Transaction,
    guild_id: int,
    story_id: int,
    user_id: int,
    action: AuditAction,
    detail: str,
    at: str,
) -> None:
    await tx.execute(
        "INSERT INTO audit (guild_id, story_id, user_id, action, detail, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, story_id, user_id, action, detail, at),
    )


async def _check_new_upload(tx: Transaction, guild_id: int, content_hash: str) -> None:
    """Refuse a file this guild uploaded before (unless that story was removed since)."""
    row = await tx.fetch_one(
        "SELECT story.title FROM upload JOIN story ON story.id = upload.story_id "
        "WHERE upload.guild_id = ? AND upload.content_hash = ? AND story.removed_at IS NULL",
        (guild_id, content_hash),
    )
    if row:
        raise DuplicateUpload(row[0])


async def _record_upload(tx: Transaction, guild_id: int, content_hash: str, story_id: int) -> None:
    await tx.execute(
        "INSERT INTO upload (guild_id, content_hash, story_id) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, content_hash) DO UPDATE SET story_id = excluded.story_id",
        (guild_id, content_hash, story_id),
    )


class UploadQueries(LibraryQueries):
    async def add_upload(
        self,
        guild_id: int,
        draft: StoryDraft,
        *,
        content_hash: str,
        user_id: int,
        page_size: int,
    ) -> int:
        """A new story in the guild's library, its audit entry and its notifications, at once.

        Raises DuplicateUpload if the same file was uploaded here before.
        """
        layout = await asyncio.to_thread(lay_out, draft.chapters, page_size)
        now = self.now()
        async with self._db.transaction() as tx:
            await _check_new_upload(tx, guild_id, content_hash)
            story_id = await write_story(
                tx,
                draft,
                layout,
                story_id=None,
                guild_id=guild_id,
                source_key=f"upload:{secrets.token_hex(8)}",
                content_hash=content_hash,
                now=now,
            )
            await _record_upload(tx, guild_id, content_hash, story_id)
            await _audit(
                tx,
                guild_id,
                story_id,
                user_id,
                AuditAction.UPLOAD,
                f"“{draft.title}”, {len(draft.chapters)} chapters",
                now,
            )
            await queue_notices(
                tx,
                guild_id,
                story_id,
                draft.author,
                (1, len(draft.chapters)),
                new_story=True,
                now=now,
            )
        return story_id

    async def append_chapters(
        self,
        story_id: int,
        guild_id: int,
        chapters: tuple[ChapterDraft, ...],
        *,
        content_hash: str,
        user_id: int,
        page_size: int,
    ) -> tuple[int, int]:
        """Add chapters after the last one of a story of `guild_id`; the first and last new
        numbers.

        Raises DuplicateUpload if the same file was uploaded to the guild before, StoryHidden
        if the story is no longer one of the guild's (removed since the preview, say).
        """
        layout = await asyncio.to_thread(lay_out, chapters, page_size)
        now = self.now()
        async with self._db.transaction() as tx:
            story = await tx.fetch_one(
                f"""
                SELECT guild_id, author, chapter_count, page_count FROM story
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"id": story_id, "moderated_guild": guild_id},
            )
            if story is None:
                raise StoryHidden(Hidden.GONE)
            await _check_new_upload(tx, story["guild_id"], content_hash)
            await _record_upload(tx, story["guild_id"], content_hash, story_id)
            first = story["chapter_count"] + 1
            await insert_chapters(
                tx,
                story_id,
                chapters,
                layout,
                first_number=first,
                pages_before=story["page_count"],
            )
            await tx.execute(
                "UPDATE story SET chapter_count = chapter_count + ?, "
                "word_count = word_count + ?, page_count = page_count + ?, updated_at = ? "
                "WHERE id = ?",
                (
                    len(chapters),
                    sum(chapter.word_count for chapter in chapters),
                    sum(len(chapter.pages) for chapter in layout),
                    now,
                    story_id,
                ),
            )
            last = first + len(chapters) - 1
            await _audit(
                tx,
                story["guild_id"],
                story_id,
                user_id,
                AuditAction.APPEND,
                f"chapters {first}–{last}",
                now,
            )
            await queue_notices(
                tx,
                story["guild_id"],
                story_id,
                story["author"],
                (first, last),
                new_story=False,
                now=now,
            )
        return first, last

    async def edit_story(
        self, story_id: int, guild_id: int, details: StoryDraft, *, user_id: int
    ) -> None:
        """Change the details (not the text) of a story of `guild_id` to those of `details`:
        title, author, summary, rating, status, warnings, fandoms, relationships, characters and
        tags. StoryHidden if it is not one of the guild's any more."""
        now = self.now()
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"""
                UPDATE story
                SET title = :title, author = :author, summary = :summary, rating = :rating,
                    status = :status, updated_at = :now
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {
                    "title": details.title,
                    "author": details.author,
                    "summary": details.summary,
                    "rating": details.rating.value,
                    "status": details.status.value,
                    "now": now,
                    "id": story_id,
                    "moderated_guild": guild_id,
                },
            )
            if changed == 0:
                raise StoryHidden(Hidden.GONE)
            await tx.execute("DELETE FROM story_tag WHERE story_id = :id", {"id": story_id})
            await insert_tags(tx, story_id, details)
            await _audit(
                tx,
                guild_id,
                story_id,
                user_id,
                AuditAction.EDIT,
                f"title “{details.title}”, author {details.author}, rating "
                f"{details.rating.value}, {details.status.value}",
                now,
            )

    async def remove_story(self, story_id: int, guild_id: int, *, user_id: int) -> bool:
        """Hide a story of `guild_id` everywhere (it can be restored) and drop its pending
        notices; False if it is not one of the guild's, or was removed already."""
        now = self.now()
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"""
                UPDATE story SET removed_at = :now
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"now": now, "id": story_id, "moderated_guild": guild_id},
            )
            if changed == 0:
                return False
            await drop_notices(tx, story_id, now)
            await _audit(tx, guild_id, story_id, user_id, AuditAction.REMOVE, "", now)
        return True

    async def restore_story(
        self, story_id: int, guild_id: int, *, user_id: int, within: timedelta
    ) -> bool:
        """Undo a removal of a story of `guild_id` made less than `within` ago; whether it was
        restored."""
        now = self.clock()
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                f"SELECT removed_at FROM story WHERE id = :id AND {CHANGEABLE}",
                {"id": story_id, "moderated_guild": guild_id},
            )
            if not row or not row[0] or now - datetime.fromisoformat(row[0]) > within:
                return False
            await tx.execute("UPDATE story SET removed_at = NULL WHERE id = ?", (story_id,))
            await _audit(tx, guild_id, story_id, user_id, AuditAction.RESTORE, "", self.now())
        return True

    async def move_chapter(
        self, story_id: int, guild_id: int, chapter: int, to: int, *, user_id: int
    ) -> None:
        """Move chapter `chapter` of a story of `guild_id` to position `to`, renumbering the
        ones between; readers' saved places follow their chapters. StoryHidden if the story is
        not one of the guild's any more, or has no such chapters."""
        step = 1 if chapter > to else -1
        low, high = min(chapter, to), max(chapter, to)
        async with self._db.transaction() as tx:
            found = await tx.fetch_one(
                f"""
                SELECT chapter_count FROM story
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"id": story_id, "moderated_guild": guild_id},
            )
            if found is None:
                raise StoryHidden(Hidden.GONE)
            if high > found[0]:
                raise StoryHidden(Hidden.CHAPTER_GONE)
            for table, column in (("chapter", "number"), ("reading_progress", "chapter_number")):
                # through negative numbers, so UNIQUE (story_id, number) holds at every step
                await tx.execute(
                    f"""
                    UPDATE {table}
                    SET {column} = -(CASE WHEN {column} = :moved THEN :to ELSE {column} + :step END)
                    WHERE story_id = :story AND {column} BETWEEN :low AND :high
                    """,
                    {
                        "moved": chapter,
                        "to": to,
                        "step": step,
                        "story": story_id,
                        "low": low,
                        "high": high,
                    },
                )
                await tx.execute(
                    f"""
                    UPDATE {table} SET {column} = -{column}
                    WHERE story_id = :story AND {column} < 0
                    """,
                    {"story": story_id},
                )
            await tx.execute(
                """
                UPDATE chapter SET pages_before = (
                    SELECT ifnull(sum(earlier.page_count), 0) FROM chapter AS earlier
                    WHERE earlier.story_id = chapter.story_id AND earlier.number < chapter.number)
                WHERE story_id = :story
                """,
                {"story": story_id},
            )
            await _audit(
                tx,
                guild_id,
                story_id,
                user_id,
                AuditAction.MOVE_CHAPTER,
                f"chapter {chapter} to {to}",
                self.now(),
            )

    async def history(self, story_id: int, guild_id: int, limit: int = 20) -> list[AuditEntry]:
        """The latest changes to a story of `guild_id`, newest first."""
        rows = await self._db.fetch_all(
            """
            SELECT user_id, action, detail, at FROM audit
            WHERE story_id = :id AND guild_id = :guild
            ORDER BY id DESC
            LIMIT :limit
            """,
            {"id": story_id, "guild": guild_id, "limit": limit},
        )
        return [AuditEntry(**{**dict(row), "action": AuditAction(row["action"])}) for row in rows]

    async def changeable_story(
        self, guild_id: int, value: str, *, removed: bool = False
    ) -> Story | None:
        """A story a moderator of `guild_id` may change (never a bundled one), by id or exact
        title, with its warnings and tags; `removed` looks among removed stories instead."""
        typed = typed_text(value)
        query = f"""
            SELECT {STORY_COLUMNS} FROM story
            WHERE {CHANGEABLE} AND (removed_at IS NOT NULL) = :removed
            AND (id = :id OR title = :title COLLATE NOCASE)
            ORDER BY id = :id DESC, id
            LIMIT 1
        """
        story_id = typed_id(typed)
        row = await self._db.fetch_one(
            query, {"moderated_guild": guild_id, "removed": removed, "id": story_id, "title": typed}
        )
        return await self.with_tags(row) if row else None
