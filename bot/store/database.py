"""What the store's queries stand on, whichever engine keeps the library: SQLite
(`bot.store.sqlite`, the default) or PostgreSQL (`bot.store.postgres`).

Both speak the same SQL: the queries are written once, with named parameters (`:story`), in
the words the two engines share; the PostgreSQL schema gives the few SQLite names the queries use
(`json_each` over a list of ids, `group_concat`, `COLLATE NOCASE`) their SQLite meaning. Where
the engines truly differ (full-text search, locking, migrations) a query asks `dialect`.

A filter a query may or may not have is left out of its text when it is not asked for, not
switched off by a parameter (`:story IS NULL OR story.id = :story`): PostgreSQL keeps a plan for
each statement, but plans again at every run one whose best plan depends on such a switch, and
planning can cost several times the run.

A `Database` is private to the store: query methods (`Queries` and the groups built on it) reach
it as `self._db`, and nothing outside `bot.store` runs SQL.
"""

from __future__ import annotations

import abc
import asyncio
import enum
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Protocol

Clock = Callable[[], datetime]
Params = Sequence[Any] | Mapping[str, Any]
"""A statement's parameters: by name (`:story`) or, in older queries, by position."""


class Dialect(enum.Enum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


class Row(Protocol):
    """A row a query gives: its values by column name or by position; `dict(row)` works."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Any: ...


class Transaction(Protocol):
    """The statements of one write transaction (see `Database.transaction`)."""

    dialect: Dialect

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows it changed."""

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once for each of `rows`."""

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first value of the first row a statement gives (None: no row)."""


_MIGRATION_NAME = re.compile(r"^(\d{3})-[\w-]+\.sql$")


STORY_WARNINGS = """(
    SELECT group_concat(name, ', ') FROM (
        SELECT name FROM story_tag
        WHERE story_tag.story_id = story.id AND kind = 'warning'
        ORDER BY position) AS warning)"""
"""A story's archive warnings joined with commas (NULL for none), as a column of a query on
`story`."""


def typed_text(text: str) -> str:
    """What a reader typed, as a query takes it: without surrounding space, nor NUL characters
    (SQLite would end the text at one; PostgreSQL refuses them)."""
    return text.replace("\x00", "").strip()


def typed_id(text: str) -> int | None:
    """The story id a typed value is, if it is digits that fit a 64-bit integer."""
    return int(text) if text.isdigit() and len(text) < 19 else None


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped, for patterns written with ESCAPE '\\'."""
    return text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def utc_now() -> datetime:
    return datetime.now(UTC)


def migrations(dialect: Dialect) -> list[tuple[int, str]]:
    """The numbered migrations shipped with the bot for `dialect`, as (number, SQL), in order."""
    found = []
    folder = resources.files("bot.store").joinpath("migrations", dialect.value)
    for entry in folder.iterdir():
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
    key: tuple[str, ...] = ()
    durable: bool = True
    rows: list[Params] = field(default_factory=list)
    committed: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Database(abc.ABC):
    """One library's database: reads, write transactions, and rows written in batches."""

    dialect: Dialect

    def __init__(self, clock: Clock):
        self.clock = clock
        self._batches: dict[str | tuple[str, ...], _Batch] = {}
        self._batch_tasks: set[asyncio.Task[None]] = set()
        self._next_turn = 0.0

    @abc.abstractmethod
    def transaction(self, *, durable: bool = True) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction, alone among writers: committed if the block ends normally,
        rolled back otherwise.

        Not `durable`: committed without waiting for the disk, for writes so frequent and so
        small that losing the last fraction of a second of them to a power cut is no loss (a
        reader's place): a crash of the bot's process loses nothing, and a transaction is still
        kept whole or not at all. That is how SQLite commits every transaction here (WAL,
        `synchronous = NORMAL`)."""

    @abc.abstractmethod
    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement that is a whole write on its own; returns the rows it changed."""

    @abc.abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        """A block that one process at a time runs (the first start's import): an SQLite file
        has one bot process, so here it is the block alone."""
        yield

    async def take_turns(self, count: int, apart: float) -> float:
        """`Store.take_turns`: an SQLite file has one bot process, so the schedule is kept in
        it."""
        now = time.monotonic()
        first = max(self._next_turn, now)
        self._next_turn = first + count * apart
        return first - now

    async def close(self) -> None:
        await self.flush()

    async def write_in_batch(
        self,
        sql: str | tuple[str, ...],
        params: Params,
        *,
        key: tuple[str, ...] = (),
        durable: bool = True,
    ) -> None:
        """One row of a statement run very often (a reader's bookmark at every page), or of
        statements run in turn on the same rows: rows queued while the writer is busy are
        committed together, in one transaction, as soon as it is free. Returns once this row
        is committed.

        Each statement runs on the batch's rows together, so a statement does not see what the
        later ones did to an earlier row; rows alike in their `key` parameters (one reader's
        place in one story) go one after another, each row's statements before the next's.

        Writers take turns, so one transaction per page turn would cap the pages turned per
        second; a batch costs about what one row does. `durable`: as in `transaction`, the
        same for every row of a statement.
        """
        batch = self._batches.get(sql)
        if batch is None:
            batch = self._batches[sql] = _Batch(key, durable)
            task = asyncio.create_task(self._commit_batch(sql, batch))
            self._batch_tasks.add(task)
            task.add_done_callback(self._batch_tasks.discard)
        batch.rows.append(params)
        await asyncio.shield(batch.committed)

    async def flush(self) -> None:
        """Wait until every batched write queued so far is committed (or has failed)."""
        await asyncio.gather(*self._batch_tasks, return_exceptions=True)

    async def _commit_batch(self, sql: str | tuple[str, ...], batch: _Batch) -> None:
        try:
            async with self.transaction(durable=batch.durable) as tx:
                del self._batches[sql]  # rows queued from now on go in the next batch
                for rows in _rounds(batch.rows, batch.key):
                    for statement in (sql,) if isinstance(sql, str) else sql:
                        await tx.execute_many(statement, rows)
        except BaseException as error:
            if self._batches.get(sql) is batch:  # failed before it was taken
                del self._batches[sql]
            batch.committed.set_exception(error)
            batch.committed.exception()  # its waiters have it; nothing else to report
            if isinstance(error, asyncio.CancelledError):
                raise
        else:
            batch.committed.set_result(None)

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")


def _rounds(rows: list[Params], key: tuple[str, ...]) -> list[list[Params]]:
    """The rows in rounds with none alike in `key` in one round, in the order they came."""
    if not key:
        return [rows]
    rounds: list[list[Params]] = []
    seen: Counter[tuple[object, ...]] = Counter()
    for row in rows:
        assert isinstance(row, Mapping)
        alike = tuple(row[name] for name in key)
        if seen[alike] == len(rounds):
            rounds.append([])
        rounds[seen[alike]].append(row)
        seen[alike] += 1
    return rounds


class Queries:
    """What every group of the store's queries stands on: the database, private to the store."""

    def __init__(self, db: Database):
        self._db = db
        self.clock = db.clock

    def now(self) -> str:
        """The time now as the store writes it (ISO 8601, UTC, to the second)."""
        return self._db.now()
