"""Excerpts and the daily post through the Discord stand-in, with the scheduler's clock in hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import SAMPLE_LIBRARY, BotRunner, Clock, unescaped
from tests.standin.server import Standin
from tests.standin.world import Role

# the library keeps one blank line between paragraphs, whatever the file had
SOURCES = [
    re.sub(r"\n{3,}", "\n\n", path.read_text(encoding="utf-8"))
    for path in sorted(SAMPLE_LIBRARY.glob("*.txt"))
]


def _in_a_source_at_a_paragraph_start(passage: str) -> bool:
    for source in SOURCES:
        at = source.find(passage)
        if at == 0 or (at > 0 and source[at - 1] == "\n"):
            return True
    return False


class PowerCut(BaseException):
    """The process stops dead: nothing after this point runs."""


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


async def test_excerpts_are_real_passages_and_their_buttons_work(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        reply = await reader.slash("excerpt", where="nsfw-reading")
        for _ in range(6):
            passage = unescaped(reply.embeds[0]["description"])
            assert 300 <= len(passage) <= 1200
            assert _in_a_source_at_a_paragraph_start(passage), passage[:80]
            await reply.click("Another")
        opened = await reply.click("Read from here")
        first_line = unescaped(reply.embeds[0]["description"]).split("\n")[0]
        assert first_line in unescaped(opened.embeds[0]["description"])
        only = await reader.slash("excerpt", story="We Keep Dancing", where="general")
        assert only.embeds[0]["title"] == "We Keep Dancing"
        for _ in range(10):  # Mature stories never reach a channel that is not age-restricted
            drawn = await reader.slash("excerpt", where="general")
            assert drawn.embeds[0]["title"] != "Hello, Princess"


async def test_daily_posts_exactly_once_a_day(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8, 58)
    async with storybot() as bot:
        reply = await moderator.slash("daily set", channel="general", time="09:00")
        assert "<#" in reply.text
        assert "09:00 (UTC)" in reply.text
        daily = bot.get_cog("Daily")
        await daily.post_due()
        assert standin.messages("general") == []
        clock.now = _at(9, 0)
        await daily.post_due()
        await daily.post_due()
        clock.now = _at(9, 1)
        await daily.post_due()
        posts = standin.messages("general")
        assert len(posts) == 1
        embed = posts[0].embeds[0]
        assert embed["title"] == "Today's excerpt"
        assert embed["footer"]["text"] == "Daily excerpt for 2026-06-01"
        assert _in_a_source_at_a_paragraph_start(unescaped(embed["description"]))
    clock.now = _at(9, 2)
    async with storybot() as bot:  # a restart just after the post
        await bot.get_cog("Daily").post_due()
        assert len(standin.messages("general")) == 1
        clock.now = _at(9, 0, day=2)
        await bot.get_cog("Daily").post_due()
        posts = standin.messages("general")
        assert len(posts) == 2
        assert posts[1].embeds[0]["footer"]["text"] == "Daily excerpt for 2026-06-02"
        assert posts[1].embeds[0]["description"] != posts[0].embeds[0]["description"]


async def test_a_bot_down_at_posting_time_posts_once_late(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    clock.now = _at(7)
    async with storybot():
        await standin.user("moderator").slash(
            "daily set", channel="general", time="10:30", timezone="Europe/London"
        )
    clock.now = _at(15)  # 16:00 in London: the bot was down at 10:30
    async with storybot() as bot:
        await bot.get_cog("Daily").post_due()
        await bot.get_cog("Daily").post_due()
    posts = standin.messages("general")
    assert len(posts) == 1
    assert posts[0].embeds[0]["footer"]["text"] == (
        "Daily excerpt for 2026-06-01 · posted late: I was offline at posting time"
    )


async def test_losing_permission_pauses_and_status_says_why(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        standin.fail("POST", "/channels/{id}/messages", 403, 50013)
        clock.now = _at(9)
        await bot.get_cog("Daily").post_due()
        assert standin.messages("general") == []
        shown = await moderator.slash("settings show")
        told = await shown.followup()
        assert "Heads up: the daily excerpt is paused" in told.text
        status = await moderator.slash("daily status")
        assert "Paused because I am not allowed to post in <#" in status.text
        assert "/daily set" in status.text
        clock.now = _at(9, 5)
        await bot.get_cog("Daily").post_due()  # paused: no retry until a moderator resumes it
        await moderator.slash("daily set", channel="general", time="09:00")
        again = await moderator.slash("daily status")
        assert "Paused" not in again.text
    assert standin.messages("general") == []


async def test_ordinary_members_cannot_set_the_daily_post(
    storybot: BotRunner, standin: Standin
) -> None:
    async with storybot():
        with pytest.raises(AssertionError, match="lacks the permissions"):
            await standin.user("reader").slash("daily set", channel="general", time="09:00")
        refused = await standin.user("moderator").slash(
            "daily set", channel="general", time="25:00"
        )
        assert "is not a time of day" in refused.text
        refused = await standin.user("moderator").slash("daily set", channel="locked", time="09:00")
        assert "I can't post in" in refused.text


async def test_a_stop_between_sending_and_recording_does_not_post_twice(
    storybot: BotRunner, standin: Standin, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = _at(8)
    async with storybot() as bot:
        await standin.user("moderator").slash("daily set", channel="general", time="09:00")

        async def power_cut(*args: object) -> None:
            raise PowerCut

        monkeypatch.setattr(bot.store, "daily_post_sent", power_cut)
        clock.now = _at(9)
        with pytest.raises(PowerCut):
            await bot.get_cog("Daily").post_due()
        monkeypatch.undo()
    assert len(standin.messages("general")) == 1
    clock.now = _at(9, 3)
    async with storybot() as bot:
        await bot.get_cog("Daily").post_due()
        await bot.get_cog("Daily").post_due()
        status = await standin.user("moderator").slash("daily status")
    assert len(standin.messages("general")) == 1
    assert "Last post: 2026-06-01" in status.text


async def test_the_moderator_role_opens_the_moderator_commands(
    storybot: BotRunner, standin: Standin
) -> None:
    club = standin.world.guild()
    club.roles.append(Role("Librarian", 0))
    club.members["reader"] = ["Librarian"]
    club.command_roles["daily"] = {"Librarian"}  # granted under Integrations by an admin
    librarian = standin.user("reader")
    async with storybot():
        refused = await librarian.slash("daily status")
        assert "Only moderators can do that here." in refused.text
        await standin.user("moderator").slash("settings moderator-role", role="Librarian")
        allowed = await librarian.slash("daily status")
        assert "No daily excerpt is set" in allowed.text
