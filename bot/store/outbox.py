"""The outbox: notices of new stories and chapters, queued in the transaction of the upload
that causes them (so none is lost, nor sent for an upload that did not happen), then delivered
and marked with what became of them."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, fields
from datetime import UTC, timedelta

from bot.access import VISIBLE, Viewer
from bot.library.model import Rating
from bot.shards import EVERY_SHARD, HELD, Shards
from bot.store.database import STORY_WARNINGS, Queries, Transaction

NEWS = "outbox"
"""The bot event dispatched when notices were queued, so they go out at once."""


class Recipient(enum.StrEnum):
    READER = "user"
    """A subscriber, told by DM or by a mention in the announcements channel."""
    CHANNEL = "channel"
    """A server's announcements channel."""


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"
    """Its story was removed before it went out."""


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
    rating: Rating
    warnings: str
    """The story's archive warnings, joined with commas ("" for none)."""


_NOTICE_FIELDS = tuple(field.name for field in fields(Notice))


@dataclass(frozen=True)
class Delivery:
    """Everything pending for one recipient, to be sent as one message."""

    recipient_kind: Recipient
    recipient_id: int
    notices: list[Notice]


async def queue_notices(
    tx: Transaction,
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
    values = {
        "guild": guild_id,
        "story": story_id,
        "first": chapters[0],
        "last": chapters[1],
        "new_story": int(new_story),
        "now": now,
        "story_key": str(story_id),
        "author": author.strip().lower(),
        "reader": Recipient.READER.value,
        "channel": Recipient.CHANNEL.value,
    }
    await tx.execute(
        """
        INSERT INTO outbox (guild_id, recipient_kind, recipient_id, story_id, first_chapter,
            last_chapter, new_story, created_at)
        SELECT :guild, :reader, user_id, :story, :first, :last, :new_story, :now
        FROM (
            SELECT DISTINCT user_id FROM subscription
            WHERE guild_id = :guild AND (
                (kind = 'story' AND target = :story_key)
                OR (kind = 'author' AND target = :author)
                OR kind = 'all')
        ) AS subscriber
        """,
        values,
    )
    await tx.execute(
        """
        INSERT INTO outbox (guild_id, recipient_kind, recipient_id, story_id, first_chapter,
            last_chapter, new_story, created_at)
        SELECT :guild, :channel, announce_channel_id, :story, :first, :last, :new_story, :now
        FROM guild_settings
        WHERE guild_id = :guild AND announce_channel_id IS NOT NULL
        """,
        values,
    )


async def drop_notices(tx: Transaction, story_id: int, now: str) -> None:
    """Drop a removed story's pending notices, in the caller's transaction."""
    await tx.execute(
        """
        UPDATE outbox SET status = 'dropped', reason = 'story removed', done_at = :now
        WHERE story_id = :story AND status = 'pending'
        """,
        {"now": now, "story": story_id},
    )


CLAIM_LEASE = timedelta(minutes=10)
"""How long a sender's claim on notices holds: far longer than sending them takes."""
_FREE = "(claimed_at IS NULL OR claimed_at < :stale)"
"""A notice no sender holds."""


class OutboxQueries(Queries):
    async def claim_deliveries(
        self, claim: str, limit: int = 100, *, shards: Shards = EVERY_SHARD
    ) -> list[Delivery]:
        """Take the pending notices of up to `limit` recipients to send, oldest first, as
        `claim` (a name no other sender uses): every notice of each, none another sender holds,
        and a channel's only if its guild's shard is one of `shards`. A claim older than
        CLAIM_LEASE is taken over: its sender stopped without saying how the send went."""
        params = {
            "claim": claim,
            "now": self.now(),
            "stale": (self.clock() - CLAIM_LEASE).astimezone(UTC).isoformat(timespec="seconds"),
            "limit": limit,
            "reader": Recipient.READER.value,
            **shards.params,
        }
        async with self._db.transaction() as tx:
            await tx.execute(
                f"""
                UPDATE outbox SET claimed_by = :claim, claimed_at = :now
                WHERE status = 'pending' AND {_FREE}
                AND (recipient_kind, recipient_id) IN (
                    SELECT recipient_kind, recipient_id FROM outbox
                    WHERE status = 'pending' AND {_FREE}
                    AND (recipient_kind = :reader OR {HELD})
                    GROUP BY recipient_kind, recipient_id
                    ORDER BY min(id)
                    LIMIT :limit)
                """,
                params,
            )
            rows = await tx.fetch_all(
                f"""
                SELECT outbox.id, outbox.guild_id, outbox.story_id, story.title AS story_title,
                    story.author, outbox.first_chapter, outbox.last_chapter, outbox.new_story,
                    outbox.attempts, outbox.recipient_kind, outbox.recipient_id, story.rating,
                    {STORY_WARNINGS} AS warnings,
                    min(outbox.id) OVER (
                        PARTITION BY outbox.recipient_kind, outbox.recipient_id) AS first
                FROM outbox JOIN story ON story.id = outbox.story_id
                WHERE outbox.claimed_by = :claim AND outbox.status = 'pending'
                ORDER BY first, outbox.id
                """,
                params,
            )
        deliveries: dict[tuple[str, int], Delivery] = {}
        for row in rows:
            key = (row["recipient_kind"], row["recipient_id"])
            delivery = deliveries.setdefault(key, Delivery(Recipient(key[0]), key[1], []))
            values = {name: row[name] for name in _NOTICE_FIELDS}
            values |= {
                "new_story": bool(row["new_story"]),
                "rating": Rating(row["rating"]),
                "warnings": row["warnings"] or "",
            }
            delivery.notices.append(Notice(**values))
        return list(deliveries.values())

    async def release_claim(self, claim: str) -> None:
        """Let go of what `claim` took and did not finish (a send to try again later)."""
        await self._db.write(
            """
            UPDATE outbox SET claimed_by = NULL, claimed_at = NULL
            WHERE claimed_by = :claim AND status = 'pending'
            """,
            {"claim": claim},
        )

    async def visible_notices(self, viewer: Viewer, notice_ids: list[int]) -> set[int]:
        """The notices among `notice_ids` whose story the viewer may see."""
        query = f"""
            SELECT outbox.id FROM outbox JOIN story ON story.id = outbox.story_id
            WHERE outbox.id IN (SELECT value FROM json_each(:ids)) AND {VISIBLE}
        """
        rows = await self._db.fetch_all(query, {**viewer.params, "ids": json.dumps(notice_ids)})
        return {row[0] for row in rows}

    async def delivered(self, notice_ids: list[int]) -> None:
        """Mark notices sent (with the other deliveries sent meanwhile: a fan-out commits them
        a batch at a time)."""
        await self._db.write_in_batch(
            f"""
            UPDATE outbox SET status = '{NoticeStatus.SENT.value}', reason = NULL, done_at = :now
            WHERE id IN (SELECT value FROM json_each(:ids)) AND status = 'pending'
            """,
            {"now": self.now(), "ids": json.dumps(notice_ids)},
        )

    async def undeliverable(
        self, notice_ids: list[int], reason: str, *, dm_closed_user: int | None = None
    ) -> None:
        """Give up on notices, keeping why; a closed DM is remembered to tell the user once."""
        await self._finish(notice_ids, NoticeStatus.FAILED, reason, dm_closed_user)

    async def delivery_failed(self, notice_ids: list[int], reason: str, max_attempts: int) -> None:
        """Count a passing failure of the notices still pending (a delivery sent in several
        messages may have sent some); those that failed `max_attempts` times are given up."""
        params = {
            "ids": json.dumps(notice_ids),
            "reason": reason,
            "now": self.now(),
            "most": max_attempts,
        }
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                UPDATE outbox SET attempts = attempts + 1, reason = :reason
                WHERE id IN (SELECT value FROM json_each(:ids)) AND status = 'pending'
                """,
                params,
            )
            await tx.execute(
                """
                UPDATE outbox SET status = 'failed', done_at = :now
                WHERE id IN (SELECT value FROM json_each(:ids)) AND attempts >= :most
                """,
                params,
            )

    async def _finish(
        self,
        notice_ids: list[int],
        status: NoticeStatus,
        reason: str | None,
        dm_closed_user: int | None = None,
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                UPDATE outbox SET status = :status, reason = :reason, done_at = :now
                WHERE id IN (SELECT value FROM json_each(:ids)) AND status = 'pending'
                """,
                {
                    "status": status.value,
                    "reason": reason,
                    "now": self.now(),
                    "ids": json.dumps(notice_ids),
                },
            )
            if dm_closed_user is not None:
                await tx.execute(
                    """
                    INSERT INTO subscriber (user_id, dm_closed_news) VALUES (:user, 1)
                    ON CONFLICT (user_id) DO UPDATE SET dm_closed_news = 1
                    """,
                    {"user": dm_closed_user},
                )

    async def outbox_counts(self) -> dict[str, int]:
        """How many notices are in each state (for tests and the benchmark)."""
        rows = await self._db.fetch_all("SELECT status, count(*) FROM outbox GROUP BY status")
        return {row[0]: row[1] for row in rows}
