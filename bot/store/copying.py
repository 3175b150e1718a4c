"""Moving a library from its SQLite file to an empty PostgreSQL database, whole, in one
transaction: the stories with their pages and excerpts, readers' places and preferences,
subscriptions and the outbox, daily schedules and posts, members' submissions, kudos,
bookmarks, discussions, the reading figures, the audit and every setting.

The search indexes are not copied: PostgreSQL's are columns and indexes of the rows themselves
(and tag names are kept by a trigger as story tags arrive), so they are whole when the copy is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import asyncpg

from bot.store import Store
from bot.store.postgres import WRITE_LOCK

TABLES = (
    "story",
    "story_tag",
    "chapter",
    "page",
    "meta",
    "reader",
    "reading_progress",
    "browse_query",
    "excerpt",
    "guild_settings",
    "daily_schedule",
    "daily_post",
    "upload",
    "audit",
    "subscription",
    "subscriber",
    "outbox",
    "trusted_writer",
    "submission",
    "kudos",
    "shelf",
    "discussion",
    "author_digest",
    "story_day",
    "guild_hour",
    "guild_day",
    "day_reader",
)
"""Every table that holds the library, each after those it refers to."""
_CHUNK = 2000
"""Rows sent to PostgreSQL at a time: a large library is never held in memory whole."""


class TargetNotEmpty(Exception):
    """The PostgreSQL database already holds a library: a copy would mix two."""


class CopyMismatch(Exception):
    """A table's rows on PostgreSQL are not as many as in the file: nothing was kept."""


async def copy_library(source: Path, target: str) -> list[tuple[str, int]]:
    """Copy the SQLite library at `source` into the empty PostgreSQL database at `target`
    and check that every table holds as many rows as in the file; (table, rows) for each.

    Both schemas are brought up to date first. The copy is one transaction, so a failure or a
    mismatch leaves the target as it was; the file is only read.
    """
    await (await Store.open(source)).close()
    await (await Store.open(target)).close()
    read_only = f"{(await asyncio.to_thread(source.resolve)).as_uri()}?mode=ro"
    with closing(sqlite3.connect(read_only, uri=True)) as file:
        connection = await asyncpg.connect(target)
        # COPY sends rows in the binary format, which for citext is text's: UTF-8 bytes
        await connection.set_type_codec(
            "citext", encoder=str.encode, decoder=bytes.decode, format="binary"
        )
        try:
            async with connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                for table in TABLES:
                    if await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                        raise TargetNotEmpty(f"the target database already has rows in {table}")
                copied = [(table, await _copy(file, connection, table)) for table in TABLES]
                for table, rows in copied:
                    there = await connection.fetchval(f"SELECT count(*) FROM {table}")
                    if there != rows:
                        raise CopyMismatch(f"{table}: {rows:,} rows in the file, {there:,} copied")
                await _continue_ids(connection)
        finally:
            await connection.close()
    return copied


async def _copy(file: sqlite3.Connection, connection: asyncpg.Connection[Any], table: str) -> int:
    """Copy one table's rows, the columns both schemas have; how many rows were copied."""
    theirs = {row[1] for row in file.execute(f"PRAGMA table_info({table})")}
    columns = [
        name
        for name in await connection.fetchval(
            "SELECT array_agg(column_name::text ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER'",
            table,
        )
        if name in theirs
    ]
    rows = 0
    for chunk in _chunks(file.execute(f"SELECT {', '.join(columns)} FROM {table}")):
        await connection.copy_records_to_table(table, records=chunk, columns=columns)
        rows += len(chunk)
    return rows


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := cursor.fetchmany(_CHUNK):
        yield chunk


async def _continue_ids(connection: asyncpg.Connection[Any]) -> None:
    """Set each table's id sequence past the ids copied, so that new rows get new ids."""
    for table in await connection.fetch(
        "SELECT table_name::text FROM information_schema.columns "
        "WHERE column_name = 'id' AND is_identity = 'YES'"
    ):
        name = table[0]
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
        )
