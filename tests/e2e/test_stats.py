"""Reading figures through the Discord stand-in, with the clock moved over several days:
/library stats for moderators, /story stats for a story's author and moderators, and the same
numbers from `python -m bot stats`."""

from __future__ import annotations

import asyncio
import os
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from matplotlib import image

from standin.server import Standin
from standin.world import User
from tests.conftest import REPO, BotRunner, Clock, reader_page
from tests.e2e.test_submissions import opened, submit
from tests.e2e.test_uploads import upload
from tests.samples import MARKDOWN

TITLE = "The Lighthouse Keeper"


def _png(standin: Standin, reply: object) -> bytes:
    """The chart a reply carries, checked to be a whole PNG of a size a phone shows well."""
    [attached] = reply.message.attachments  # type: ignore[attr-defined]
    data = standin.file(attached)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 2000 and 600 <= height <= 2000
    pixels = image.imread(BytesIO(data), format="png")
    # Opaque: on Discord's dark and light backgrounds alike it shows its own light card.
    assert pixels.shape[2] == 3 or pixels[:, :, 3].min() == 1.0
    return data


def _cli_stats(database: str, guild_id: int) -> str:
    where = {"DATABASE_URL": database} if "://" in database else {"DATABASE_PATH": database}
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "COLUMNS": "200"} | where
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--guild", str(guild_id), "--days", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


async def test_moderators_see_what_was_read_over_several_days_and_no_one_below_three(
    storybot: BotRunner, standin: Standin, clock: Clock, database: str
) -> None:
    club = standin.world.guild("Story Club")
    for name in ("reader3", "reader4"):
        standin.world.users.append(User(name))
        club.members[name] = []
    moderator = standin.user("moderator")
    reader, reader2, reader3, reader4 = (
        standin.user(name) for name in ("reader", "reader2", "reader3", "reader4")
    )
    # Two days ago and yesterday, so that the command line, on the real clock, sees them too.
    today = datetime.now(UTC)
    clock.now = today - timedelta(days=2)
    async with storybot() as bot:
        empty = await moderator.slash("library stats")
        assert "Nothing was read here in the last 30 days yet." in empty.text
        _png(standin, empty)

        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        first = await reader.slash("read", story=TITLE)
        end = await first.click("Next chapter ▶")
        assert reader_page(end).footer.startswith("page 1 of 1 · chapter 2 of 2")
        stopped = await reader2.slash("read", story=TITLE)
        await reader3.slash("read", story=TITLE)
        await bot.store.flush()
        clock.now = today - timedelta(days=1)
        await reader4.slash("read", story=TITLE)
        await reader4.slash("excerpt")
        await stopped.click("Next chapter ▶")
        await bot.store.flush()
        clock.now = today

        stats = await moderator.slash("library stats", days=30)
        assert stats.ephemeral
        text = stats.text
        assert "4 readers read 6 pages; stories started 4, finished < 3; excerpts drawn 1" in text
        assert f"Busiest day: {(today - timedelta(days=2)).date()}, 3 readers and 4 pages." in text
        assert f"1. {TITLE}: 4 readers, < 3 finished, 0 kudos" in text
        _png(standin, stats)

        story = await moderator.slash("story stats", story=TITLE)
        assert f"**{TITLE}**: 4 readers, < 3 finished, 0 kudos" in story.text
        assert "Chapter 1 → 2: < 3 of the 4 readers who opened chapter 1 reached chapter 2." in (
            story.text
        )
        _png(standin, story)

        refused = await reader.slash("library stats")
        assert "Only moderators can do that here" in refused.text
        assert not refused.message.attachments
        not_theirs = await reader.slash("story stats", story=TITLE)
        assert "You can change only the stories you wrote here" in not_theirs.text
        with pytest.raises(AssertionError, match="between 1 and 365"):
            await moderator.slash("library stats", days=366)

        printed = await asyncio.to_thread(_cli_stats, database, club.id)
        assert "4 readers read 6 pages; stories started 4, finished < 3" in printed
        assert f"1. {TITLE}: 4 readers, < 3 finished, 0 kudos" in printed


async def test_a_storys_author_sees_its_figures_and_no_one_else_of_the_members(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer, other = (standin.user(name) for name in ("moderator", "reader", "reader2"))
    async with storybot() as bot:
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        await (await opened(moderator, TITLE)).click("Approve")
        await other.slash("read", story=TITLE)
        await bot.store.flush()  # the place is written just after the page is shown
        theirs = await writer.slash("story stats", story=TITLE)
        assert f"**{TITLE}**: < 3 readers, 0 finished" in theirs.text
        assert "Chapter 1 → 2: 0 of the < 3 readers" in theirs.text
        _png(standin, theirs)
        refused = await other.slash("story stats", story=TITLE)
        assert "You can change only the stories you wrote here" in refused.text
        in_dms = await writer.slash("story stats", story=TITLE, where="dm")
        assert "only works in a server" in in_dms.text
