"""The SQLite connection: pragmas, numbered migrations and transactions.

`Database` is private to the store: query methods (`Queries` and the groups built on it) reach
it as `self._db`, and nothing outside `bot.store` runs SQL.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, Self

import aiosqlite

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Params = Sequence[Any] | Mapping[str, Any]
"""A statement's parameters: by name (`:story`) or, in older queries, by position."""


class Row(Protocol):
    """A row a query gives: its values by column name or by position; `dict(row)` works."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Any: ...


_MIGRATION_NAME = re.compile(r"^(\d{3})-[\w-]+\.sql$")


STORY_WARNINGS = """(
    SELECT group_concat(name, ', ') FROM (
        SELECT name FROM story_tag
        WHERE story_tag.story_id = story.id AND kind = 'warning'
        ORDER BY position))"""
"""A story's archive warnings joined with commas (NULL for none), as a column of a query on
`story`."""


def typed_text(text: str) -> str:
    """What a reader typed, as a query takes it: without surrounding space, nor NUL characters
    (SQLite would end the text at one)."""
    return text.replace("\x00", "").strip()


def typed_id(text: str) -> int | None:
    """The story id a typed value is, if it is digits that fit SQLite's integers."""
    return int(text) if text.isdigit() and len(text) < 19 else None


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped, for patterns written with ESCAPE '\\'."""
    return text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def utc_now() -> datetime:
    return datetime.now(UTC)


def migrations() -> list[tuple[int, str]]:
    """The numbered migrations shipped with the bot, as (number, SQL), in order."""
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 001, 002, … without gaps: {numbers}")
    return found


@dataclass
class _Batch:
    rows: list[Params] = field(default_factory=list)
    committed: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


READERS = 3


class Transaction:
    """The statements of one write transaction (see `Database.transaction`)."""

    def __init__(self, connection: aiosqlite.Connection):
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows it changed."""
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once for each of `rows`."""
        await self._connection.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._connection.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
        return row

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first value of the first row a statement gives (None: no row)."""
        row = await self.fetch_one(sql, params)
        return row[0] if row else None


class Database:
    """Connections to one SQLite file in WAL mode: one writer and a few readers.

    Writes go through `transaction()`, one at a time, on the writer connection. Reads go to
    the least busy reader connection, so a slow query does not hold up a page turn; readers
    only ever see committed data, so none meets a story half-written by an import.
    """

    def __init__(
        self, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection], clock: Clock
    ):
        self._writer = writer
        self._readers = readers
        self._queries_in_flight = [0] * len(readers)
        self._write_lock = asyncio.Lock()
        self._batches: dict[str, _Batch] = {}
        self._batch_tasks: set[asyncio.Task[None]] = set()
        self.clock = clock

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
        await self.flush()
        for connection in (*self._readers, self._writer):
            await connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction: committed if the block ends normally, rolled back otherwise."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._writer)
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()

    async def write_in_batch(self, sql: str, params: Params) -> None:
        """One row of a statement run very often (a reader's bookmark at every page): rows
        queued while the writer is busy are committed together, in one transaction, as soon
        as it is free. Returns once this row is committed.

        The writer handles one write at a time, so one transaction per page turn would cap
        the pages turned per second; a batch costs about what one row does.
        """
        batch = self._batches.get(sql)
        if batch is None:
            batch = self._batches[sql] = _Batch()
            task = asyncio.create_task(self._commit_batch(sql, batch))
            self._batch_tasks.add(task)
            task.add_done_callback(self._batch_tasks.discard)
        batch.rows.append(params)
        await asyncio.shield(batch.committed)

    async def flush(self) -> None:
        """Wait until every batched write queued so far is committed (or has failed)."""
        await asyncio.gather(*self._batch_tasks, return_exceptions=True)

    async def _commit_batch(self, sql: str, batch: _Batch) -> None:
        try:
            async with self.transaction() as tx:
                del self._batches[sql]  # rows queued from now on go in the next batch
                await tx.execute_many(sql, batch.rows)
        except BaseException as error:
            if self._batches.get(sql) is batch:  # failed before it was taken
                del self._batches[sql]
            batch.committed.set_exception(error)
            batch.committed.exception()  # its waiters have it; nothing else to report
            if isinstance(error, asyncio.CancelledError):
                raise
        else:
            batch.committed.set_result(None)

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement that is a whole write on its own (SQLite makes it its own
        transaction): one round trip instead of three. Returns the rows it changed."""
        async with self._write_lock:
            cursor = await self._writer.execute(sql, params)
            return cursor.rowcount

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

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

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")


class Queries:
    """What every group of the store's queries stands on: the database, private to the store."""

    def __init__(self, db: Database):
        self._db = db
        self.clock = db.clock

    def now(self) -> str:
        """The time now as the store writes it (ISO 8601, UTC, to the second)."""
        return self._db.now()


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
    available = migrations()
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
