"""All SQL lives here: one data-access layer, one small method per query, typed rows out."""

from __future__ import annotations

from bot.store.browsing import BrowseFilters, BrowsingQueries, SearchHit
from bot.store.daily import DailyPost, DailyQueries, DailySchedule, GuildSettings
from bot.store.database import Database
from bot.store.excerpts import Excerpt, ExcerptQueries
from bot.store.library import LibraryQueries, SaveOutcome, Story
from bot.store.maintenance import MaintenanceQueries
from bot.store.reading import Bookmark, Page, ReadingQueries, StoryChoice
from bot.store.uploads import (
    AuditEntry,
    Delivery,
    DuplicateUpload,
    Notice,
    Subscriber,
    Subscription,
    UploadQueries,
)


class Store(
    MaintenanceQueries,
    UploadQueries,
    DailyQueries,
    ExcerptQueries,
    BrowsingQueries,
    ReadingQueries,
    LibraryQueries,
    Database,
):
    """The bot's database: open with `await Store.open(path)`, close with `await store.close()`."""


__all__ = [
    "AuditEntry",
    "Bookmark",
    "BrowseFilters",
    "DailyPost",
    "DailySchedule",
    "Delivery",
    "DuplicateUpload",
    "Excerpt",
    "GuildSettings",
    "Notice",
    "Page",
    "SaveOutcome",
    "SearchHit",
    "Store",
    "Story",
    "StoryChoice",
    "Subscriber",
    "Subscription",
]
