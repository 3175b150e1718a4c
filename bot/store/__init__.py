"""All SQL lives here: one data-access layer, one small method per query, typed rows out."""

from __future__ import annotations

from bot.store.database import Database
from bot.store.library import LibraryQueries, SaveOutcome, Story


class Store(LibraryQueries, Database):
    """The bot's database: open with `await Store.open(path)`, close with `await store.close()`."""


__all__ = ["SaveOutcome", "Store", "Story"]
