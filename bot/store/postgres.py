"""The library in PostgreSQL (asyncpg), for a bot that several processes run together.

The queries are the store's own, written once for both engines: a statement's named (`:story`)
or positional (`?`) parameters become PostgreSQL's numbered ones here, once per statement text.
Writers take turns across every process through one advisory lock, as they do on SQLite's single
writer, so that what a write reads (the next free excerpt slot, the last chapter id) is still
true when it commits. Migrations are numbered files applied in one transaction under another
advisory lock, so that processes starting together migrate once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Self
from urllib.parse import urlsplit

import asyncpg

from bot.store.database import Clock, Database, Dialect, Params, Row, migrations, utc_now
from bot.store.maintenance import Finding

log = logging.getLogger(__name__)

WRITE_LOCK = 0x73746F7279  # "story": the key of the lock writers take turns on
_MIGRATION_LOCK = WRITE_LOCK + 1
_ALONE_LOCK = WRITE_LOCK + 2
_POOL_SIZE = 8
_BEGUN = "SELECT pg_advisory_xact_lock($1)"
"""What a write transaction starts with: its turn among the writers of every process."""
_BEGUN_NOT_DURABLE = f"{_BEGUN}, set_config('synchronous_commit', 'off', true)"
"""The same, for a transaction committed without waiting for its WAL to reach the disk
(`Database.transaction`)."""
_TAKE_TURNS = """
    UPDATE send_turns SET next_at = greatest(next_at, clock_timestamp()) + make_interval(secs => $1)
    RETURNING extract(epoch FROM next_at - clock_timestamp())::float8 - $1::float8
