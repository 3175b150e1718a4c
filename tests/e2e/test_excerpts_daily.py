"""Excerpts and the daily post through the Discord stand-in, with the scheduler's clock in hand."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import discord.http
import pytest

from bot.app import StoryBot
from bot.store import DailySchedule
from standin.driver import Reply
from standin.server import Standin
from standin.world import EMBED_LINKS, Channel, Role
from tests.conftest import SAMPLE_LIBRARY, BotRunner, Clock, reader_page, shown_excerpt, unescaped

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


def _t(instant: datetime) -> str:
    """A time as the bot writes it for Discord to show in each reader's own zone."""
    return f"<t:{int(instant.timestamp())}:t>"


MESSAGES = "/channels/{id}/messages"


@pytest.fixture
def instant_discord_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py sends a request Discord answers 500 five times, waiting 1, 3, 5, 7 and 9 s
    after each; time here is the store's clock, so those waits take none."""
    sleep = asyncio.sleep

    async def no_wait(delay: float, result: object = None) -> object:
        return await sleep(0, result)

    patched = SimpleNamespace(**{**vars(asyncio), "sleep": no_wait})
    monkeypatch.setattr(discord.http, "asyncio", patched)


async def _schedule(bot: StoryBot, standin: Standin) -> DailySchedule:
    schedule = await bot.store.daily(standin.world.guild().id)
    assert schedule is not None
    return schedule


def _sends(standin: Standin) -> int:
    """How many times the bot has tried to post in #general."""
    return standin.requests.count(f"POST /channels/{standin.channel().id}/messages")


async def _failing_run(
    bot: StoryBot,
    standin: Standin,
    clock: Clock,
    status: int = 503,
    *,
    code: int = 0,
    tries: int = 1,
) -> DailySchedule:
    """One run of the scheduler at the daily post's due time, with Discord answering its send
    `status` (`tries` times: what discord.py sends before giving up); the schedule after."""
    clock.now = (await _schedule(bot, standin)).next_post_at
    standin.fail("POST", MESSAGES, status, code, times=tries)
    await bot.get_cog("Daily").post_due()
    assert standin.messages("general") == []
    return await _schedule(bot, standin)


