"""All SQL lives here: one data-access layer, one small method per query, typed rows out."""

from __future__ import annotations

from bot.store.browsing import BrowseFilters, BrowsingQueries, SearchHit
from bot.store.daily import DailyPost, DailyQueries, DailySchedule
from bot.store.database import Database
from bot.store.excerpts import Excerpt, ExcerptQueries
from bot.store.library import LibraryQueries, SaveOutcome, Story
from bot.store.maintenance import MaintenanceQueries
from bot.store.outbox import NEWS, Delivery, Notice, NoticeStatus, OutboxQueries, Recipient
from bot.store.reading import Bookmark, Page, ReadingQueries, StoryChoice
from bot.store.settings import GuildSettings, SettingsQueries
from bot.store.subscriptions import Following, Subscriber, Subscription, SubscriptionQueries
from bot.store.uploads import AuditEntry, DuplicateUpload, UploadQueries


class Store(
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
    Database,
):
    """The bot's database: open with `await Store.open(path)`, close with `await store.close()`."""


__all__ = [
    "NEWS",
    "AuditEntry",
    "Bookmark",
    "BrowseFilters",
    "DailyPost",
    "DailySchedule",
    "Delivery",
    "DuplicateUpload",
    "Excerpt",
    "Following",
    "GuildSettings",
    "Notice",
    "NoticeStatus",
    "Page",
    "Recipient",
    "SaveOutcome",
    "SearchHit",
    "Store",
    "Story",
    "StoryChoice",
    "Subscriber",
    "Subscription",
]
