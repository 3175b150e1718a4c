"""All SQL lives here: one data-access layer, one small method per query, typed rows out."""

from __future__ import annotations

from bot.store.browsing import BrowseFilters, BrowsingQueries, SearchHit
from bot.store.database import Database
from bot.store.excerpts import Excerpt, ExcerptQueries
from bot.store.library import LibraryQueries, SaveOutcome, Story
from bot.store.reading import Bookmark, Page, ReadingQueries, StoryChoice


class Store(ExcerptQueries, BrowsingQueries, ReadingQueries, LibraryQueries, Database):
    """The bot's database: open with `await Store.open(path)`, close with `await store.close()`."""


__all__ = [
    "Bookmark",
    "BrowseFilters",
    "Excerpt",
    "Page",
    "SaveOutcome",
    "SearchHit",
    "Store",
    "Story",
    "StoryChoice",
]
