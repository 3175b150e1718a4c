"""Queries for a server's options: its moderator role, its announcements channel, and who may
submit stories of their own."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.store.database import Queries


class Submitters(enum.StrEnum):
    """Who may submit their own stories for review in a server."""

    NOBODY = "off"
    EVERYONE = "everyone"
    WRITERS = "role"
    """Members with the server's writer role."""


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    moderator_role_id: int | None = None
    announce_channel_id: int | None = None
    announce_role_id: int | None = None
    submissions: Submitters = Submitters.NOBODY
    writer_role_id: int | None = None
    submission_max_bytes: int | None = None
    """The most a submitted file may weigh here; None: as much as an upload."""
    submissions_per_day: int = 3
    """How many submissions a member may make here in a day."""
    discussion_channel_id: int | None = None
    """Where chapters' discussion threads are made: a text or forum channel."""


class SettingsQueries(Queries):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetch_one(
            """
            SELECT guild_id, moderator_role_id, announce_channel_id, announce_role_id,
                submissions, writer_role_id, submission_max_bytes, submissions_per_day,
                discussion_channel_id
            FROM guild_settings WHERE guild_id = :guild
            """,
            {"guild": guild_id},
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(**dict(row) | {"submissions": Submitters(row["submissions"])})

    async def set_moderator_role(self, guild_id: int, role_id: int | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO guild_settings (guild_id, moderator_role_id) VALUES (:guild, :role)
                ON CONFLICT (guild_id) DO UPDATE SET moderator_role_id = excluded.moderator_role_id
                """,
                {"guild": guild_id, "role": role_id},
            )

    async def set_announcements(
        self, guild_id: int, channel_id: int | None, role_id: int | None
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO guild_settings (guild_id, announce_channel_id, announce_role_id)
                VALUES (:guild, :channel, :role)
                ON CONFLICT (guild_id) DO UPDATE SET
                    announce_channel_id = excluded.announce_channel_id,
                    announce_role_id = excluded.announce_role_id
                """,
                {"guild": guild_id, "channel": channel_id, "role": role_id},
            )

    async def set_submissions(
        self,
        guild_id: int,
        who: Submitters,
        *,
        writer_role_id: int | None,
        max_bytes: int | None,
        per_day: int,
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO guild_settings (guild_id, submissions, writer_role_id,
                    submission_max_bytes, submissions_per_day)
                VALUES (:guild, :who, :role, :bytes, :per_day)
                ON CONFLICT (guild_id) DO UPDATE SET
                    submissions = excluded.submissions,
                    writer_role_id = excluded.writer_role_id,
                    submission_max_bytes = excluded.submission_max_bytes,
                    submissions_per_day = excluded.submissions_per_day
                """,
                {
                    "guild": guild_id,
                    "who": who.value,
                    "role": writer_role_id,
                    "bytes": max_bytes,
                    "per_day": per_day,
                },
            )

    async def set_discussion_channel(self, guild_id: int, channel_id: int | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO guild_settings (guild_id, discussion_channel_id)
                VALUES (:guild, :channel)
                ON CONFLICT (guild_id) DO UPDATE SET
                    discussion_channel_id = excluded.discussion_channel_id
                """,
                {"guild": guild_id, "channel": channel_id},
            )
