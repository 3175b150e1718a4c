"""The daily excerpt: moderators set a channel and a local time; the bot posts exactly once a day.

Each post is claimed in the database before it is sent and marked sent after, so a restart
never posts twice for one day; a claim left unsent by a stop is finished on the next start,
after checking the channel for a post that did go out. When Discord fails in a way that passes
(a 5xx answer, a timeout, a lost connection) the post is tried again with backoff through its
local day, then given up for that day; only a refusal (403) or a deleted channel (404) pauses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.access import Viewer
from bot.errors import UserFacingError
from bot.library.render import escape
from bot.library.schedule import (
    catch_up,
    following,
    is_late,
    local_date,
    parse_time,
    parse_zone,
    retry_at,
    time_zones,
    upcoming,
)
from bot.moderation import (
    IN_SERVERS,
    MODERATOR_PERMISSIONS,
    SERVER_INSTALL,
    for_moderators,
    moderators_only,
)
from bot.pacing import own_work
from bot.store import BrowseFilters, DailySchedule, Excerpt
from bot.ui import limits
from bot.ui.cards import describe_daily
from bot.ui.excerpts import excerpt_view
from bot.ui.lookup import server_of, tag_autocomplete

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

POSTERS = 16  # guilds posted at once: enough that the pacing, not each post's reads, sets the rate
_RECENT_MESSAGES = 25


class _StillRateLimited(Exception):
    """Discord answered 429 to every one of discord.py's tries: a busy moment, not a refusal."""


# Discord down (any 5xx: discord.py raises DiscordServerError for them), slow, out of reach or
# still rate limiting: worth waiting out, unlike a refusal
_PASSING_FAILURES = (
    discord.DiscordServerError,
    TimeoutError,
    aiohttp.ClientError,
    _StillRateLimited,
)


def _marker(day: date) -> str:
    return f"Daily excerpt for {day.isoformat()}"


def _text_displays(components: Sequence[Any]) -> list[str]:
    """The texts of the text displays among a message's `components`, nested ones included."""
    texts = []
    for component in components:
        if isinstance(component, discord.TextDisplay):
            texts.append(component.content)
        texts += _text_displays(getattr(component, "children", ()))
    return texts


