"""The library in one SQLite file (the default): WAL mode, one writer and a few readers, the
schema brought up to date by numbered migrations tracked in `PRAGMA user_version`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.store.database import Clock, Database, Dialect, Params, Row, migrations, utc_now

log = logging.getLogger(__name__)

READERS = 3


class SqliteTransaction:
    """The statements of one write transaction, on the writer connection."""

    dialect = Dialect.SQLITE

    def __init__(self, connection: aiosqlite.Connection):
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._connection.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
        return row

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return row[0] if row else None


class SqliteDatabase(Database):
    """Connections to one SQLite file in WAL mode: one writer and a few readers.

    Writes go through `transaction()`, one at a time, on the writer connection. Reads go to
    the least busy reader connection, so a slow query does not hold up a page turn; readers
    only ever see committed data, so none meets a story half-written by an import.
    """

    dialect = Dialect.SQLITE

    def __init__(
        self, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection], clock: Clock
    ):
        super().__init__(clock)
        self._writer = writer
        self._readers = readers
        self._queries_in_flight = [0] * len(readers)
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, *, clock: Clock = utc_now) -> Self:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path)
        readers: list[aiosqlite.Connection] = []
        try:
            await _migrate(writer)
            for _ in range(READERS):
                readers.append(await _connect(path))
        except BaseException:
            for connection in (writer, *readers):
                await connection.close()
            raise
        return cls(writer, readers, clock)

    async def close(self) -> None:
        await super().close()
        for connection in (*self._readers, self._writer):
            await connection.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True) -> AsyncIterator[SqliteTransaction]:
        # Every commit is as `durable=False` asks (WAL, synchronous = NORMAL).
        async with self._write_lock:
            try:
                # Inside the try: a task cancelled while BEGIN is on its way (the hourly roll-up,
                # at shutdown) still rolls it back, rather than leave the writer in it.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield SqliteTransaction(self._writer)
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()

    async def write(self, sql: str, params: Params = ()) -> int:
        # SQLite makes a lone statement its own transaction: one round trip instead of three.
        async with self._write_lock:
            cursor = await self._writer.execute(sql, params)
            return cursor.rowcount

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        # Sent to the reader with the fewest queries in flight: its thread runs queued queries
        # one after another without waiting for the event loop, and a slow query keeps the
        # next ones away from its connection. One trip: execute, fetch and close in one.
        chosen = self._queries_in_flight.index(min(self._queries_in_flight))
        self._queries_in_flight[chosen] += 1
        try:
            return list(await self._readers[chosen].execute_fetchall(sql, params))
        finally:
            self._queries_in_flight[chosen] -= 1


async def _connect(path: Path | str) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(path, isolation_level=None)
    connection.row_factory = aiosqlite.Row
    await connection.execute("PRAGMA journal_mode = WAL")
    await connection.execute("PRAGMA foreign_keys = ON")
    await connection.execute("PRAGMA synchronous = NORMAL")
    await connection.execute("PRAGMA busy_timeout = 5000")
    return connection


async def schema_version(connection: aiosqlite.Connection) -> int:
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _migrate(connection: aiosqlite.Connection) -> None:
    """Apply every migration newer than the file's `user_version`, all in one transaction."""
    current = await schema_version(connection)
    available = migrations(Dialect.SQLITE)
    if current > len(available):
        raise RuntimeError(
            f"the database is at schema version {current}, newer than this bot knows "
            f"({len(available)}): upgrade the bot"
        )
    pending = [(number, sql) for number, sql in available if number > current]
    if not pending:
        return
    script = "".join(sql + "\n" for _, sql in pending)
    try:
        await connection.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {pending[-1][0]};\nCOMMIT;"
        )
    except BaseException:
        if connection.in_transaction:
            await connection.rollback()
        raise
    log.info("database schema migrated from version %d to %d", current, pending[-1][0])
