"""pytest fixtures for end-to-end tests: a fresh stand-in per test, and a bot running on it.

In tests/conftest.py: `from standin.fixtures import discord_world, running, standin`, then

    async def test_read(standin):
        async with running(make_bot(), standin):
            reply = await standin.user("reader").slash("read", story="Prom")
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import discord
import pytest

from bot.app import use_discord_endpoints
from standin.server import Standin
from standin.world import World


@pytest.fixture
def discord_world() -> World:
    """The default world; override this fixture, or edit `standin.world` before `running`."""
    return World()


@pytest.fixture
async def standin(discord_world: World) -> AsyncIterator[Standin]:
    """A started stand-in; the test fails if it recorded violations or unknown routes.

    A test that provokes violations on purpose asserts them and then clears the lists.
    """
    server = Standin(discord_world)
    await server.start()
    yield server
    await server.stop()
    problems = [str(v) for v in server.violations]
    problems += [f"unknown route: {route}" for route in server.unknown_routes]
    if problems:
        pytest.fail("the Discord stand-in recorded:\n  " + "\n  ".join(problems), pytrace=False)


@asynccontextmanager
async def running(
    client: discord.Client,
    standin: Standin,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - bounds only the start-up, not the block
) -> AsyncIterator[discord.Client]:
    """Run `client` against `standin` until the block ends, once it is ready.

    Readiness waits `guild_ready_timeout` (2 s by default) after the last GUILD_CREATE, so
    construct test clients with e.g. `guild_ready_timeout=0.05`.
    """
    use_discord_endpoints(standin.rest_url, standin.gateway_url)
    before = asyncio.all_tasks()
    task = asyncio.create_task(client.start(standin.world.token))
    try:
        async with asyncio.timeout(timeout):
            while not client.is_ready():
                if task.done():
                    task.result()
                    raise AssertionError("the client stopped before it was ready")
                await asyncio.sleep(0.01)
        yield client
    finally:
        await client.close()
        await task
        # close() leaves discord.py's view-timeout tasks running; they end with the client.
        leftovers = [t for t in asyncio.all_tasks() - before if _runs_discord_code(t)]
        for leftover in leftovers:
            leftover.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)


def _runs_discord_code(task: asyncio.Task[object]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and Path(code.co_filename).is_relative_to(_DISCORD_PACKAGE)


_DISCORD_PACKAGE = Path(discord.__file__).parent
