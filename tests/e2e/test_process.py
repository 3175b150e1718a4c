"""`python -m bot run` as the host starts it, pointed at the stand-in by configuration only: one
process on its SQLite default, and two processes of one shard each sharing a PostgreSQL library."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.store import Store
from standin.server import Standin
from standin.world import MODERATOR_PERMISSIONS, Role, on_shard
from tests.conftest import REPO, SAMPLE_LIBRARY, reader_page, shown_excerpt
from tests.engines import ENGINES, POSTGRES
from tests.samples import MARKDOWN, MORE_CHAPTERS


class BotProcess:
    """One `python -m bot run`, its output kept in a file beside the test's."""

    def __init__(self, standin: Standin, folder: Path, name: str, **settings: str) -> None:
        self.folder, self.log = folder, folder / f"{name}.log"
        self.env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME"}}
        self.env |= {
            "PYTHONPATH": str(REPO),
            "DISCORD_TOKEN": standin.world.token,
            "DATABASE_PATH": str(folder / "storybot.db"),
            "LIBRARY_DIR": str(SAMPLE_LIBRARY),
            "DISCORD_REST_URL": standin.rest_url,
            "DISCORD_GATEWAY_URL": standin.gateway_url,
        } | settings
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("a") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                cwd=self.folder, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(how)
            await self.process.wait()

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """The test's bot processes, each stopped at its end whatever happened."""
    started: list[BotProcess] = []
    yield started
    await asyncio.gather(*(bot.stop() for bot in started))


def connected(standin: Standin, *shards: tuple[int, int]) -> bool:
    live = {session.shard for session in standin.gateway.sessions if session.connection}
    return live >= set(shards)


async def test_run_imports_the_samples_on_first_start_and_answers(
    standin: Standin, tmp_path: Path, processes: list[BotProcess]
) -> None:
    bot = BotProcess(standin, tmp_path, "bot")
    processes.append(bot)
    await bot.start()
    await standin.until(lambda: standin.gateway.sessions, "the bot to connect", 20)
    reply = await standin.user("reader").slash("read", story="We Keep Dancing")
    assert reader_page(reply).title == "We Keep Dancing"
    await bot.stop()
    assert "importing 3 files" in bot.output()
    assert standin.world.token not in bot.output()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 30) -> None:
    """Wait until `check()` holds: what another process writes comes with no event to wait on."""
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


async def posted_today(store: Store, guild_id: int) -> bool:
    """Whether the guild's daily post is done for today: the next one is due tomorrow."""
    schedule = await store.daily(guild_id)
    return schedule is not None and schedule.next_post_at > store.clock()


@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    """A PostgreSQL database as a host makes it for the bot: no schema, no stories."""
    url = await POSTGRES.fresh_database(schema=False)
    yield url
    await POSTGRES.drop(url)


@pytest.mark.skipif("postgres" not in ENGINES, reason="TEST_ENGINES leaves PostgreSQL out")
async def test_two_processes_of_a_shard_each_share_a_library_and_survive_a_kill(
    standin: Standin, tmp_path: Path, processes: list[BotProcess], empty_postgres: str
) -> None:
    story_club, other_club = standin.world.guild("Story Club"), standin.world.guild("Other Club")
    story_club.id, other_club.id = on_shard(0, 2), on_shard(1, 2)
    other_club.roles.append(Role("Moderator", MODERATOR_PERMISSIONS))
    other_club.members["moderator"] = ["Moderator"]
    shared = {"DATABASE_URL": empty_postgres, "SHARD_COUNT": "2"}
    shards = [
        BotProcess(standin, tmp_path, f"shard-{shard}", **{"SHARD_IDS": str(shard)} | shared)
        for shard in (0, 1)
    ]
    processes.extend(shards)
    both = ((0, 2), (1, 2))

    # Both start at once on an empty database: migrated once, the samples imported once.
    await asyncio.gather(*(bot.start() for bot in shards))
    await standin.until(lambda: connected(standin, *both), "both shards to connect", 30)
    reader, reader2 = standin.user("reader", "Story Club"), standin.user("reader2", "Other Club")
    opened = await reader2.slash("read", story="Heart Broken")
    assert reader_page(opened).title == "Heart Broken"
    dancing = await reader.slash("read", story="We Keep Dancing")
    assert reader_page(dancing).title == "We Keep Dancing"

    # An upload in Other Club (shard 1) is readable there at once, and never in Story Club; its
    # subscriber is sent one DM for the chapters appended to it, whichever process sends it.
    moderator = standin.user("moderator", "Other Club")
    lighthouse = standin.attachment("lighthouse.md", MARKDOWN)
    await (await moderator.slash("upload", file=lighthouse)).click("Confirm")
    there = await reader2.slash("read", story="The Lighthouse Keeper")
    assert reader_page(there).title == "The Lighthouse Keeper"
    here = await reader.slash("read", story="The Lighthouse Keeper")
    assert "couldn't find a story called" in here.text
    await reader2.slash("subscribe story", story="The Lighthouse Keeper")
    more = standin.attachment("more.txt", MORE_CHAPTERS)
    preview = await moderator.slash("upload", file=more, story="The Lighthouse Keeper")
    await preview.click("Confirm")
    dm = await standin.wait_for_message(standin.world.dm_channel(reader2.user))
    assert "new chapters 3–5" in dm.text

    for guild in ("Story Club", "Other Club"):
        await standin.user("moderator", guild).slash("daily set", channel="general", time="00:00")
    await asyncio.gather(*(bot.stop() for bot in shards))

    # A day later both start again; shard 1's process dies after Discord made its post but
    # before the answer reached it, and its successor finds the post and does not send another.
    store = await Store.open(empty_postgres)
    try:
        for guild in (story_club, other_club):
            schedule = await store.daily(guild.id)
            assert schedule is not None
            await store.reschedule_daily(guild.id, schedule.next_post_at - timedelta(days=1))
        posted = standin.stall("POST", f"/channels/{other_club.channel('general').id}/messages")
        await asyncio.gather(*(bot.start() for bot in shards))
        await asyncio.wait_for(posted.wait(), 30)
        await shards[1].stop(signal.SIGKILL)
        await shards[1].start()
        await standin.until(lambda: connected(standin, *both), "shard 1 to connect again", 30)

        for guild in (story_club, other_club):
            await eventually(partial(posted_today, store, guild.id), f"{guild.name}'s post")
    finally:
        await store.close()
    for guild in ("Story Club", "Other Club"):
        (post,) = standin.messages("general", guild)
        assert shown_excerpt(post).title == "Today's excerpt"

    # The message read before the restarts still turns its pages, on the new process.
    turned = await opened.click("Next ▶")
    assert reader_page(turned).footer.startswith("page 2 of")
    assert len(standin.dms("reader2")) == 1  # the restarted senders found nothing left to send
    await asyncio.gather(*(bot.stop() for bot in shards))
    imports = [bot.output().count("importing 3 files") for bot in shards]
    assert sorted(imports) == [0, 1]
    assert not any(standin.world.token in bot.output() for bot in shards)
