"""Queries for readers together: kudos, each reader's shelf (bookmarks and stories for later),
chapters' discussion threads, and the digest their authors get.

Each lookup is one indexed query: a story's kudos are a count kept on the story, a shelf is
read by its reader's index, a discussion by its chapter or its thread.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from bot.access import (
    IN_REACH,
    RATING_ALLOWED,
    VISIBLE,
    Hidden,
    StoryHidden,
    Viewer,
    check_visible,
)
from bot.shards import EVERY_SHARD, HELD, Shards, held
from bot.store.database import Row
from bot.store.library import LibraryQueries
from bot.store.stats import COUNT_DISCUSSION_MESSAGE, COUNTED_IN

NOTE_LENGTH = 500
"""The most a bookmark's note may hold."""


class Shelved(enum.StrEnum):
    BOOKMARK = "bookmark"
    LATER = "later"


class Kept(NamedTuple):
    """A story's title, and whether what the reader gave it (kudos, a place on their shelf) is
    new."""

    title: str
    new: bool


@dataclass(frozen=True)
class ShelfEntry:
    story_id: int
    title: str
    author: str
    kind: Shelved
    note: str
    public: bool
    chapter_number: int | None
    """Where the reader is in the story (None: not started)."""
    page_number: int | None
    pages_read: int
    story_pages: int


@dataclass(frozen=True)
class Chapter:
    """A chapter of a story the viewer may see, as a discussion knows it."""

    id: int
    story_id: int
    story_title: str
    number: int
    title: str
    rating: str


_CHAPTER_FIELDS = ("id", "story_id", "story_title", "number", "title", "rating")


@dataclass(frozen=True)
class Digest:
    """What an author of a server has to hear since their last digest."""

    guild_id: int
    author_id: int
    lines: tuple[tuple[str, int, int], ...]
    """(story title, new kudos, new messages in its discussions) for each story with news."""