"""

_TOKENS = re.compile(
    r"""
    '(?:[^']|'')*'          # a string
    | "(?:[^"]|"")*"        # a quoted name
    | --[^\n]*              # a comment
    | ::                    # a cast, not a parameter
    | :(?P<name>[A-Za-z_]\w*)
    | (?P<question>\?)
    """,
    re.VERBOSE,
)


@functools.lru_cache(maxsize=1024)
def numbered(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """`sql` with its parameters numbered as PostgreSQL takes them, and what to bind to them:
    the names in order (each name one number, however often it is used) or, for `?`, their
    count."""
    names: dict[str, int] = {}
    questions = 0

    def number(match: re.Match[str]) -> str:
        nonlocal questions
        if match["name"]:
            return f"${names.setdefault(match['name'], len(names) + 1)}"
        if match["question"]:
            questions += 1
            return f"${questions}"
        return match[0]

    text = _TOKENS.sub(number, sql)
    if names and questions:
        raise ValueError("a statement takes its parameters by name or by position, not both")
    return text, tuple(names) if names else questions


def _arguments(sql: str, params: Params) -> tuple[str, list[Any]]:
    text, wanted = numbered(sql)
    if isinstance(wanted, tuple):
        assert isinstance(params, Mapping), "named parameters come in a mapping"
        return text, [params[name] for name in wanted]
    values = list(params.values()) if isinstance(params, Mapping) else list(params)
    if len(values) != wanted:
        raise ValueError(f"the statement takes {wanted} parameters, not {len(values)}")
    return text, values


def _changed(status: str) -> int:
    """The rows a command changed, from its status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresTransaction:
    """The statements of one write transaction, on one pooled connection."""

    dialect = Dialect.POSTGRES

    def __init__(self, connection: asyncpg.pool.PoolConnectionProxy[Any]):
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, values = _arguments(sql, params)
        return _changed(await self._connection.execute(text, *values))

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        text = numbered(sql)[0]
        await self._connection.executemany(text, [_arguments(sql, row)[1] for row in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        text, values = _arguments(sql, params)
        return list(await self._connection.fetch(text, *values))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        text, values = _arguments(sql, params)
        row: Row | None = await self._connection.fetchrow(text, *values)
        return row

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        text, values = _arguments(sql, params)
        return await self._connection.fetchval(text, *values)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect = Dialect.POSTGRES

    def __init__(self, pool: asyncpg.Pool[Any], clock: Clock):
        super().__init__(clock)
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utc_now) -> Self:
        """Connect to the database at `url` and bring its schema up to date."""
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=_POOL_SIZE,
            reset=_keep_session,
        )
        try:
            async with pool.acquire() as connection:
                await _migrate(connection)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, clock)

    async def close(self) -> None:
        await super().close()
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True) -> AsyncIterator[PostgresTransaction]:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(_BEGUN if durable else _BEGUN_NOT_DURABLE, WRITE_LOCK)
            yield PostgresTransaction(connection)

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        """The block while this process holds a lock of its connection's session: the others
        wait for it, and a process that dies lets it go with its connection."""
        async with self._pool.acquire() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", _ALONE_LOCK)
            try:
                yield
            finally:
                try:
                    await connection.execute("SELECT pg_advisory_unlock($1)", _ALONE_LOCK)
                except BaseException:
                    connection.terminate()  # its session, and the lock with it, ends
                    raise

    async def take_turns(self, count: int, apart: float) -> float:
        """The turns, from the schedule every process shares (one row, migration 011): a
        statement of its own, not a turn of the write lock."""
        wait: float = await self._pool.fetchval(_TAKE_TURNS, count * apart)
        return wait

    async def write(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        text, values = _arguments(sql, params)
        return list(await self._pool.fetch(text, *values))


async def _keep_session(connection: asyncpg.Connection[Any]) -> None:
    """What a connection back in the pool needs: nothing. The store keeps no state in a
    session (no settings, cursors or listeners; its one session lock, in `alone`, is let go
    there), and asyncpg's default reset (four statements) would double what each query costs
    both processes. An open transaction is still rolled back by asyncpg itself."""


async def check_database(url: str) -> list[Finding]:
    """Check the PostgreSQL database at `url` without changing it: that it can be reached, and
    its schema version."""
    try:
        connection = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
        return [Finding("database", f"cannot connect: {unreachable(error, url)}", ok=False)]
    try:
        version = await schema_version(connection)
        stories = await connection.fetchval("SELECT count(*) FROM story") if version else 0
    finally:
        await connection.close()
    known = len(migrations(Dialect.POSTGRES))
    if version > known:
        verdict = f"schema version {version}, newer than this bot knows ({known}): upgrade the bot"
        return [Finding("database", verdict, ok=False)]
    later = f" (brought up to {known} at the next start)" if version < known else ""
    return [
        Finding("database", f"PostgreSQL, connects, schema version {version}{later}"),
        Finding("stories", f"{stories:,}"),
    ]


def unreachable(error: BaseException, url: str) -> str:
    """Why the database at `url` could not be used, in one line that never holds its
    password."""
    reason = " ".join(str(error).split()) or type(error).__name__
    password = urlsplit(url).password
    return reason.replace(password, "********") if password else reason


async def schema_version(
    connection: asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any],
) -> int:
    """The last migration applied (0: none)."""
    found = await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not found:
        return 0
    return int(await connection.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


async def _migrate(connection: asyncpg.pool.PoolConnectionProxy[Any]) -> None:
    """Apply every migration not yet applied, all in one transaction, once however many
    processes start together: the first takes the lock and migrates, the others then find
    nothing left to do."""
    available = migrations(Dialect.POSTGRES)
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = await schema_version(connection)
        if current > len(available):
            raise RuntimeError(
                f"the database is at schema version {current}, newer than this bot knows "
                f"({len(available)}): upgrade the bot"
            )
        pending = [(number, sql) for number, sql in available if number > current]
        for number, sql in pending:
            await connection.execute(sql)
            await connection.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                number,
                utc_now().isoformat(timespec="seconds"),
            )
    if pending:
        log.info("database schema migrated from version %d to %d", current, pending[-1][0])
