"""Queries for moderators' changes to a guild's library, its audit trail, subscriptions and the
notification outbox.

An upload and the notifications it causes are written in one transaction, so a notification is
never lost (nor sent for an upload that did not happen).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import aiosqlite

from bot.access import CHANGEABLE, VISIBLE, Hidden, StoryHidden, Viewer
from bot.library.layout import lay_out
from bot.library.model import ChapterDraft, Rating, StoryDraft
from bot.store.library import STORY_COLUMNS, LibraryQueries, Story, insert_chapters, write_story


class DuplicateUpload(Exception):
    """The same file was uploaded to this guild before; the message is the story's title."""


@dataclass(frozen=True)
class AuditEntry:
    user_id: int
    action: str
    detail: str
    at: str


@dataclass(frozen=True)
class Subscription:
    kind: str  # story, author, all
    target: str
    story_title: str | None


@dataclass(frozen=True)
class Notice:
    """One pending notification: a new story, or new chapters of a story."""

    id: int
    guild_id: int
    story_id: int
    story_title: str
    author: str
    first_chapter: int
    last_chapter: int
    new_story: bool
    attempts: int


_NOTICE_FIELDS = tuple(field.name for field in fields(Notice))


@dataclass(frozen=True)
class Subscriber:
    """How a reader is told about what they follow."""

    by_mention: bool
    """In the announcements channel rather than by DM."""
    dm_channel_id: int | None
    """Their DM channel with the bot, once opened."""


@dataclass(frozen=True)
class Delivery:
    """Everything pending for one recipient, to be sent as one message."""

    recipient_kind: str  # user, channel
    recipient_id: int
    notices: list[Notice]


async def _audit(
    tx: aiosqlite.Connection,
    guild_id: int,
    story_id: int,
    user_id: int,
    action: str,
    detail: str,
    at: str,
) -> None:
    await tx.execute(
        "INSERT INTO audit (guild_id, story_id, user_id, action, detail, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, story_id, user_id, action, detail, at),
    )


async def _check_new_upload(tx: aiosqlite.Connection, guild_id: int, content_hash: str) -> None:
    """Refuse a file this guild uploaded before (unless that story was removed since)."""
    cursor = await tx.execute(
        "SELECT story.title FROM upload JOIN story ON story.id = upload.story_id "
        "WHERE upload.guild_id = ? AND upload.content_hash = ? AND story.removed_at IS NULL",
        (guild_id, content_hash),
    )
    row = await cursor.fetchone()
    if row:
        raise DuplicateUpload(row[0])


async def _record_upload(
    tx: aiosqlite.Connection, guild_id: int, content_hash: str, story_id: int
) -> None:
    await tx.execute(
        "INSERT OR REPLACE INTO upload (guild_id, content_hash, story_id) VALUES (?, ?, ?)",
        (guild_id, content_hash, story_id),
    )


