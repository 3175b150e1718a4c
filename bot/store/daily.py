"""Queries for a guild's daily excerpt post: its schedule and each day's claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.shards import EVERY_SHARD, HELD, Shards
from bot.store.database import Queries, Row


@dataclass(frozen=True)
class DailySchedule:
    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    role_id: int | None
    tag: str
    next_post_at: datetime
    paused_reason: str | None
    paused_told: bool
    trouble_since: datetime | None  # set while Discord's passing failures are being waited out


@dataclass(frozen=True)
class DailyPost:
    guild_id: int
    posted_on: date
    excerpt_id: int
    channel_id: int
    message_id: int | None
    late: bool
    attempts: int
    given_up_at: datetime | None


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _maybe_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _schedule(row: Row) -> DailySchedule:
    values = dict(row)
    values["next_post_at"] = datetime.fromisoformat(values["next_post_at"])
    values["paused_told"] = bool(values["paused_told"])
    values["trouble_since"] = _maybe_instant(values["trouble_since"])
    return DailySchedule(**values)


def _post(row: Row) -> DailyPost:
    values = dict(row)
    values["posted_on"] = date.fromisoformat(values["posted_on"])
    values["late"] = bool(values["late"])
    values["given_up_at"] = _maybe_instant(values["given_up_at"])
    return DailyPost(**values)


_SCHEDULE_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, role_id, tag, next_post_at, paused_reason, "
    "paused_told, trouble_since"
)
_POST_COLUMNS = (
    "guild_id, posted_on, excerpt_id, channel_id, message_id, late, attempts, given_up_at"
)


class DailyQueries(Queries):
    async def set_daily(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        role_id: int | None,
        tag: str,
        next_post_at: datetime,
        set_by: int,
    ) -> None:
        """Create or replace the guild's schedule; setting it again resumes a paused one and
        drops a retry in progress."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO daily_schedule (guild_id, channel_id, post_time, timezone, role_id, "
                "tag, next_post_at, paused_reason, paused_told, trouble_since, set_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET "
                "channel_id = excluded.channel_id, post_time = excluded.post_time, "
                "timezone = excluded.timezone, role_id = excluded.role_id, tag = excluded.tag, "
                "next_post_at = excluded.next_post_at, paused_reason = NULL, paused_told = 0, "
                "trouble_since = NULL, set_by = excluded.set_by, updated_at = excluded.updated_at",
                (
                    guild_id,
                    channel_id,
                    post_time,
                    timezone,
                    role_id,
                    tag,
                    _instant(next_post_at),
                    set_by,
                    self.now(),
                ),
            )

    async def daily(self, guild_id: int) -> DailySchedule | None:
        row = await self._db.fetch_one(
            f"SELECT {_SCHEDULE_COLUMNS} FROM daily_schedule WHERE guild_id = ?", (guild_id,)
        )
        return _schedule(row) if row else None

    async def remove_daily(self, guild_id: int) -> bool:
        async with self._db.transaction() as tx:
            changed = await tx.execute("DELETE FROM daily_schedule WHERE guild_id = ?", (guild_id,))
            return changed > 0

    async def due_dailies(self, now: datetime, shards: Shards = EVERY_SHARD) -> list[DailySchedule]:
        """Active schedules due by `now` of the guilds whose shards are `shards`, most overdue
        first (one indexed range scan)."""
        rows = await self._db.fetch_all(
            f"SELECT {_SCHEDULE_COLUMNS} FROM daily_schedule "
            f"WHERE paused_reason IS NULL AND next_post_at <= :now AND {HELD} "
            "ORDER BY next_post_at",
            {"now": _instant(now), **shards.params},
        )
        return [_schedule(row) for row in rows]

    async def reschedule_daily(self, guild_id: int, next_post_at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE daily_schedule SET next_post_at = ? WHERE guild_id = ?",
                (_instant(next_post_at), guild_id),
            )

    async def pause_daily(self, guild_id: int, reason: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE daily_schedule SET paused_reason = ?, paused_told = 0 WHERE guild_id = ?",
                (reason, guild_id),
            )

    async def mark_pause_told(self, guild_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE daily_schedule SET paused_told = 1 WHERE guild_id = ?", (guild_id,)
            )

    async def take_pause_news(self, guild_id: int) -> bool:
        """Whether the guild's moderators must still hear that its daily post is paused (and
        now they have): taken at once, so two commands at once tell it once."""
        changed = await self._db.write(
            """
            UPDATE daily_schedule SET paused_told = 1
            WHERE guild_id = :guild AND paused_reason IS NOT NULL AND paused_told = 0
            """,
            {"guild": guild_id},
        )
        return changed > 0

    async def claim_daily_post(
        self, guild_id: int, posted_on: date, *, excerpt_id: int, channel_id: int, late: bool
    ) -> DailyPost:
        """The guild's post for `posted_on`: claimed now, or the claim made before (which may
        already be sent, or may be a send whose outcome a stop left unknown)."""
        await self._db.write_in_batch(  # with the other guilds' claims made meanwhile
            """
            INSERT INTO daily_post (guild_id, posted_on, excerpt_id, channel_id, late, claimed_at)
            VALUES (:guild, :day, :excerpt, :channel, :late, :now) ON CONFLICT DO NOTHING
            """,
            {
                "guild": guild_id,
                "day": posted_on.isoformat(),
                "excerpt": excerpt_id,
                "channel": channel_id,
                "late": int(late),
                "now": self.now(),
            },
        )
        post = await self.daily_post(guild_id, posted_on)
        assert post is not None  # just written, or there before
        return post

    async def daily_post(self, guild_id: int, posted_on: date) -> DailyPost | None:
        row = await self._db.fetch_one(
            f"SELECT {_POST_COLUMNS} FROM daily_post WHERE guild_id = ? AND posted_on = ?",
            (guild_id, posted_on.isoformat()),
        )
        return _post(row) if row else None

    async def last_daily_post(self, guild_id: int) -> DailyPost | None:
        row = await self._db.fetch_one(
            f"SELECT {_POST_COLUMNS} FROM daily_post WHERE guild_id = ? AND message_id IS NOT NULL "
            "ORDER BY posted_on DESC LIMIT 1",
            (guild_id,),
        )
        return _post(row) if row else None

    async def daily_post_sent(
        self, guild_id: int, posted_on: date, message_id: int, next_post_at: datetime
    ) -> None:
        """Record the post as sent and when the next one is due, together (and with the other
        guilds' posts sent meanwhile: a fan-out commits them a batch at a time)."""
        await self._db.write_in_batch(
            (
                """
                UPDATE daily_post SET message_id = :message
                WHERE guild_id = :guild AND posted_on = :day
                """,
                """
                UPDATE daily_schedule SET next_post_at = :next, trouble_since = NULL
                WHERE guild_id = :guild
                """,
            ),
            {
                "message": message_id,
                "guild": guild_id,
                "day": posted_on.isoformat(),
                "next": _instant(next_post_at),
            },
        )

    async def retry_daily_post(
        self, guild_id: int, posted_on: date, *, trouble_since: datetime, retry_at: datetime
    ) -> None:
        """Count a failed send of the post (if it was claimed) and try again at `retry_at`."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE daily_post SET attempts = attempts + 1 "
                "WHERE guild_id = ? AND posted_on = ?",
                (guild_id, posted_on.isoformat()),
            )
            await tx.execute(
                "UPDATE daily_schedule SET next_post_at = ?, trouble_since = ? WHERE guild_id = ?",
                (_instant(retry_at), _instant(trouble_since), guild_id),
            )

    async def give_up_daily_post(
        self, guild_id: int, posted_on: date, next_post_at: datetime
    ) -> None:
        """Record that the post's day ended unsent, and when the next one is due, together."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE daily_post SET given_up_at = ? "
                "WHERE guild_id = ? AND posted_on = ? AND message_id IS NULL",
                (self.now(), guild_id, posted_on.isoformat()),
            )
            await tx.execute(
                "UPDATE daily_schedule SET next_post_at = ?, trouble_since = NULL "
                "WHERE guild_id = ?",
                (_instant(next_post_at), guild_id),
            )
