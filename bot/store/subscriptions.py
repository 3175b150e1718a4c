"""Queries for what readers follow (a story, an author, everything new in a server) and how
they are told."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.access import VISIBLE, Viewer
from bot.store.database import Queries


class Following(enum.StrEnum):
    """What a subscription follows; its target is a story id, an author's name in lower case,
    or nothing."""

    STORY = "story"
    AUTHOR = "author"
    EVERYTHING = "all"


@dataclass(frozen=True)
class Subscription:
    kind: Following
    target: str
    story_title: str | None
    """The followed story's title, where the reader may see it; None otherwise."""


@dataclass(frozen=True)
class Subscriber:
    """How a reader is told about what they follow."""

    by_mention: bool
    """In the announcements channel rather than by DM."""
    dm_channel_id: int | None
    """Their DM channel with the bot, once opened."""


class SubscriptionQueries(Queries):
    async def subscribe(self, user_id: int, guild_id: int, kind: Following, target: str) -> bool:
        """Follow a story, an author or everything; False if already following."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                """
                INSERT INTO subscription (user_id, guild_id, kind, target, created_at)
                VALUES (:user, :guild, :kind, :target, :now)
                ON CONFLICT DO NOTHING
                """,
                {
                    "user": user_id,
                    "guild": guild_id,
                    "kind": kind.value,
                    "target": target,
                    "now": self.now(),
                },
            )
            return changed > 0

    async def unsubscribe(self, user_id: int, guild_id: int, kind: Following, target: str) -> bool:
        """Stop following; False if not following."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                """
                DELETE FROM subscription
                WHERE user_id = :user AND guild_id = :guild AND kind = :kind AND target = :target
                """,
                {"user": user_id, "guild": guild_id, "kind": kind.value, "target": target},
            )
            return changed > 0

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
        rows = await self._db.fetch_all(query, {**viewer.params, "user": viewer.user_id})
        return [
            Subscription(Following(row["kind"]), row["target"], row["story_title"]) for row in rows
        ]

    async def set_dm_channel(self, user_id: int, channel_id: int) -> None:
        await self._db.write(
            """
            INSERT INTO subscriber (user_id, dm_channel_id) VALUES (:user, :channel)
            ON CONFLICT (user_id) DO UPDATE SET dm_channel_id = excluded.dm_channel_id
            """,
            {"user": user_id, "channel": channel_id},
        )

    async def subscriber(self, user_id: int) -> Subscriber:
        row = await self._db.fetch_one(
            "SELECT by_mention, dm_channel_id FROM subscriber WHERE user_id = :user",
            {"user": user_id},
        )
        return Subscriber(bool(row[0]), row[1]) if row else Subscriber(False, None)

    async def set_by_mention(self, user_id: int, by_mention: bool) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO subscriber (user_id, by_mention) VALUES (:user, :by_mention)
                ON CONFLICT (user_id) DO UPDATE SET by_mention = excluded.by_mention
                """,
                {"user": user_id, "by_mention": int(by_mention)},
            )

    async def readers_to_tell_dm_closed(self) -> set[int]:
        """Readers a DM failed to reach who have not been told yet."""
        rows = await self._db.fetch_all("SELECT user_id FROM subscriber WHERE dm_closed_news = 1")
        return {row[0] for row in rows}

    async def take_dm_closed_news(self, user_id: int) -> bool:
        """Whether the user must still hear that a DM to them failed (and now they have)."""
        changed = await self._db.write(
            "UPDATE subscriber SET dm_closed_news = 0 WHERE user_id = :user AND dm_closed_news = 1",
            {"user": user_id},
        )
        return changed > 0