async def _notify(
    tx: aiosqlite.Connection,
    guild_id: int,
    story_id: int,
    author: str,
    chapters: tuple[int, int],
    *,
    new_story: bool,
    now: str,
) -> None:
    """Queue one notice per subscriber of the story, its author or everything here, and one for
    the announcements channel, in the caller's transaction."""
    values = (guild_id, story_id, *chapters, int(new_story), now)
    await tx.execute(
        "INSERT INTO outbox (guild_id, recipient_kind, recipient_id, story_id, first_chapter, "
        "last_chapter, new_story, created_at) "
        "SELECT DISTINCT ?1, 'user', user_id, ?2, ?3, ?4, ?5, ?6 FROM subscription "
        "WHERE guild_id = ?1 AND ((kind = 'story' AND target = CAST(?2 AS TEXT)) "
        "OR (kind = 'author' AND target = ?7) OR kind = 'all')",
        (*values, author.strip().lower()),
    )
    await tx.execute(
        "INSERT INTO outbox (guild_id, recipient_kind, recipient_id, story_id, first_chapter, "
        "last_chapter, new_story, created_at) "
        "SELECT ?1, 'channel', announce_channel_id, ?2, ?3, ?4, ?5, ?6 FROM guild_settings "
        "WHERE guild_id = ?1 AND announce_channel_id IS NOT NULL",
        values,
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
        async with self.transaction() as tx:
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
                "upload",
                f"“{draft.title}”, {len(draft.chapters)} chapters",
                now,
            )
            await _notify(
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
        async with self.transaction() as tx:
            cursor = await tx.execute(
                f"""
                SELECT guild_id, author, chapter_count, page_count FROM story
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"id": story_id, "moderated_guild": guild_id},
            )
            story = await cursor.fetchone()
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
                "append",
                f"chapters {first}–{last}",
                now,
            )
            await _notify(
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
        self,
        story_id: int,
        guild_id: int,
        *,
        title: str,
        author: str,
        summary: str,
        rating: Rating,
        warnings: tuple[str, ...],
        user_id: int,
    ) -> None:
        """Change the metadata (not the text) of a story of `guild_id`; StoryHidden if it is
        not one of the guild's any more."""
        now = self.now()
        async with self.transaction() as tx:
            cursor = await tx.execute(
                f"""
                UPDATE story
                SET title = :title, author = :author, summary = :summary, rating = :rating,
                    updated_at = :now
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {
                    "title": title,
                    "author": author,
                    "summary": summary,
                    "rating": rating.value,
                    "now": now,
                    "id": story_id,
                    "moderated_guild": guild_id,
                },
            )
            if cursor.rowcount == 0:
                raise StoryHidden(Hidden.GONE)
            await tx.execute(
                "DELETE FROM story_tag WHERE story_id = ? AND kind = 'warning'", (story_id,)
            )
            await tx.executemany(
                "INSERT OR IGNORE INTO story_tag (story_id, kind, name, position) "
                "VALUES (?, 'warning', ?, ?)",
                [(story_id, name, position) for position, name in enumerate(warnings)],
            )
            await _audit(
                tx,
                guild_id,
                story_id,
                user_id,
                "edit",
                f"title “{title}”, author {author}, rating {rating.value}",
                now,
            )

    async def remove_story(self, story_id: int, guild_id: int, *, user_id: int) -> bool:
        """Hide a story of `guild_id` everywhere (it can be restored) and drop its pending
        notices; False if it is not one of the guild's, or was removed already."""
        now = self.now()
        async with self.transaction() as tx:
            cursor = await tx.execute(
                f"""
                UPDATE story SET removed_at = :now
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"now": now, "id": story_id, "moderated_guild": guild_id},
            )
            if cursor.rowcount == 0:
                return False
            await tx.execute(
                "UPDATE outbox SET status = 'dropped', reason = 'story removed', done_at = ? "
                "WHERE story_id = ? AND status = 'pending'",
                (now, story_id),
            )
            await _audit(tx, guild_id, story_id, user_id, "remove", "", now)
        return True

    async def restore_story(
        self, story_id: int, guild_id: int, *, user_id: int, within: timedelta
    ) -> bool:
        """Undo a removal of a story of `guild_id` made less than `within` ago; whether it was
        restored."""
        now = self.clock()
        async with self.transaction() as tx:
            cursor = await tx.execute(
                f"SELECT removed_at FROM story WHERE id = :id AND {CHANGEABLE}",
                {"id": story_id, "moderated_guild": guild_id},
            )
            row = await cursor.fetchone()
            if not row or not row[0] or now - datetime.fromisoformat(row[0]) > within:
                return False
            await tx.execute("UPDATE story SET removed_at = NULL WHERE id = ?", (story_id,))
            await _audit(tx, guild_id, story_id, user_id, "restore", "", self.now())
        return True

    async def move_chapter(
        self, story_id: int, guild_id: int, chapter: int, to: int, *, user_id: int
    ) -> None:
        """Move chapter `chapter` of a story of `guild_id` to position `to`, renumbering the
        ones between; readers' saved places follow their chapters. StoryHidden if the story is
        not one of the guild's any more, or has no such chapters."""
        step = 1 if chapter > to else -1
        low, high = min(chapter, to), max(chapter, to)
        async with self.transaction() as tx:
            cursor = await tx.execute(
                f"""
                SELECT chapter_count FROM story
                WHERE id = :id AND {CHANGEABLE} AND removed_at IS NULL
                """,
                {"id": story_id, "moderated_guild": guild_id},
            )
            found = await cursor.fetchone()
            if found is None:
                raise StoryHidden(Hidden.GONE)
            if high > found[0]:
                raise StoryHidden(Hidden.CHAPTER_GONE)
            for table, column in (("chapter", "number"), ("reading_progress", "chapter_number")):
                # through negative numbers, so UNIQUE (story_id, number) holds at every step
                await tx.execute(
                    f"UPDATE {table} SET {column} = -(CASE WHEN {column} = ?1 THEN ?2 "
                    f"ELSE {column} + ?3 END) WHERE story_id = ?4 AND {column} BETWEEN ?5 AND ?6",
                    (chapter, to, step, story_id, low, high),
                )
                await tx.execute(
                    f"UPDATE {table} SET {column} = -{column} WHERE story_id = ? AND {column} < 0",
                    (story_id,),
                )
            await tx.execute(
                "UPDATE chapter SET pages_before = (SELECT ifnull(sum(earlier.page_count), 0) "
                "FROM chapter AS earlier WHERE earlier.story_id = chapter.story_id "
                "AND earlier.number < chapter.number) WHERE story_id = ?",
                (story_id,),
            )
            await _audit(
                tx,
                guild_id,
                story_id,
                user_id,
                "move-chapter",
                f"chapter {chapter} to {to}",
                self.now(),
            )

    async def history(self, story_id: int, guild_id: int, limit: int = 20) -> list[AuditEntry]:
        """The latest changes to a story of `guild_id`, newest first."""
        rows = await self.fetch_all(
            """
            SELECT user_id, action, detail, at FROM audit
            WHERE story_id = :id AND guild_id = :guild
            ORDER BY id DESC
            LIMIT :limit
            """,
            {"id": story_id, "guild": guild_id, "limit": limit},
        )
        return [AuditEntry(**dict(row)) for row in rows]

    async def changeable_story(
        self, guild_id: int, value: str, *, removed: bool = False
    ) -> Story | None:
        """A story a moderator of `guild_id` may change (never a bundled one), by id or exact
        title, with its warnings and tags; `removed` looks among removed stories instead."""
        typed = value.replace("\x00", "").strip()
        query = f"""
            SELECT {STORY_COLUMNS} FROM story
            WHERE {CHANGEABLE} AND (removed_at IS NOT NULL) = :removed
            AND (id = :id OR title = :title COLLATE NOCASE)
            ORDER BY id = :id DESC, id
            LIMIT 1
        """
        story_id = int(typed) if typed.isdigit() and len(typed) < 19 else None
        row = await self.fetch_one(
            query, {"moderated_guild": guild_id, "removed": removed, "id": story_id, "title": typed}
        )
        return await self.with_tags(row) if row else None

    # ------------------------------------------------------------------------- subscriptions

    async def subscribe(self, user_id: int, guild_id: int, kind: str, target: str) -> bool:
        """Follow a story, an author or everything; False if already following."""
        async with self.transaction() as tx:
            cursor = await tx.execute(
                "INSERT OR IGNORE INTO subscription (user_id, guild_id, kind, target, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (user_id, guild_id, kind, target, self.now()),
            )
            return cursor.rowcount > 0

    async def unsubscribe(self, user_id: int, guild_id: int, kind: str, target: str) -> bool:
        async with self.transaction() as tx:
            cursor = await tx.execute(
                "DELETE FROM subscription WHERE user_id = ? AND guild_id = ? AND kind = ? "
                "AND target = ?",
                (user_id, guild_id, kind, target),
            )
            return cursor.rowcount > 0

    async def subscriptions(self, viewer: Viewer) -> list[Subscription]:
        """What the viewer follows in their server; a followed story's title only if they may
        see it where they ask."""
        query = f"""
            SELECT kind, target, (
                SELECT title FROM story
                WHERE kind = 'story' AND CAST(story.id AS TEXT) = target AND {VISIBLE}
            ) AS story_title
            FROM subscription
            WHERE user_id = :user AND guild_id = :viewer_guild
            ORDER BY kind, target
        """
        rows = await self.fetch_all(query, {**viewer.params, "user": viewer.user_id})
        return [Subscription(**dict(row)) for row in rows]

    async def set_dm_channel(self, user_id: int, channel_id: int) -> None:
        await self.write(
            "INSERT INTO subscriber (user_id, dm_channel_id) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET dm_channel_id = excluded.dm_channel_id",
            (user_id, channel_id),
        )

    async def subscriber(self, user_id: int) -> Subscriber:
        row = await self.fetch_one(
            "SELECT by_mention, dm_channel_id FROM subscriber WHERE user_id = ?", (user_id,)
        )
        return Subscriber(bool(row[0]), row[1]) if row else Subscriber(False, None)

    async def set_by_mention(self, user_id: int, by_mention: bool) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO subscriber (user_id, by_mention) VALUES (?, ?) ON CONFLICT (user_id) "
                "DO UPDATE SET by_mention = excluded.by_mention",
                (user_id, int(by_mention)),
            )

    async def readers_to_tell_dm_closed(self) -> set[int]:
        """Readers a DM failed to reach who have not been told yet."""
        rows = await self.fetch_all("SELECT user_id FROM subscriber WHERE dm_closed_news = 1")
        return {row[0] for row in rows}

    async def take_dm_closed_news(self, user_id: int) -> bool:
        """Whether the user must still hear that a DM to them failed (and now they have)."""
        changed = await self.write(
            "UPDATE subscriber SET dm_closed_news = 0 WHERE user_id = ? AND dm_closed_news = 1",
            (user_id,),
        )
        return changed > 0

    async def set_announcements(
        self, guild_id: int, channel_id: int | None, role_id: int | None
    ) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, announce_channel_id, announce_role_id) "
                "VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
                "announce_channel_id = excluded.announce_channel_id, "
                "announce_role_id = excluded.announce_role_id",
                (guild_id, channel_id, role_id),
            )

    # ------------------------------------------------------------------------- outbox

    async def pending_deliveries(self, limit: int = 100) -> list[Delivery]:
        """Pending notices grouped by recipient, oldest recipients first."""
        rows = await self.fetch_all(
            "WITH recipient AS (SELECT recipient_kind, recipient_id, min(id) AS first "
            "FROM outbox WHERE status = 'pending' GROUP BY recipient_kind, recipient_id "
            "ORDER BY first LIMIT ?) "
            "SELECT outbox.id, outbox.guild_id, outbox.story_id, story.title AS story_title, "
            "story.author, outbox.first_chapter, outbox.last_chapter, outbox.new_story, "
            "outbox.attempts, outbox.recipient_kind, outbox.recipient_id "
            "FROM recipient JOIN outbox ON outbox.recipient_kind = recipient.recipient_kind "
            "AND outbox.recipient_id = recipient.recipient_id AND outbox.status = 'pending' "
            "JOIN story ON story.id = outbox.story_id ORDER BY recipient.first, outbox.id",
            (limit,),
        )
        deliveries: dict[tuple[str, int], Delivery] = {}
        for row in rows:
            key = (row["recipient_kind"], row["recipient_id"])
            delivery = deliveries.setdefault(key, Delivery(*key, []))
            values = {name: row[name] for name in _NOTICE_FIELDS}
            delivery.notices.append(Notice(**{**values, "new_story": bool(row["new_story"])}))
        return list(deliveries.values())

    async def visible_notices(self, viewer: Viewer, notice_ids: list[int]) -> set[int]:
        """The notices among `notice_ids` whose story the viewer may see."""
        query = f"""
            SELECT outbox.id FROM outbox JOIN story ON story.id = outbox.story_id
            WHERE outbox.id IN (SELECT value FROM json_each(:ids)) AND {VISIBLE}
        """
        rows = await self.fetch_all(query, {**viewer.params, "ids": json.dumps(notice_ids)})
        return {row[0] for row in rows}

    async def delivered(self, notice_ids: list[int]) -> None:
        await self._finish(notice_ids, "sent", None)

    async def undeliverable(
        self, notice_ids: list[int], reason: str, *, dm_closed_user: int | None = None
    ) -> None:
        """Give up on notices, keeping why; a closed DM is remembered to tell the user once."""
        await self._finish(notice_ids, "failed", reason, dm_closed_user)

    async def delivery_failed(self, notice_ids: list[int], reason: str, max_attempts: int) -> None:
        """Count a passing failure; notices that failed `max_attempts` times are given up."""
        marks = ",".join("?" * len(notice_ids))
        async with self.transaction() as tx:
            await tx.execute(
                f"UPDATE outbox SET attempts = attempts + 1, reason = ? WHERE id IN ({marks})",
                (reason, *notice_ids),
            )
            await tx.execute(
                f"UPDATE outbox SET status = 'failed', done_at = ? WHERE id IN ({marks}) "
                "AND attempts >= ?",
                (self.now(), *notice_ids, max_attempts),
            )

    async def _finish(
        self,
        notice_ids: list[int],
        status: str,
        reason: str | None,
        dm_closed_user: int | None = None,
    ) -> None:
        marks = ",".join("?" * len(notice_ids))
        async with self.transaction() as tx:
            await tx.execute(
                f"UPDATE outbox SET status = ?, reason = ?, done_at = ? WHERE id IN ({marks}) "
                "AND status = 'pending'",
                (status, reason, self.now(), *notice_ids),
            )
            if dm_closed_user is not None:
                await tx.execute(
                    "INSERT INTO subscriber (user_id, dm_closed_news) VALUES (?, 1) "
                    "ON CONFLICT (user_id) DO UPDATE SET dm_closed_news = 1",
                    (dm_closed_user,),
                )

    async def outbox_counts(self) -> dict[str, int]:
        """How many notices are in each state (for tests and the benchmark)."""
        rows = await self.fetch_all("SELECT status, count(*) FROM outbox GROUP BY status")
        return {row[0]: row[1] for row in rows}
