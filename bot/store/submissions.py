"""Queries for members' own stories: who may submit, the queue moderators review, and each
decision, taken once.

A submission keeps its story as parsed, apart from the library, until a moderator approves it:
nothing of it is in a story, a search or a daily post before. Approving writes the story (or
its new chapters), its audit entries and its notices in one transaction with the decision, so
two moderators approving at once publish it once, and the second is told who was first.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from bot.access import Changer, Hidden, StoryHidden
from bot.library.layout import lay_out
from bot.library.model import Rating, StoryDraft, draft_from_json, draft_json
from bot.library.render import chapter_span
from bot.store.database import Queries, Row, Transaction
from bot.store.library import STORY_COLUMNS, Story, story_from_row
from bot.store.uploads import (
    AuditAction,
    DuplicateUpload,
    add_chapters,
    add_story,
    audit,
    changeable,
    check_new_upload,
)


class SubmissionState(enum.StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_ASKED = "changes asked"


@dataclass(frozen=True)
class Submission:
    id: int
    guild_id: int
    author_id: int
    author_name: str
    story_id: int | None
    """The story it adds chapters to; for a new story, the story it became once approved."""
    new_story: bool
    title: str
    rating: Rating
    chapter_count: int
    word_count: int
    state: SubmissionState
    reason: str
    submitted_at: str
    decided_by: int | None
    decided_at: str | None


class AlreadyDecided(Exception):
    """A moderator decided on the submission first; it carries the submission as it is now."""

    def __init__(self, submission: Submission):
        super().__init__(submission.state, submission.decided_by)
        self.submission = submission


@dataclass(frozen=True)
class Published:
    """What an approval put in the library."""

    story_id: int
    first_chapter: int
    last_chapter: int


_COLUMNS = (
    "id, guild_id, author_id, author_name, story_id, new_story, title, rating, chapter_count, "
    "word_count, state, reason, submitted_at, decided_by, decided_at"
)


_NAMES = tuple(name.strip() for name in _COLUMNS.split(","))


def _submission(row: Row) -> Submission:
    values = {name: row[name] for name in _NAMES}
    values["new_story"] = bool(row["new_story"])
    values["rating"], values["state"] = Rating(row["rating"]), SubmissionState(row["state"])
    return Submission(**values)


def _author(guild_id: int, author_id: int) -> Changer:
    """A member as the author of their own stories here (and not as a moderator)."""
    return Changer(guild_id, author_id, moderator=False)


class SubmissionQueries(Queries):
    async def submit(
        self,
        guild_id: int,
        author_id: int,
        author_name: str,
        draft: StoryDraft,
        *,
        content_hash: str,
        adds_to: int | None = None,
    ) -> Submission:
        """Put a member's story (or, with `adds_to`, new chapters of their own story) in the
        guild's review queue. Raises DuplicateUpload if the same file is in the guild's library
        or waits in its queue, StoryHidden if `adds_to` is not the member's story here."""
        async with self._db.transaction() as tx:
            if adds_to is not None and not await changeable(
                tx, adds_to, _author(guild_id, author_id)
            ):
                raise StoryHidden(Hidden.GONE)
            waiting = await tx.fetch_one(
                "SELECT title FROM submission WHERE guild_id = ? AND content_hash = ? "
                "AND state = 'waiting'",
                (guild_id, content_hash),
            )
            if waiting:
                raise DuplicateUpload(waiting[0])
            await check_new_upload(tx, guild_id, content_hash)
            row = await tx.fetch_one(
                f"""
                INSERT INTO submission (guild_id, author_id, author_name, story_id, new_story,
                    draft, content_hash, title, rating, chapter_count, word_count, submitted_at)
                VALUES (:guild, :author, :name, :story, :new_story, :draft, :hash, :title,
                    :rating, :chapters, :words, :now)
                RETURNING {_COLUMNS}
                """,
                {
                    "guild": guild_id,
                    "author": author_id,
                    "name": author_name,
                    "story": adds_to,
                    "new_story": int(adds_to is None),
                    "draft": draft_json(draft),
                    "hash": content_hash,
                    "title": draft.title,
                    "rating": draft.rating.value,
                    "chapters": len(draft.chapters),
                    "words": draft.word_count,
                    "now": self.now(),
                },
            )
        assert row is not None
        return _submission(row)

    async def submissions_since(self, guild_id: int, author_id: int, since: str) -> int:
        """How many submissions the member made here since `since` (whatever became of them)."""
        count = await self._db.fetch_one(
            "SELECT count(*) FROM submission "
            "WHERE guild_id = ? AND author_id = ? AND submitted_at >= ?",
            (guild_id, author_id, since),
        )
        return int(count[0]) if count else 0

    async def waiting_submissions(self, guild_id: int, limit: int = 25) -> list[Submission]:
        """The guild's review queue, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM submission WHERE guild_id = ? AND state = 'waiting' "
            "ORDER BY id LIMIT ?",
            (guild_id, limit),
        )
        return [_submission(row) for row in rows]

    async def submission(self, guild_id: int, submission_id: int) -> Submission | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM submission WHERE guild_id = ? AND id = ?",
            (guild_id, submission_id),
        )
        return _submission(row) if row else None

    async def submission_draft(self, guild_id: int, submission_id: int) -> StoryDraft | None:
        """The story a submission holds, as its author sent it."""
        row = await self._db.fetch_one(
            "SELECT draft FROM submission WHERE guild_id = ? AND id = ?",
            (guild_id, submission_id),
        )
        return draft_from_json(row[0]) if row else None

    async def authors_submissions(self, guild_id: int, author_id: int) -> list[Submission]:
        """The member's submissions here that are not (yet) in the library, newest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM submission WHERE guild_id = ? AND author_id = ? "
            "AND state != 'approved' ORDER BY id DESC",
            (guild_id, author_id),
        )
        return [_submission(row) for row in rows]

    async def approve_submission(
        self, guild_id: int, submission_id: int, *, moderator_id: int, page_size: int
    ) -> tuple[Submission, Published]:
        """Publish a waiting submission: its story or chapters, their audit entries and
        notices, and the decision, at once. Raises AlreadyDecided if another moderator decided
        first, StoryHidden if the story it adds to is gone, DuplicateUpload if the same file
        reached the library meanwhile."""
        draft = await self.submission_draft(guild_id, submission_id)
        if draft is None:
            raise StoryHidden(Hidden.GONE)
        layout = await asyncio.to_thread(lay_out, draft.chapters, page_size)
        now = self.now()
        async with self._db.transaction() as tx:
            row = await self._decide(
                tx, guild_id, submission_id, SubmissionState.APPROVED, moderator_id, "", now
            )
            submission = _submission(row)
            author = submission.author_id
            if submission.new_story:
                story_id = await add_story(
                    tx,
                    guild_id,
                    draft,
                    layout,
                    content_hash=row["content_hash"],
                    user_id=author,
                    now=now,
                    author_id=author,
                )
                await tx.execute(
                    "UPDATE submission SET story_id = ? WHERE id = ?", (story_id, submission_id)
                )
                first, last = 1, len(draft.chapters)
            else:
                assert submission.story_id is not None
                story = await changeable(tx, submission.story_id, _author(guild_id, author))
                if story is None:
                    raise StoryHidden(Hidden.GONE)
                story_id = submission.story_id
                first, last = await add_chapters(
                    tx,
                    story,
                    draft.chapters,
                    layout,
                    content_hash=row["content_hash"],
                    user_id=author,
                    now=now,
                )
            detail = f"“{submission.title}”, {chapter_span(first, last)}"
            await audit(tx, guild_id, story_id, moderator_id, AuditAction.APPROVE, detail, now)
        return submission, Published(story_id, first, last)

    async def turn_down_submission(
        self,
        guild_id: int,
        submission_id: int,
        *,
        moderator_id: int,
        reason: str,
        changes_asked: bool = False,
    ) -> Submission:
        """Reject a waiting submission with a reason for its author, or ask for changes to it
        (it leaves the queue either way; a changed version comes as a new submission). Raises
        AlreadyDecided if another moderator decided first."""
        state = SubmissionState.CHANGES_ASKED if changes_asked else SubmissionState.REJECTED
        async with self._db.transaction() as tx:
            row = await self._decide(
                tx, guild_id, submission_id, state, moderator_id, reason, self.now()
            )
        return _submission(row)

    async def _decide(
        self,
        tx: Transaction,
        guild_id: int,
        submission_id: int,
        state: SubmissionState,
        moderator_id: int,
        reason: str,
        now: str,
    ) -> Row:
        """Record the decision on a waiting submission, or raise AlreadyDecided."""
        row = await tx.fetch_one(
            f"""
            UPDATE submission
            SET state = :state, reason = :reason, decided_by = :moderator, decided_at = :now
            WHERE guild_id = :guild AND id = :id AND state = 'waiting'
            RETURNING {_COLUMNS}, content_hash
            """,
            {
                "state": state.value,
                "reason": reason,
                "moderator": moderator_id,
                "now": now,
                "guild": guild_id,
                "id": submission_id,
            },
        )
        if row is None:
            current = await tx.fetch_one(
                f"SELECT {_COLUMNS} FROM submission WHERE guild_id = ? AND id = ?",
                (guild_id, submission_id),
            )
            if current is None:
                raise StoryHidden(Hidden.GONE)
            raise AlreadyDecided(_submission(current))
        return row

    async def set_trusted_writer(
        self, guild_id: int, user_id: int, trusted: bool, *, by: int
    ) -> None:
        async with self._db.transaction() as tx:
            if not trusted:
                await tx.execute(
                    "DELETE FROM trusted_writer WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                )
                return
            await tx.execute(
                "INSERT INTO trusted_writer (guild_id, user_id, trusted_by, trusted_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO NOTHING",
                (guild_id, user_id, by, self.now()),
            )

    async def is_trusted_writer(self, guild_id: int, user_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM trusted_writer WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return row is not None

    async def authors_stories(self, guild_id: int, author_id: int) -> list[tuple[Story, int]]:
        """The member's published stories here, by title, each with how many have read it."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {STORY_COLUMNS},
                (SELECT count(*) FROM reading_progress WHERE story_id = story.id) AS readers
            FROM story
            WHERE guild_id = :guild AND author_id = :author AND removed_at IS NULL
            ORDER BY title, id
            """,
            {"guild": guild_id, "author": author_id},
        )
        return [(story_from_row(row), row["readers"]) for row in rows]
