"""Queries for a server's options: its moderator role and its announcements channel."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Queries


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    moderator_role_id: int | None = None
    announce_channel_id: int | None = None
    announce_role_id: int | None = None


class SettingsQueries(Queries):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetch_one(
            """
            SELECT guild_id, moderator_role_id, announce_channel_id, announce_role_id
            FROM guild_settings WHERE guild_id = :guild
            """,
            {"guild": guild_id},
        )
        return GuildSettings(**dict(row)) if row else GuildSettings(guild_id)

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