async def test_excerpts_are_real_passages_and_their_buttons_work(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        reply = await reader.slash("excerpt", where="nsfw-reading")
        for _ in range(6):
            passage = unescaped(shown_excerpt(reply).passage)
            assert 300 <= len(passage) <= 1200
            assert _in_a_source_at_a_paragraph_start(passage), passage[:80]
            await reply.click("Another")
        opened = await reply.click("Read from here")
        first_line = unescaped(shown_excerpt(reply).passage).split("\n")[0]
        assert first_line in unescaped(reader_page(opened).text)
        only = await reader.slash("excerpt", story="We Keep Dancing", where="general")
        assert shown_excerpt(only).source.startswith("From “We Keep Dancing” by ")
        for _ in range(10):  # Mature stories never reach a channel that is not age-restricted
            drawn = await reader.slash("excerpt", where="general")
            assert not shown_excerpt(drawn).source.startswith("From “Hello, Princess”")


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
        post = shown_excerpt(posts[0])
        assert post.title == "Today's excerpt"
        assert post.footer == "Daily excerpt for 2026-06-01"
        assert _in_a_source_at_a_paragraph_start(unescaped(post.passage))
    clock.now = _at(9, 2)
    async with storybot() as bot:  # a restart just after the post
        await bot.get_cog("Daily").post_due()
        assert len(standin.messages("general")) == 1
        clock.now = _at(9, 0, day=2)
        await bot.get_cog("Daily").post_due()
        posts = standin.messages("general")
        assert len(posts) == 2
        assert shown_excerpt(posts[1]).footer == "Daily excerpt for 2026-06-02"
        assert shown_excerpt(posts[1]).passage != shown_excerpt(posts[0]).passage


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
    assert shown_excerpt(posts[0]).footer == (
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


@pytest.mark.usefixtures("instant_discord_retries")
# discord.py tries a 500 and a 429 five times before giving up
@pytest.mark.parametrize(("status", "tries"), [(500, 5), (503, 1), (429, 5)])
async def test_discord_failing_for_a_while_is_waited_out(
    storybot: BotRunner, standin: Standin, clock: Clock, status: int, tries: int
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        daily = bot.get_cog("Daily")
        tried_at = [_at(9)]
        for _ in range(12):
            schedule = await _failing_run(bot, standin, clock, status, tries=tries)
            assert schedule.paused_reason is None
            tried_at.append(schedule.next_post_at)
            clock.now = schedule.next_post_at - timedelta(seconds=30)
            sent = _sends(standin)
            await daily.post_due()  # the scheduler's minutely run before the retry: it waits
            assert _sends(standin) == sent
        waits = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
        assert waits == sorted(waits)
        assert waits[0] == timedelta(minutes=1)
        assert waits[-1] == timedelta(minutes=30)
        status_text = (await moderator.slash("daily status")).text
        assert f"Discord had trouble at {_t(_at(9))}; retrying at {_t(tried_at[-1])}" in status_text
        assert "Paused" not in status_text
        clock.now = tried_at[-1]
        await daily.post_due()  # Discord has recovered
        await daily.post_due()
        posts = standin.messages("general")
        assert len(posts) == 1
        assert shown_excerpt(posts[0]).footer == "Daily excerpt for 2026-06-01"
        status_text = (await moderator.slash("daily status")).text
        assert "retrying" not in status_text
        assert "Last post: 2026-06-01." in status_text
        clock.now = _at(9, day=2)
        await daily.post_due()
        posts = standin.messages("general")
        assert len(posts) == 2
        assert shown_excerpt(posts[1]).footer == "Daily excerpt for 2026-06-02"


async def test_a_day_discord_fails_throughout_is_given_up_and_the_next_posts(
    storybot: BotRunner, standin: Standin, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        schedule = await _schedule(bot, standin)
        tries = 0
        with caplog.at_level(logging.WARNING, logger="bot.cogs.daily"):
            while schedule.next_post_at < _at(0, day=2):
                schedule = await _failing_run(bot, standin, clock)
                assert schedule.paused_reason is None
                tries += 1
        assert clock.now >= _at(23, 30)  # it kept trying into the last half hour of the day
        assert 20 < tries < 60  # backed off: not every minute
        assert schedule.next_post_at == _at(9, day=2)
        given_up = await bot.store.daily_post(standin.world.guild().id, date(2026, 6, 1))
        assert given_up is not None
        assert given_up.message_id is None
        assert given_up.given_up_at == clock.now
        assert any("given up" in record.message for record in caplog.records)
        status_text = (await moderator.slash("daily status")).text
        assert "Paused" not in status_text
        assert "retrying" not in status_text
        assert f"Next post: <t:{int(_at(9, day=2).timestamp())}:F>" in status_text
        clock.now = _at(9, day=2)
        await bot.get_cog("Daily").post_due()
        await bot.get_cog("Daily").post_due()
    posts = standin.messages("general")
    assert len(posts) == 1
    assert shown_excerpt(posts[0]).footer == "Daily excerpt for 2026-06-02"


async def test_a_retry_that_cannot_read_the_channel_does_not_send_blind(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    clock.now = _at(8)
    async with storybot() as bot:
        await standin.user("moderator").slash("daily set", channel="general", time="09:00")
        await _failing_run(bot, standin, clock)  # the first send fails: it may have gone out
        standin.fail("GET", MESSAGES, 503)  # and at the next try the channel cannot be read
        clock.now = (await _schedule(bot, standin)).next_post_at
        sent = _sends(standin)
        await bot.get_cog("Daily").post_due()
        assert _sends(standin) == sent
        schedule = await _schedule(bot, standin)
        assert schedule.paused_reason is None
        assert schedule.next_post_at > clock.now
        clock.now = schedule.next_post_at
        await bot.get_cog("Daily").post_due()
    assert len(standin.messages("general")) == 1


async def test_a_day_that_ends_while_the_bot_is_down_mid_retry_is_given_up(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    clock.now = _at(8)
    async with storybot() as bot:
        await standin.user("moderator").slash("daily set", channel="general", time="09:00")
        for _ in range(3):
            await _failing_run(bot, standin, clock)
    clock.now = _at(10, day=2)
    async with storybot() as bot:
        await bot.get_cog("Daily").post_due()
        await bot.get_cog("Daily").post_due()
        given_up = await bot.store.daily_post(standin.world.guild().id, date(2026, 6, 1))
        assert given_up is not None
        assert given_up.given_up_at == _at(10, day=2)
        assert (await _schedule(bot, standin)).trouble_since is None
    posts = standin.messages("general")
    assert len(posts) == 1
    assert shown_excerpt(posts[0]).footer == (
        "Daily excerpt for 2026-06-02 · posted late: I was offline at posting time"
    )


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (403, 50013, "Paused because I am not allowed to post in <#"),
        (404, 10003, "Paused because its channel was deleted."),
        (400, 50035, "Paused because Discord refused it (400)."),  # trying again would not help
    ],
)
async def test_refused_or_deleted_pauses_even_while_retrying(
    storybot: BotRunner, standin: Standin, clock: Clock, status: int, code: int, reason: str
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        for _ in range(6):  # Discord failing for a while first
            await _failing_run(bot, standin, clock)
        schedule = await _failing_run(bot, standin, clock, status, code=code)
        assert schedule.paused_reason is not None
        assert reason in schedule.paused_reason
        shown = await moderator.slash("settings show")
        told = await shown.followup()
        assert "Heads up: the daily excerpt is paused" in told.text
        assert reason in told.text
        status_text = (await moderator.slash("daily status")).text
        assert reason in status_text
        assert "retrying" not in status_text
        sent = _sends(standin)
        clock.now = _at(11)
        await bot.get_cog("Daily").post_due()  # paused: no retry until a moderator resumes it
        assert _sends(standin) == sent
        await moderator.slash("daily set", channel="general", time="09:00")
        again = (await moderator.slash("daily status")).text
        assert "Paused" not in again
        assert "retrying" not in again
    assert standin.messages("general") == []


async def test_the_backoff_survives_a_restart(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        for _ in range(3):  # at 09:00, 09:01 and 09:02
            schedule = await _failing_run(bot, standin, clock)
    retry_at = schedule.next_post_at
    clock.now = _at(9, 3)  # the next try is due at 09:04
    async with storybot() as bot:
        sent = _sends(standin)
        await bot.get_cog("Daily").post_due()
        assert _sends(standin) == sent
        status_text = (await moderator.slash("daily status")).text
        assert f"retrying at {_t(retry_at)}" in status_text
        clock.now = retry_at
        await bot.get_cog("Daily").post_due()
        await bot.get_cog("Daily").post_due()
    posts = standin.messages("general")
    assert len(posts) == 1
    assert shown_excerpt(posts[0]).footer == "Daily excerpt for 2026-06-01"


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


async def test_the_daily_post_needs_only_to_see_and_send_in_its_channel(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    club = standin.world.guild()
    club.channels.append(Channel("no-embeds", overwrites={"Storybot": (0, EMBED_LINKS)}))
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        accepted = await moderator.slash("daily set", channel="no-embeds", time="09:00")
        no_embeds = club.channel("no-embeds").id
        assert accepted.text.startswith(f"Daily excerpt in <#{no_embeds}> at 09:00 (UTC).")
        clock.now = _at(9)
        await bot.get_cog("Daily").post_due()
        post = await standin.wait_for_message("no-embeds")
        assert shown_excerpt(post).footer == "Daily excerpt for 2026-06-01"
        refused = await moderator.slash("daily set", channel="locked", time="09:00")
        assert refused.text == (
            f"I can't post in <#{club.channel('locked').id}>: I need Send Messages there. "
            "Give me those permissions or pick another channel."
        )
        status = await moderator.slash("daily status")
        assert status.text.startswith(f"Daily excerpt in <#{no_embeds}>")


@pytest.mark.parametrize("older", [False, True], ids=["layout", "an older version's embed"])
async def test_a_stop_between_sending_and_recording_does_not_post_twice(
    storybot: BotRunner,
    standin: Standin,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    older: bool,
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
    if older:  # the post that went out was an older version's: an embed, marked in its footer
        embed = {"title": "Today's excerpt", "footer": {"text": "Daily excerpt for 2026-06-01"}}
        standin.messages("general")[0].data |= {"flags": 0, "components": [], "embeds": [embed]}
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


async def test_a_send_whose_answer_was_lost_is_not_posted_again_unseen(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        clock.now = _at(9)
        standin.fail("POST", MESSAGES, 503, lost=True)  # posted, but Discord's answer is lost
        await bot.get_cog("Daily").post_due()
        assert len(standin.messages("general")) == 1
        standin.fail("GET", MESSAGES, 403, 50001)  # and the retry cannot see that it went out
        clock.now = (await _schedule(bot, standin)).next_post_at
        await bot.get_cog("Daily").post_due()
        assert _sends(standin) == 2  # sent again, blind: Discord knows the post by its nonce
        await bot.get_cog("Daily").post_due()
        status = await moderator.slash("daily status")
    posts = standin.messages("general")
    assert len(posts) == 1
    assert shown_excerpt(posts[0]).footer == "Daily excerpt for 2026-06-01"
    assert "Last post: 2026-06-01." in status.text


async def test_moderators_hear_of_a_pause_once(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        standin.fail("POST", MESSAGES, 404, 10003)
        clock.now = _at(9)
        await bot.get_cog("Daily").post_due()
        told = await (await moderator.slash("settings show")).followup()
        assert "Heads up: the daily excerpt is paused" in told.text
        assert await _no_followup(await moderator.slash("settings show"))
    async with storybot():  # and not again after a restart
        assert await _no_followup(await moderator.slash("settings show"))


async def _no_followup(reply: Reply) -> bool:
    """Whether no follow-up comes: one would be sent within moments of the answer."""
    await asyncio.sleep(0.2)
    return reply.followups == []


async def test_daily_off_stops_the_posts(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot() as bot:
        await moderator.slash("daily set", channel="general", time="09:00")
        assert (await moderator.slash("daily off")).text == "The daily excerpt is off."
        assert (await moderator.slash("daily off")).text == "No daily excerpt was set."
        clock.now = _at(9)
        await bot.get_cog("Daily").post_due()
        status = await moderator.slash("daily status")
    assert standin.messages("general") == []
    assert "No daily excerpt is set" in status.text


async def test_a_day_the_bot_was_down_throughout_is_not_posted_for(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator = standin.user("moderator")
    clock.now = _at(8)
    async with storybot():
        await moderator.slash("daily set", channel="general", time="09:00")
    clock.now = _at(7, day=3)  # down from before the 1st's post until the 3rd's morning
    async with storybot() as bot:
        await bot.get_cog("Daily").post_due()
        assert standin.messages("general") == []
        status = await moderator.slash("daily status")
        assert f"Next post: <t:{int(_at(9, day=3).timestamp())}:F>" in status.text
        clock.now = _at(9, day=3)
        await bot.get_cog("Daily").post_due()
    posts = standin.messages("general")
    assert len(posts) == 1
    assert shown_excerpt(posts[0]).footer == "Daily excerpt for 2026-06-03"
