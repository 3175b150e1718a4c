"""Queries for the host's command line: every story on every server, and checks and backups of
the database file itself.

The checks and the backup open the file on their own, never creating or migrating it, so that
they can look at a file the bot is running on, a copy, or one that is damaged.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.store.database import Dialect, Queries, migrations
from bot.store.library import STORY_COLUMNS, Story, story_from_row

_SHOWN_MESSAGES = 3
"""Of SQLite's integrity messages, how many a check shows; the rest are counted."""


@dataclass(frozen=True)
class ListedStory:
    """A story as the host sees it: its server is `story.guild_id` (None: bundled)."""

    story: Story
    removed: bool


@dataclass(frozen=True)
class Finding:
    """One line of a check: the part looked at, what was found, and whether that is all right."""

    part: str
    verdict: str
    ok: bool = True


class MaintenanceQueries(Queries):
    async def all_stories(self, guild_id: int | None = None) -> list[ListedStory]:
        """Every story, removed ones too: the bundled ones and every server's uploads, or only
        the uploads of `guild_id`. Bundled first, then by server, then by title."""
        query = f"""
            SELECT {STORY_COLUMNS}, removed_at IS NOT NULL AS removed FROM story
            WHERE CAST(:guild AS BIGINT) IS NULL OR guild_id = :guild
            ORDER BY guild_id IS NOT NULL, guild_id, title COLLATE NOCASE, id
        """
        rows = await self._db.fetch_all(query, {"guild": guild_id})
        return [ListedStory(story_from_row(row), removed=bool(row["removed"])) for row in rows]


async def check_file(path: Path) -> list[Finding]:
    """Check the database file at `path`, part by part, going on past what is wrong: that it
    opens and its schema version, SQLite's integrity check, each full-text index's own check,
    and the story count. A missing file is not created.

    The full-text checks are written as inserts, so each holds the write lock while it runs:
    on a large library in use, check a backup instead.
    """
    return await asyncio.to_thread(_check_file, path)


async def back_up(source: Path, target: Path) -> list[Finding]:
    """Copy the database at `source` to `target` with SQLite's online backup, safe while the
    bot is writing to it, and check the copy (`check_file`'s findings about it).

    `target` is replaced only by a copy found sound; a damaged one is deleted.
    """
    return await asyncio.to_thread(_back_up, source, target)


def _back_up(source: Path, target: Path) -> list[Finding]:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        try:
            with closing(_open_existing(source)) as live, closing(sqlite3.connect(partial)) as copy:
                # In one step, so the whole file is read in one read transaction: a consistent
                # snapshot while the bot's writes go on (WAL). A backup in several steps would
                # start over at each write and, on a busy bot, might never finish.
                live.backup(copy)
        except sqlite3.DatabaseError as error:
            return [Finding("database", f"cannot be copied: {error}", ok=False)]
        findings = _check_file(partial)
        if all(finding.ok for finding in findings):
            partial.replace(target)
        return findings
    finally:
        partial.unlink(missing_ok=True)


def _check_file(path: Path) -> list[Finding]:
    if not path.exists():
        return [Finding("database", "not created yet (it is made on first start)")]
    try:
        connection = _open_existing(path)
    except sqlite3.Error as error:
        return [Finding("database", f"cannot be opened: {error}", ok=False)]
    with closing(connection):
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            tables = connection.execute(
                "SELECT name, rootpage > 0, sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' "
                "FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
        except sqlite3.DatabaseError as error:
            return [Finding("database", f"cannot be read: {error}", ok=False)]
        if not tables:
            return [Finding("database", "empty (it is set up on first start)")]
        return [
            _schema(version),
            _integrity(connection, [name for name, stored, _ in tables if stored]),
            *(_full_text_index(connection, name) for name, _, fts in tables if fts),
            _story_count(connection),
        ]


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to the database file at `path` that never creates one. Autocommit, so
    that no statement leaves a transaction open (and the bot's writes waiting)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)


def _schema(version: int) -> Finding:
    known = len(migrations(Dialect.SQLITE))
    if version > known:
        return Finding(
            "database",
            f"schema version {version}, newer than this bot knows ({known}): upgrade the bot",
            ok=False,
        )
    later = f" (brought up to {known} at the next start)" if version < known else ""
    return Finding("database", f"opens, schema version {version}{later}")


def _integrity(connection: sqlite3.Connection, tables: list[str]) -> Finding:
    """SQLite's full integrity check (quick_check would skip the indexes' contents), and when
    it finds damage, the same check table by table to name the damaged ones."""
    messages = _integrity_messages(connection, None)
    if not messages:
        return Finding("integrity", "ok")
    damaged = [table for table in tables if _integrity_messages(connection, table)]
    where = f" in {', '.join(damaged)}" if damaged else ""
    shown = "; ".join(messages[:_SHOWN_MESSAGES])
    if len(messages) > _SHOWN_MESSAGES:
        shown += f" (and {len(messages) - _SHOWN_MESSAGES} more)"
    return Finding("integrity", f"damaged{where}: {shown}", ok=False)


def _integrity_messages(connection: sqlite3.Connection, table: str | None) -> list[str]:
    """What integrity_check finds wrong in the whole file, or in one table and its indexes."""
    pragma = f"PRAGMA integrity_check({_quoted(table)})" if table else "PRAGMA integrity_check"
    try:
        messages = [message for (message,) in connection.execute(pragma)]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if messages == ["ok"] else messages


def _full_text_index(connection: sqlite3.Connection, table: str) -> Finding:
    """FTS5's own integrity check. Rank 1 also compares the index with the rows it indexes:
    our indexes are external-content, and without it only the index's inner consistency is
    checked."""
    quoted = _quoted(table)
    try:
        connection.execute(f"INSERT INTO {quoted} ({quoted}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        return Finding(f"full-text index {table}", f"damaged: {error}", ok=False)
    return Finding(f"full-text index {table}", "ok")


def _story_count(connection: sqlite3.Connection) -> Finding:
    try:
        (count,) = connection.execute("SELECT count(*) FROM story").fetchone()
    except sqlite3.DatabaseError as error:
        return Finding("stories", f"cannot be counted: {error}", ok=False)
    return Finding("stories", str(count))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