class TogetherQueries(LibraryQueries):
    async def give_kudos(self, viewer: Viewer, story_id: int) -> Kept:
        """Give the viewer's kudos to a story they may see (StoryHidden if not); not new if
        they gave it before. The story's count moves in the same transaction."""
        title = await self.story_title(viewer, story_id)
        async with self._db.transaction() as tx:
            given = await tx.execute(
                f"""
                INSERT INTO kudos (story_id, user_id, given_at, guild_id)
                SELECT id, :user, :now, {COUNTED_IN} FROM story WHERE id = :story
                ON CONFLICT (story_id, user_id) DO NOTHING
                """,
                {
                    "story": story_id,
                    "user": viewer.user_id,
                    "now": self.now(),
                    "guild": viewer.guild_id,
                },
            )
            if given:
                await tx.execute(
                    "UPDATE story SET kudos_count = kudos_count + 1 WHERE id = ?", (story_id,)
                )
        return Kept(title, bool(given))

    async def story_title(self, viewer: Viewer, story_id: int) -> str:
        """The title of a story the viewer may see; StoryHidden if they may not."""
        row = await self._db.fetch_one(
            f"SELECT title, rating, {RATING_ALLOWED} AS rating_allowed FROM story "
            f"WHERE id = :id AND {IN_REACH}",
            {**viewer.params, "id": story_id},
        )
        check_visible(viewer, row)
        assert row is not None
        return str(row["title"])

    async def shelve(
        self,
        viewer: Viewer,
        story_id: int,
        kind: Shelved,
        *,
        note: str = "",
        public: bool = False,
    ) -> Kept:
        """Put a story the viewer may see on their shelf (StoryHidden if not), or change its
        note and who sees it; whether it was new there."""
        title = await self.story_title(viewer, story_id)
        async with self._db.transaction() as tx:
            before = await tx.fetch_one(
                "SELECT 1 FROM shelf WHERE user_id = ? AND kind = ? AND story_id = ?",
                (viewer.user_id, kind.value, story_id),
            )
            await tx.execute(
                """
                INSERT INTO shelf (user_id, story_id, kind, note, public, guild_id, created_at)
                VALUES (:user, :story, :kind, :note, :public, :guild, :now)
                ON CONFLICT (user_id, kind, story_id) DO UPDATE SET
                    note = excluded.note, public = excluded.public, guild_id = excluded.guild_id
                """,
                {
                    "user": viewer.user_id,
                    "story": story_id,
                    "kind": kind.value,
                    "note": note[:NOTE_LENGTH],
                    "public": int(public),
                    "guild": viewer.guild_id,
                    "now": self.now(),
                },
            )
        return Kept(title, before is None)

    async def unshelve(self, user_id: int, story_id: int, kind: Shelved) -> bool:
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute(
                    "DELETE FROM shelf WHERE user_id = ? AND kind = ? AND story_id = ?",
                    (user_id, kind.value, story_id),
                )
            )

    async def shelf(self, viewer: Viewer, limit: int = 25) -> tuple[list[ShelfEntry], int]:
        """The viewer's shelf, newest first, with how far they read each story: the entries
        they may see where they are, and how many others there are."""
        rows = await self._db.fetch_all(
            f"""
            SELECT story.id AS story_id, story.title, story.author, shelf.kind, shelf.note,
                shelf.public, story.page_count AS story_pages,
                reading_progress.chapter_number, reading_progress.page_number,
                ifnull((SELECT chapter.pages_before FROM chapter
                        WHERE chapter.story_id = story.id
                        AND chapter.number = reading_progress.chapter_number), 0)
                    + ifnull(reading_progress.page_number, 0) AS pages_read,
                {VISIBLE} AS shown
            FROM shelf
            JOIN story ON story.id = shelf.story_id
            LEFT JOIN reading_progress
                ON reading_progress.user_id = shelf.user_id
                AND reading_progress.story_id = shelf.story_id
            WHERE shelf.user_id = :user
            ORDER BY shelf.created_at DESC, story.id DESC
            """,
            {**viewer.params, "user": viewer.user_id},
        )
        shown = [_shelf_entry(row) for row in rows if row["shown"]]
        return shown[:limit], len(rows) - len(shown[:limit])

    async def public_bookmarks(
        self, viewer: Viewer, story_id: int, limit: int = 3
    ) -> list[tuple[int, str]]:
        """(reader, note) of the latest public bookmarks of a story made in the viewer's
        server, notes first."""
        if viewer.guild_id is None:
            return []
        rows = await self._db.fetch_all(
            """
            SELECT user_id, note FROM shelf
            WHERE story_id = :story AND guild_id = :guild AND public = 1
            ORDER BY note = '', created_at DESC
            LIMIT :limit
            """,
            {"story": story_id, "guild": viewer.guild_id, "limit": limit},
        )
        return [(row["user_id"], row["note"]) for row in rows]

    # Discussions

    async def chapter(self, viewer: Viewer, story_id: int, number: int) -> Chapter:
        """Chapter `number` of a story the viewer may see (StoryHidden if not)."""
        row = await self._db.fetch_one(
            f"""
            SELECT chapter.id, story.id AS story_id, story.title AS story_title, chapter.number,
                chapter.title AS title, story.rating, {RATING_ALLOWED} AS rating_allowed
            FROM story LEFT JOIN chapter ON chapter.story_id = story.id AND chapter.number = :number
            WHERE story.id = :story AND {IN_REACH}
            """,
            {**viewer.params, "story": story_id, "number": number},
        )
        check_visible(viewer, row)
        assert row is not None
        if row["id"] is None:
            raise StoryHidden(Hidden.CHAPTER_GONE)
        return Chapter(
            row["id"],
            row["story_id"],
            row["story_title"],
            row["number"],
            row["title"],
            row["rating"],
        )

    async def discussion_thread(self, guild_id: int, chapter_id: int) -> int | None:
        row = await self._db.fetch_one(
            "SELECT thread_id FROM discussion WHERE guild_id = ? AND chapter_id = ?",
            (guild_id, chapter_id),
        )
        return int(row[0]) if row else None

    async def set_discussion_thread(self, guild_id: int, chapter: Chapter, thread_id: int) -> None:
        """The chapter's discussion here is now `thread_id` (made anew, or after the last one
        was deleted)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO discussion (guild_id, chapter_id, story_id, thread_id, created_at)
                VALUES (:guild, :chapter, :story, :thread, :now)
                ON CONFLICT (guild_id, chapter_id) DO UPDATE SET
                    thread_id = excluded.thread_id, new_messages = 0
                """,
                {
                    "guild": guild_id,
                    "chapter": chapter.id,
                    "story": chapter.story_id,
                    "thread": thread_id,
                    "now": self.now(),
                },
            )

    async def story_threads(self, guild_id: int, story_id: int) -> list[int]:
        """The discussion threads of a story's chapters in a server."""
        rows = await self._db.fetch_all(
            "SELECT thread_id FROM discussion WHERE story_id = ? AND guild_id = ?",
            (story_id, guild_id),
        )
        return [int(row[0]) for row in rows]

    async def discussion_threads(self, shards: Shards = EVERY_SHARD) -> set[int]:
        """Every discussion thread of the servers on `shards`."""
        rows = await self._db.fetch_all(
            f"SELECT thread_id FROM discussion WHERE {HELD}", shards.params
        )
        return {int(row[0]) for row in rows}

    async def count_discussion_message(self, thread_id: int) -> None:
        """One more message in a discussion, for its author's next digest and its server's
        reading figures."""
        await self._db.write_in_batch(
            (
                "UPDATE discussion SET new_messages = new_messages + 1 WHERE thread_id = :thread",
                COUNT_DISCUSSION_MESSAGE,
            ),
            {"thread": thread_id, "day": self.now()[:10]},
        )

    # Authors' digests

    async def due_digests(self, before: str, shards: Shards = EVERY_SHARD) -> list[Digest]:
        """The digests owed to authors who are members, in the servers on `shards`, not sent
        since `before`: each story of theirs with kudos or discussion since their last one."""
        rows = await self._db.fetch_all(
            f"""
            SELECT story.guild_id, story.author_id, story.title,
                (SELECT count(*) FROM kudos WHERE kudos.story_id = story.id
                    AND kudos.given_at > ifnull(author_digest.sent_at, '')) AS kudos,
                (SELECT ifnull(sum(new_messages), 0) FROM discussion
                    WHERE discussion.story_id = story.id
                    AND discussion.guild_id = story.guild_id) AS messages
            FROM story
            LEFT JOIN author_digest
                ON author_digest.guild_id = story.guild_id
                AND author_digest.author_id = story.author_id
            WHERE story.author_id IS NOT NULL AND story.removed_at IS NULL
            AND ifnull(author_digest.sent_at, '') < :before
            AND {held("story.guild_id")}
            ORDER BY story.guild_id, story.author_id, story.title, story.id
            """,
            {"before": before, **shards.params},
        )
        digests: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
        for row in rows:
            if row["kudos"] or row["messages"]:
                key = (row["guild_id"], row["author_id"])
                digests.setdefault(key, []).append((row["title"], row["kudos"], row["messages"]))
        return [Digest(guild, author, tuple(lines)) for (guild, author), lines in digests.items()]

    async def digest_sent(self, digest: Digest) -> None:
        """The author has heard their news: their kudos and messages count from now."""
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO author_digest (guild_id, author_id, sent_at)
                VALUES (:guild, :author, :now)
                ON CONFLICT (guild_id, author_id) DO UPDATE SET sent_at = excluded.sent_at
                """,
                {"guild": digest.guild_id, "author": digest.author_id, "now": self.now()},
            )
            await tx.execute(
                """
                UPDATE discussion SET new_messages = 0
                WHERE guild_id = :guild AND story_id IN (
                    SELECT id FROM story WHERE guild_id = :guild AND author_id = :author)
                """,
                {"guild": digest.guild_id, "author": digest.author_id},
            )


def _shelf_entry(row: Row) -> ShelfEntry:
    return ShelfEntry(
        story_id=row["story_id"],
        title=row["title"],
        author=row["author"],
        kind=Shelved(row["kind"]),
        note=row["note"],
        public=bool(row["public"]),
        chapter_number=row["chapter_number"],
        page_number=row["page_number"],
        pages_read=row["pages_read"],
        story_pages=row["story_pages"],
    )
