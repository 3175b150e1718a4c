"""All SQL lives here: one data-access layer, one small method per query, typed rows out."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bot.store.browsing import BrowseFilters, BrowsingQueries, SearchHit
from bot.store.daily import DailyPost, DailyQueries, DailySchedule
from bot.store.database import Clock, Database, Dialect, utc_now
from bot.store.excerpts import Excerpt, ExcerptQueries
from bot.store.library import LibraryQueries, SaveOutcome, Story
from bot.store.maintenance import MaintenanceQueries
from bot.store.outbox import NEWS, Delivery, Notice, NoticeStatus, OutboxQueries, Recipient
from bot.store.reading import (
    Bookmark,
    Page,
    PageLength,
    Preferences,
    ReadingQueries,
    StoryChoice,
)
from bot.store.settings import GuildSettings, SettingsQueries
from bot.store.stats import LibraryStats, StatsQueries, StoryStats
from bot.store.submissions import (
    AlreadyDecided,
    Published,
    Submission,
    SubmissionQueries,
    SubmissionState,
)
from bot.store.subscriptions import Following, Subscriber, Subscription, SubscriptionQueries
from bot.store.together import Chapter, Digest, ShelfEntry, Shelved, TogetherQueries
from bot.store.uploads import AuditEntry, DuplicateUpload, UploadQueries


def is_postgres_url(where: str) -> bool:
    return where.startswith(("postgresql://", "postgres://"))


class Store(
    StatsQueries,
    TogetherQueries,
    SubmissionQueries,
    MaintenanceQueries,
    UploadQueries,
    OutboxQueries,
    SubscriptionQueries,
    SettingsQueries,
    DailyQueries,
    ExcerptQueries,
    BrowsingQueries,
    ReadingQueries,
    LibraryQueries,
):
    """The bot's database: open with `await Store.open(path)`, close with `await store.close()`.

    Each group of queries is a class of its own module; the database under them is private.
    """

    @classmethod
    async def open(cls, where: Path | str, *, clock: Clock = utc_now) -> Store:
        """Open the library `where` says, bringing its schema up to date: a PostgreSQL database
        for a `postgresql://` URL, else the SQLite file at that path (created if needed)."""
        db: Database
        if is_postgres_url(str(where)):
            from bot.store.postgres import PostgresDatabase  # asyncpg only when it is used

            db = await PostgresDatabase.open(str(where), clock=clock)
        else:
            from bot.store.sqlite import SqliteDatabase

            db = await SqliteDatabase.open(where, clock=clock)
        return cls(db)

    @property
    def dialect(self) -> Dialect:
        return self._db.dialect

    def alone(self) -> AbstractAsyncContextManager[None]:
        """A block that one bot process at a time runs, however many share the library."""
        return self._db.alone()

    async def take_turns(self, count: int, apart: float) -> float:
        """Take the next `count` turns, `apart` seconds from each other, of what the bot sends
        on its own, and return the seconds from now until the first. Every process of the bot
        takes its turns from one schedule, so that together they keep to Discord's global
        limit."""
        return await self._db.take_turns(count, apart)

    async def close(self) -> None:
        await self._db.close()

    async def flush(self) -> None:
        """Wait until every batched write queued so far (readers' places) is committed."""
        await self._db.flush()


__all__ = [
    "NEWS",
    "AlreadyDecided",
    "AuditEntry",
    "Bookmark",
    "BrowseFilters",
    "Chapter",
    "DailyPost",
    "DailySchedule",
    "Delivery",
    "Digest",
    "DuplicateUpload",
    "Excerpt",
    "Following",
    "GuildSettings",
    "LibraryStats",
    "Notice",
    "NoticeStatus",
    "Page",
    "PageLength",
    "Preferences",
    "Published",
    "Recipient",
    "SaveOutcome",
    "SearchHit",
    "ShelfEntry",
    "Shelved",
    "Store",
    "Story",
    "StoryChoice",
    "StoryStats",
    "Submission",
    "SubmissionState",
    "Subscriber",
    "Subscription",
]
