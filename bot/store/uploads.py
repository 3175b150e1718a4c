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

from bot.access import CHANGEABLE, Changer, Hidden, StoryHidden
from bot.library.layout import ChapterLayout, lay_out
from bot.library.model import ChapterDraft, StoryDraft
from bot.store.database import Row, Transaction, typed_id, typed_text
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
    APPROVE = "approve"


@dataclass(frozen=True)
class AuditEntry:
    user_id: int
    action: AuditAction
    detail: str
    at: str


async def audit(
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


async def check_new_upload(tx: Transaction, guild_id: int, content_hash: str) -> None:
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


async def add_story(
    tx: Transaction,
    guild_id: int,
    draft: StoryDraft,
    layout: list[ChapterLayout],
    *,
    content_hash: str,
    user_id: int,
    now: str,
    author_id: int | None = None,
) -> int:
    """A new story in the guild's library, its audit entry and its notifications, inside the
    caller's transaction; `user_id` put it there, `author_id` wrote it (a member's submission).

    Raises DuplicateUpload if the same file was put in the guild's library before.
    """
    await check_new_upload(tx, guild_id, content_hash)
    story_id = await write_story(
        tx,
        draft,
        layout,
        story_id=None,
        guild_id=guild_id,
        source_key=f"upload:{secrets.token_hex(8)}",
        content_hash=content_hash,
        now=now,
        author_id=author_id,
    )
    await _record_upload(tx, guild_id, content_hash, story_id)
    await audit(
        tx,
        guild_id,
        story_id,
        user_id,
        AuditAction.UPLOAD,
        f"“{draft.title}”, {len(draft.chapters)} chapters",
        now,
    )
    await queue_notices(
        tx, guild_id, story_id, draft.author, (1, len(draft.chapters)), new_story=True, now=now
    )
    return story_id


async def add_chapters(
    tx: Transaction,
    story: Row,
    chapters: tuple[ChapterDraft, ...],
    layout: list[ChapterLayout],
    *,
    content_hash: str,
    user_id: int,
    now: str,
) -> tuple[int, int]:
    """Add chapters after the last one of `story` (a row of `_APPENDED`), with their audit
    entry and notifications, inside the caller's transaction; the first and last new numbers.

    Raises DuplicateUpload if the same file was put in the guild's library before.
    """
    story_id, guild_id = story["id"], story["guild_id"]
    await check_new_upload(tx, guild_id, content_hash)
    await _record_upload(tx, guild_id, content_hash, story_id)
    first = story["chapter_count"] + 1
    await insert_chapters(
        tx, story_id, chapters, layout, first_number=first, pages_before=story["page_count"]
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
    await audit(
        tx, guild_id, story_id, user_id, AuditAction.APPEND, f"chapters {first}–{last}", now
    )
    await queue_notices(
        tx, guild_id, story_id, story["author"], (first, last), new_story=False, now=now
    )
    return first, last


APPENDED = "id, guild_id, author, author_id, chapter_count, page_count"
"""The columns of a story that `add_chapters` needs."""


async def changeable(tx: Transaction, story_id: int, changer: Changer) -> Row | None:
    """The story (its `APPENDED` columns), if the changer may change it and it is not
    removed."""
    return await tx.fetch_one(
        f"""
        SELECT {APPENDED} FROM story
        WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
        """,
        {"id": story_id, **changer.params},
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
        async with self._db.transaction() as tx:
            return await add_story(
                tx,
                guild_id,
                draft,
                layout,
                content_hash=content_hash,
                user_id=user_id,
                now=self.now(),
            )

    async def append_chapters(
        self,
        story_id: int,
        changer: Changer,
        chapters: tuple[ChapterDraft, ...],
        *,
        content_hash: str,
        page_size: int,
    ) -> tuple[int, int]:
        """Add chapters after the last one of a story the changer may change; the first and
        last new numbers.

        Raises DuplicateUpload if the same file was uploaded to the guild before, StoryHidden
        if the story is no longer theirs to change (removed since the preview, say).
        """
        layout = await asyncio.to_thread(lay_out, chapters, page_size)
        async with self._db.transaction() as tx:
            story = await changeable(tx, story_id, changer)
            if story is None:
                raise StoryHidden(Hidden.GONE)
            return await add_chapters(
                tx,
                story,
                chapters,
                layout,
                content_hash=content_hash,
                user_id=changer.user_id,
                now=self.now(),
            )

    async def edit_story(self, story_id: int, changer: Changer, details: StoryDraft) -> None:
        """Change the details (not the text) of a story the changer may change to those of
        `details`: title, author, summary, rating, status, warnings, fandoms, relationships,
        characters and tags. StoryHidden if it is not theirs to change any more."""
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
                    **changer.params,
                },
            )
            if changed == 0:
                raise StoryHidden(Hidden.GONE)
            await tx.execute("DELETE FROM story_tag WHERE story_id = :id", {"id": story_id})
            await insert_tags(tx, story_id, details)
            await audit(
                tx,
                changer.guild_id,
                story_id,
                changer.user_id,
                AuditAction.EDIT,
                f"title “{details.title}”, author {details.author}, rating "
                f"{details.rating.value}, {details.status.value}",
                now,
            )

    async def remove_story(self, story_id: int, changer: Changer) -> bool:
        """Hide a story the changer may change everywhere (it can be restored) and drop its
        pending notices; False if it is not theirs to change, or was removed already."""
        now = self.now()
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"""
                UPDATE story SET removed_at = :now
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"now": now, "id": story_id, **changer.params},
            )
            if changed == 0:
                return False
            await drop_notices(tx, story_id, now)
            await audit(
                tx, changer.guild_id, story_id, changer.user_id, AuditAction.REMOVE, "", now
            )
        return True

    async def restore_story(self, story_id: int, changer: Changer, *, within: timedelta) -> bool:
        """Undo a removal, made less than `within` ago, of a story the changer may change;
        whether it was restored."""
        now = self.clock()
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                f"SELECT removed_at FROM story WHERE id = :id AND {CHANGEABLE}",
                {"id": story_id, **changer.params},
            )
            if not row or not row[0] or now - datetime.fromisoformat(row[0]) > within:
                return False
            await tx.execute("UPDATE story SET removed_at = NULL WHERE id = ?", (story_id,))
            await audit(
                tx,
                changer.guild_id,
                story_id,
                changer.user_id,
                AuditAction.RESTORE,
                "",
                self.now(),
            )
        return True

    async def move_chapter(self, story_id: int, changer: Changer, chapter: int, to: int) -> None:
        """Move chapter `chapter` of a story the changer may change to position `to`,
        renumbering the ones between; readers' saved places follow their chapters. StoryHidden
        if the story is not theirs to change any more, or has no such chapters."""
        step = 1 if chapter > to else -1
        low, high = min(chapter, to), max(chapter, to)
        async with self._db.transaction() as tx:
            found = await changeable(tx, story_id, changer)
            if found is None:
                raise StoryHidden(Hidden.GONE)
            if high > found["chapter_count"]:
                raise StoryHidden(Hidden.CHAPTER_GONE)
            for table, column in (
                ("chapter", "number"),
                ("reading_progress", "chapter_number"),
                ("reading_progress", "furthest_chapter"),  # the drop-off follows its chapters
            ):
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
            await audit(
                tx,
                changer.guild_id,
                story_id,
                changer.user_id,
                AuditAction.MOVE_CHAPTER,
                f"chapter {chapter} to {to}",
                self.now(),
            )

    async def history(self, story_id: int, changer: Changer, limit: int = 20) -> list[AuditEntry]:
        """The latest changes to a story the changer may change, newest first."""
        rows = await self._db.fetch_all(
            f"""
            SELECT audit.user_id, audit.action, audit.detail, audit.at
            FROM audit JOIN story ON story.id = audit.story_id
            WHERE audit.story_id = :id AND audit.guild_id = :changer_guild AND {CHANGEABLE}
            ORDER BY audit.id DESC
            LIMIT :limit
            """,
            {"id": story_id, "limit": limit, **changer.params},
        )
        return [AuditEntry(**{**dict(row), "action": AuditAction(row["action"])}) for row in rows]

    async def changeable_story(
        self, changer: Changer, value: str, *, removed: bool = False
    ) -> Story | None:
        """A story the changer may change (never a bundled one), by id or exact title, with
        its warnings and tags; `removed` looks among removed stories instead."""
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
            query, {"removed": removed, "id": story_id, "title": typed, **changer.params}
        )
        return await self.with_tags(row) if row else None
