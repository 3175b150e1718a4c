"""The bot's own work (daily posts, notices, digests) waits its turn in the bot's pacing at each
request it makes, discord.py's tries again after a 429 too; answers to readers do not wait."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.pacing import Pacing
from standin.server import Standin
from tests.conftest import BotRunner, Clock
from tests.e2e.test_submissions import opened, submit
from tests.e2e.test_uploads import upload
from tests.samples import MARKDOWN


@pytest.fixture
def turns(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """One entry for each turn taken in the bot's pacing."""
    taken: list[object] = []
    acquire = Pacing.acquire

    async def counted(self: Pacing) -> None:
        taken.append(self)
        await acquire(self)

    monkeypatch.setattr(Pacing, "acquire", counted)
    return taken


async def _requests_and_turns(
    standin: Standin, turns: list[object], work: Callable[[], Awaitable[object]]
) -> tuple[list[str], int]:
    """The requests `work` made with the bot's token (those Discord counts against its global
    limit: not answers to interactions), and the turns it took in the pacing."""
    made, taken = len(standin.requests), len(turns)
    await work()
    counted = [
        route
        for route in standin.requests[made:]
        if not route.split()[1].startswith(("/interactions/", "/webhooks/"))
    ]
    return counted, len(turns) - taken


async def test_a_daily_post_answered_429_waits_its_turn_again_and_a_reader_never_waits(
    storybot: BotRunner, standin: Standin, clock: Clock, turns: list[object]
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    clock.now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        clock.now += timedelta(hours=1)
        standin.fail("POST", "/channels/{id}/messages", 429, retry_after=0.01, is_global=True)
        requests, taken = await _requests_and_turns(standin, turns, bot.get_cog("Daily").post_due)
        assert len(standin.messages("general")) == 1
        assert requests == [requests[0]] * 2  # the try answered 429, and the one that posted
        assert requests[0].startswith("POST /channels/")
        assert taken == 2
        _, taken = await _requests_and_turns(
            standin, turns, lambda: reader.slash("read", story="Heart Broken")
        )
        assert taken == 0


async def test_each_request_of_a_subscribers_notice_waits_its_turn(
    storybot: BotRunner, standin: Standin, turns: list[object]
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await reader.slash("subscribe all")
        await (await upload(moderator, standin, "lighthouse.md", MARKDOWN)).click("Confirm")
        requests, taken = await _requests_and_turns(
            standin, turns, bot.get_cog("Subscriptions").deliver_pending
        )
    assert len(standin.dms(reader)) == 1
    assert "POST /users/@me/channels" in requests  # its DM channel opened, then the notice sent
    assert taken == len(requests) == 2


async def test_an_authors_digest_waits_its_turn(
    storybot: BotRunner, standin: Standin, clock: Clock, turns: list[object]
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        await (await opened(moderator, "The Lighthouse Keeper")).click("Approve")
        card = await standin.user("reader2").slash("story info", story="The Lighthouse Keeper")
        await card.click("♥ Kudos")
        await bot.store.flush()
        clock.now += timedelta(days=1)
        dm = standin.world.dm_channel(writer.user)
        told = len(standin.messages(dm))
        requests, taken = await _requests_and_turns(
            standin, turns, bot.get_cog("Together").send_digests
        )
    assert "since yesterday" in standin.messages(dm)[told].text
    assert requests and taken == len(requests)