def _nonce(guild_id: int, day: date) -> int:
    """The same nonce for every send of one guild's post for one day: Discord then returns the
    message already created instead of a second one."""
    digest = hashlib.sha256(f"{guild_id}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


async def _zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    wanted = current.strip().lower().replace(" ", "_")
    names = [name for name in time_zones() if wanted in name.lower()]
    names.sort(key=lambda name: (not name.lower().startswith(wanted), len(name), name))
    return [app_commands.Choice(name=name, value=name) for name in names[: limits.CHOICES]]


class Daily(commands.Cog):
    """The daily excerpt post, and its scheduler."""

    daily = app_commands.Group(
        name="daily",
        description="A passage posted to a channel every day",
        allowed_contexts=IN_SERVERS,
        default_permissions=MODERATOR_PERMISSIONS,
        allowed_installs=SERVER_INSTALL,
    )

    def __init__(self, bot: StoryBot):
        self.bot = bot
        self._posting = asyncio.Lock()

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        self.scheduler.cancel()

    @tasks.loop(minutes=1)
    async def scheduler(self) -> None:
        try:
            await self.post_due()
        except Exception:  # one bad minute must not stop the loop
            log.exception("daily scheduler failed")

    @scheduler.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @own_work
    async def post_due(self) -> None:
        """Post every daily excerpt that is due by the store's clock (one run at a time; a few
        guilds at once within it, their requests paced as the bot's own work)."""
        async with self._posting:
            now = self.bot.store.clock()
            slots = asyncio.Semaphore(POSTERS)

            async def post(schedule: DailySchedule) -> None:
                async with slots:
                    try:
                        await self._post_for(schedule, now)
                    except Exception:  # one guild's failure must not stop the others
                        log.exception("daily post for guild %d failed", schedule.guild_id)

            await asyncio.gather(
                *(post(s) for s in await self.bot.store.due_dailies(now, self.bot.shards_held))
            )

    async def _post_for(self, schedule: DailySchedule, now: datetime) -> None:
        """Post the schedule's due post; when Discord fails in a way that passes, try again
        later that day, and give the post up once its day is over."""
        store = self.bot.store
        zone = parse_zone(schedule.timezone)
        at = parse_time(schedule.post_time)
        since = schedule.trouble_since
        if since and local_date(since, zone) < local_date(now, zone):
            # the bot was stopped, between two tries, when that post's day ended
            missed = local_date(since, zone)
            await self._give_up(schedule, missed, following(missed, at, zone))
            return
        slot = catch_up(schedule.next_post_at, now, at, zone)
        if slot > now:
            await store.reschedule_daily(schedule.guild_id, slot)
            return
        day = local_date(slot, zone)
        try:
            await self._post_on(schedule, day, is_late(slot, now), following(day, at, zone))
        except _PASSING_FAILURES as error:
            since = since or now  # unless an earlier try failed, the trouble begins now
            again = retry_at(since, now, day, zone)
            if again is None:
                await self._give_up(schedule, day, following(day, at, zone))
                return
            await store.retry_daily_post(
                schedule.guild_id, day, trouble_since=since, retry_at=again
            )
            log.warning(
                "daily post for guild %d failed, trying again at %s: %r",
                schedule.guild_id,
                again.isoformat(),
                error,
            )

    async def _post_on(
        self, schedule: DailySchedule, day: date, late: bool, next_post_at: datetime
    ) -> None:
        """Claim and send the post for `day`, unless it went out already."""
        store = self.bot.store
        channel = await self._channel(schedule)
        if channel is None:
            return
        claim = await store.daily_post(schedule.guild_id, day)
        if claim is None:
            excerpt = await self._draw(schedule, channel, day)
            if excerpt is None:
                await self._pause(schedule, "no excerpt is available for it any more.")
                return
            claim = await store.claim_daily_post(
                schedule.guild_id, day, excerpt_id=excerpt.id, channel_id=channel.id, late=late
            )
        elif claim.message_id is None:
            # an earlier send failed or a stop left its outcome unknown: it may have gone out
            found = await self._find_post(channel, day)
            if found:
                await store.daily_post_sent(schedule.guild_id, day, found.id, next_post_at)
                return
        if claim.message_id is not None:
            await store.reschedule_daily(schedule.guild_id, next_post_at)
            return
        excerpt = await store.excerpt(_viewer(schedule, channel), claim.excerpt_id)
        if excerpt is None:
            excerpt = await self._draw(schedule, channel, day)
        if excerpt is None:
            await self._pause(schedule, "no excerpt is available for it any more.")
            return
        await self._send(schedule, channel, excerpt, day, claim.late, next_post_at)

    async def _give_up(self, schedule: DailySchedule, day: date, next_post_at: datetime) -> None:
        """Record the post for `day` as given up; the next one is due at `next_post_at`."""
        await self.bot.store.give_up_daily_post(schedule.guild_id, day, next_post_at)
        log.warning(
            "daily post for guild %d for %s given up: Discord failed until its day ended",
            schedule.guild_id,
            day,
        )

    async def _channel(self, schedule: DailySchedule) -> discord.TextChannel | None:
        # Looked up in its guild: the bot's get_channel searches every guild in turn, which for
        # a bot in 10,000 guilds cost about as much CPU as the rest of a post.
        guild = self.bot.get_guild(schedule.guild_id)
        try:
            channel = (guild and guild.get_channel(schedule.channel_id)) or (
                await self.bot.fetch_channel(schedule.channel_id)
            )
        except discord.NotFound:
            await self._pause(schedule, "its channel was deleted.")
            return None
        except discord.Forbidden:
            await self._pause(schedule, "I can no longer see its channel.")
            return None
        if not isinstance(channel, discord.TextChannel):
            await self._pause(schedule, "its channel is not a text channel any more.")
            return None
        return channel

    async def _draw(
        self, schedule: DailySchedule, channel: discord.TextChannel, day: date
    ) -> Excerpt | None:
        store = self.bot.store
        viewer = _viewer(schedule, channel)
        window = min(self.bot.settings.daily_no_repeat_days, await store.excerpt_count())
        excerpt = await store.draw_excerpt(
            viewer,
            tag=schedule.tag,
            not_posted_since=(day - timedelta(days=window)).isoformat(),
        )
        return excerpt or await store.least_recent_daily_excerpt(viewer, tag=schedule.tag)

    async def _find_post(self, channel: discord.TextChannel, day: date) -> discord.Message | None:
        """Our post for `day` in the channel's recent messages, if a send did go out."""
        try:
            async for message in channel.history(limit=_RECENT_MESSAGES):
                if message.author != self.bot.user:
                    continue
                # the marker is in the post's small print: a text display, or the embed footer
                # of a post from before posts were layouts
                texts = [embed.footer.text or "" for embed in message.embeds]
                texts += _text_displays(message.components)
                if any(_marker(day) in text for text in texts):
                    return message
        except discord.DiscordServerError:
            raise  # look again at the next try rather than send without knowing
        except discord.HTTPException:
            log.warning("could not read recent messages in channel %d", channel.id)
        return None

    async def _send(
        self,
        schedule: DailySchedule,
        channel: discord.TextChannel,
        excerpt: Excerpt,
        day: date,
        late: bool,
        next_post_at: datetime,
    ) -> None:
        store = self.bot.store
        footer = _marker(day) + (" · posted late: I was offline at posting time" if late else "")
        role = channel.guild.get_role(schedule.role_id) if schedule.role_id else None
        query_id = await store.save_browse_filters(schedule.guild_id, _filters(schedule))
        try:
            message = await channel.send(
                view=excerpt_view(
                    excerpt,
                    query_id,
                    None,
                    title="Today's excerpt",
                    footer=footer,
                    ping=role.mention if role else "",
                ),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=False, roles=[role] if role else False
                ),
                nonce=_nonce(schedule.guild_id, day),
            )
        except discord.Forbidden:
            await self._pause(schedule, f"I am not allowed to post in <#{channel.id}> any more.")
            return
        except discord.NotFound:
            await self._pause(schedule, "its channel was deleted.")
            return
        except discord.DiscordServerError:
            raise  # waited out by _post_for
        except discord.HTTPException as error:
            if error.status == 429:
                raise _StillRateLimited from error
            await self._pause(schedule, f"Discord refused it ({error.status}).")
            return
        await store.daily_post_sent(schedule.guild_id, day, message.id, next_post_at)
        log.info("daily excerpt posted in guild %d for %s", schedule.guild_id, day)

    async def _pause(self, schedule: DailySchedule, reason: str) -> None:
        """Stop posting, keep the reason, and tell the moderators once."""
        store = self.bot.store
        await store.pause_daily(schedule.guild_id, f"Paused because {reason}")
        log.warning("daily excerpt paused in guild %d: %s", schedule.guild_id, reason)
        guild = self.bot.get_guild(schedule.guild_id)
        channel = guild.system_channel if guild else None
        if channel is None or not channel.permissions_for(channel.guild.me).send_messages:
            return  # told on a moderator's next command instead
        try:
            await channel.send(
                f"The daily excerpt is paused because {reason} A moderator can see the details "
                "with `/daily status` and resume it with `/daily set`.",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            return
        await store.mark_pause_told(schedule.guild_id)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[StoryBot],
        command: app_commands.Command[Any, ..., Any],
    ) -> None:
        """Tell a moderator about a pause nobody has been told about yet."""
        if interaction.guild_id is None or not for_moderators(command):
            return
        schedule = await self.bot.store.daily(interaction.guild_id)
        if schedule is None or not schedule.paused_reason or schedule.paused_told:
            return
        if not await self.bot.store.take_pause_news(interaction.guild_id):
            return  # another command told it meanwhile
        try:
            await interaction.followup.send(
                f"Heads up: the daily excerpt is paused. {schedule.paused_reason} "
                "Run `/daily set` again once it is fixed.",
                ephemeral=True,
            )
        except discord.HTTPException:
            log.warning("could not tell a moderator of guild %d of the pause", schedule.guild_id)

    @daily.command(name="set")
    @moderators_only
    @app_commands.describe(
        channel="Where to post the excerpt",
        time="Local time of day to post, like 09:00 or 9pm",
        timezone="Your time zone (default: UTC), like Europe/London",
        role="A role to ping with each post",
        tag="Only excerpts from stories with this tag",
    )
    @app_commands.autocomplete(timezone=_zone_autocomplete, tag=tag_autocomplete)
    async def set_(
        self,
        interaction: discord.Interaction[StoryBot],
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] = "UTC",
        role: discord.Role | None = None,
        tag: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Post an excerpt to a channel every day at a local time (moderators)."""
        try:
            at, zone = parse_time(time), parse_zone(timezone)
        except ValueError as error:
            raise UserFacingError(str(error)) from None
        _check_can_post(channel, role)
        store = interaction.client.store
        tag = (tag or "").strip()
        channel_viewer = Viewer(interaction.user.id, interaction.guild_id, channel.is_nsfw())
        if tag and not await store.draw_excerpt(channel_viewer, tag=tag):
            raise UserFacingError(f"No story here tagged “{escape(tag)}” has an excerpt to post.")
        next_post_at = upcoming(store.clock(), at, zone)
        await store.set_daily(
            server_of(interaction),
            channel_id=channel.id,
            post_time=at.strftime("%H:%M"),
            timezone=zone.key,
            role_id=role.id if role else None,
            tag=tag,
            next_post_at=next_post_at,
            set_by=interaction.user.id,
        )
        schedule = await store.daily(server_of(interaction))
        await interaction.response.send_message(describe_daily(schedule), ephemeral=True)

    @daily.command(name="status")
    @moderators_only
    async def status(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Where and when the daily excerpt is posted, and why it is paused if it is."""
        store = interaction.client.store
        schedule = await store.daily(server_of(interaction))
        text = describe_daily(schedule)
        last = await store.last_daily_post(server_of(interaction))
        if schedule and last:
            text += f"\nLast post: {last.posted_on.isoformat()}{' (late)' if last.late else ''}."
        await interaction.response.send_message(text, ephemeral=True)
        if schedule and schedule.paused_reason:
            await store.mark_pause_told(schedule.guild_id)

    @daily.command(name="off")
    @moderators_only
    async def off(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Stop the daily excerpt."""
        removed = await interaction.client.store.remove_daily(server_of(interaction))
        await interaction.response.send_message(
            "The daily excerpt is off." if removed else "No daily excerpt was set.",
            ephemeral=True,
        )

    @daily.command(name="now")
    @moderators_only
    async def now(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Post an excerpt to the daily channel right now, to try the set-up."""
        store = interaction.client.store
        schedule = await store.daily(server_of(interaction))
        if schedule is None:
            raise UserFacingError("No daily excerpt is set. Set one with `/daily set` first.")
        channel = interaction.client.get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserFacingError("The daily channel is gone: choose another with `/daily set`.")
        _check_can_post(channel, None)
        today = local_date(store.clock(), parse_zone(schedule.timezone))
        excerpt = await self._draw(schedule, channel, today)
        if excerpt is None:
            raise UserFacingError("There is no excerpt to post there.")
        query_id = await store.save_browse_filters(schedule.guild_id, _filters(schedule))
        await channel.send(
            view=excerpt_view(
                excerpt, query_id, None, title="Excerpt", footer="Posted with /daily now"
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        await interaction.response.send_message(
            f"Posted an excerpt in {channel.mention}.", ephemeral=True
        )


def _filters(schedule: DailySchedule) -> BrowseFilters:
    return BrowseFilters(tag=schedule.tag)


def _viewer(schedule: DailySchedule, channel: discord.TextChannel) -> Viewer:
    """Everyone who reads the daily channel: the post shows only what they all may see."""
    return Viewer(0, schedule.guild_id, channel.is_nsfw())


def _check_can_post(channel: discord.TextChannel, role: discord.Role | None) -> None:
    """Refuse a channel the post could not go out in. A post is a layout of text and buttons
    (no embeds, files or media), so Discord asks only that the bot see the channel and send
    there; a role's ping also needs that the role may be mentioned."""
    mine = channel.permissions_for(channel.guild.me)
    missing = [
        name
        for name, allowed in (
            ("View Channel", mine.view_channel),
            ("Send Messages", mine.send_messages),
        )
        if not allowed
    ]
    if role is not None and not role.mentionable and not mine.mention_everyone:
        missing.append("Mention @everyone, @here and All Roles (to ping that role)")
    if missing:
        raise UserFacingError(
            f"I can't post in {channel.mention}: I need {', '.join(missing)} there. "
            "Give me those permissions or pick another channel."
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Daily(bot))
