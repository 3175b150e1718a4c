"""Subscriptions: readers follow a story, an author or everything new, and are told once.

Uploads write notices to the outbox in their own transaction; the sender here delivers them,
one line per story however many chapters arrived, in one message per reader (several, numbered,
when the news is too long for one), and marks each sent or failed with the reason. A restart
loses nothing: whatever is still pending is sent when the bot is back.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any, NamedTuple

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.access import Viewer
from bot.errors import UserFacingError
from bot.library.render import chapter_span, escape, plural, render_prose, shorten, spoiler
from bot.moderation import IN_SERVERS, SERVER_INSTALL
from bot.pacing import own_work
from bot.store import NEWS, Delivery, Following, Notice, Recipient, Subscription
from bot.ui import limits
from bot.ui.following import follow
from bot.ui.items import OUT_OF_DATE, Owned, StatelessLayout, StatelessView
from bot.ui.lookup import (
    author_autocomplete,
    followed_author_autocomplete,
    resolve_author,
    resolve_story,
    story_autocomplete,
    viewer_of,
)
from bot.ui.reader import OpenCopyButton

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENDERS = 16  # deliveries in flight at once; their requests are paced as the bot's own work
_BATCH = 200
_SENDER = uuid.uuid4().hex
"""This process, as the outbox knows it among others sending from the same library."""
_claims = itertools.count()
_DM_CLOSED = 50007


_HIDDEN_NEWS = (
    "• {count}, rated Mature, Explicit or Not Rated: shown only in age-restricted channels{dms}."
)


@dataclass(frozen=True)
class News:
    """One line of news: a story's, with the notice its "Read" button opens at, or the count
    of the stories not shown (no button)."""

    text: str
    notice_ids: tuple[int, ...]
    read_at: Notice | None = None


def notice_lines(notices: list[Notice], shown: set[int], *, in_dms: bool) -> list[News]:
    """One line per story, however many notices it has: new chapters are merged into a range,
    and its "Read" button opens the first of them.

    Only the notices in `shown` (those the recipient may see where they are told) are named;
    the others are counted in a last line that names nothing.
    """
    lines = []
    hidden = [n for n in notices if n.id not in shown]
    visible = [n for n in notices if n.id in shown]
    for _, group in groupby(
        sorted(visible, key=lambda n: (n.story_id, n.id)), key=lambda n: n.story_id
    ):
        items = list(group)
        title = render_prose(shorten(items[0].story_title, 100))
        story = f"“{title}” by {render_prose(shorten(items[0].author, 60))}"
        first = min(items, key=lambda n: n.first_chapter)
        last = max(n.last_chapter for n in items)
        about = f"{items[0].rating.value}"
        if items[0].warnings:
            about += f" · {spoiler(items[0].warnings, 300)}"
        if any(n.new_story for n in items):
            text = f"• New story: {story} ({plural(last, 'chapter')}) · {about}"
        else:
            text = f"• {story}: new {chapter_span(first.first_chapter, last)} · {about}"
        lines.append(News(text, tuple(n.id for n in items), first))
    if hidden:
        dms = " (and in DMs to readers who allow them with /mature-content)" if in_dms else ""
        count = plural(len({n.story_id for n in hidden}), "more story")
        lines.append(News(_HIDDEN_NEWS.format(count=count, dms=dms), tuple(n.id for n in hidden)))
    return lines


class NewsMessage(NamedTuple):
    view: StatelessLayout
    nonce: int
    """The id of its first notice: the same on every try, and no other message's."""
    notice_ids: tuple[int, ...]
    """The notices it tells of."""


def news_messages(heading: str, lines: list[News], *, ping: str = "") -> list[NewsMessage]:
    """The news as messages to send one after another, each with its nonce.

    A message holds at most 25 stories, each with its "Read" button (five rows of five: with
    the text, 31 of the 40 components a layout may hold), and at most 4,000 characters of text;
    a story's line is never cut. With several messages, each heading says which one it is;
    `ping` opens the first only.
    """
    numbering = len(f" ({len(lines)} of {len(lines)})")
    room = limits.LAYOUT_TEXT - len(f"{ping} {heading}:") - numbering
    parts: list[list[News]] = []
    used = stories = 0
    for line in lines:
        full = stories == limits.BUTTONS_PER_MESSAGE and line.read_at is not None
        if not parts or full or used + 1 + len(line.text) > room:
            parts.append([])
            used = stories = 0
        parts[-1].append(line)
        used += 1 + len(line.text)
        stories += line.read_at is not None
    messages = []
    for number, part in enumerate(parts, 1):
        title = heading if len(parts) == 1 else f"{heading} ({number} of {len(parts)})"
        if ping and number == 1:
            title = f"{ping} {title}"
        text = f"{title}:\n" + "\n".join(line.text for line in part)
        view = StatelessLayout(discord.ui.TextDisplay(text), *_read_buttons(part))
        ids = tuple(notice for line in part for notice in line.notice_ids)
        messages.append(NewsMessage(view, min(ids), ids))
    return messages


def _read_buttons(lines: list[News]) -> list[discord.ui.ActionRow[Any]]:
    """A "Read" button for each story named, five to a row: whoever taps one gets their own
    copy, in the channel or in DMs (where a member reads their server's stories)."""
    buttons = [
        OpenCopyButton.make(
            line.read_at.story_id,
            line.read_at.first_chapter,
            1,
            label=shorten(f"Read “{line.read_at.story_title}”", limits.BUTTON_LABEL),
        )
        for line in lines
        if line.read_at is not None
    ]
    return [discord.ui.ActionRow(*buttons[n : n + 5]) for n in range(0, len(buttons), 5)]


def _describe(subscription: Subscription) -> str:
    if subscription.kind is Following.EVERYTHING:
        return "Everything new on this server"
    if subscription.kind is Following.AUTHOR:
        return f"Author: {subscription.target}"
    return f"Story: {subscription.story_title or 'a story not shown here'}"


class Subscriptions(commands.Cog):
    """Following stories and authors, and delivering the news."""

    subscribe = app_commands.Group(
        name="subscribe",
        description="Be told when something new arrives",
        allowed_contexts=IN_SERVERS,
        allowed_installs=SERVER_INSTALL,
    )
    unsubscribe = app_commands.Group(
        name="unsubscribe",
        description="Stop being told about something",
        allowed_contexts=IN_SERVERS,
        allowed_installs=SERVER_INSTALL,
    )

    def __init__(self, bot: StoryBot):
        self.bot = bot
        self._sending = asyncio.Lock()
        self._dm_closed: set[int] = set()
        """Readers still to be told that a DM to them failed: the one check every command
        makes, kept here so that it costs no query."""

    async def cog_load(self) -> None:
        self._dm_closed = await self.bot.store.readers_to_tell_dm_closed()
        self.bot.add_dynamic_items(SubscriptionSelect)
        self.sender.start()

    async def cog_unload(self) -> None:
        self.sender.cancel()
        self.bot.remove_dynamic_items(SubscriptionSelect)

    # ------------------------------------------------------------------------- commands

    async def _unfollow(
        self, interaction: discord.Interaction[StoryBot], kind: Following, target: str, what: str
    ) -> None:
        assert interaction.guild_id is not None  # the unsubscribe commands are guild-only
        removed = await interaction.client.store.unsubscribe(
            interaction.user.id, interaction.guild_id, kind, target
        )
        await interaction.response.send_message(
            f"Unsubscribed from {what}." if removed else f"You weren't following {what}.",
            ephemeral=True,
        )

    @subscribe.command(name="story")
    @app_commands.describe(story="The story whose new chapters you want to hear about")
    @app_commands.autocomplete(story=story_autocomplete)
    async def subscribe_story(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Be told when a story gets new chapters."""
        found = await resolve_story(interaction, story)
        await follow(
            interaction, Following.STORY, str(found.id), f"new chapters of “{escape(found.title)}”"
        )

    @subscribe.command(name="author")
    @app_commands.describe(author="The author whose new stories and chapters you want")
    @app_commands.autocomplete(author=author_autocomplete)
    async def subscribe_author(
        self, interaction: discord.Interaction[StoryBot], author: app_commands.Range[str, 1, 100]
    ) -> None:
        """Be told when an author's stories arrive or grow."""
        name = await resolve_author(interaction, author)
        await follow(interaction, Following.AUTHOR, name.lower(), f"new work by {escape(name)}")

    @subscribe.command(name="all")
    async def subscribe_all(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Be told about every new story and chapter on this server."""
        await follow(interaction, Following.EVERYTHING, "", "every new story and chapter here")

    @unsubscribe.command(name="story")
    @app_commands.describe(story="The story to stop following")
    @app_commands.autocomplete(story=story_autocomplete)
    async def unsubscribe_story(
        self, interaction: discord.Interaction[StoryBot], story: str
    ) -> None:
        """Stop being told about a story."""
        found = await resolve_story(interaction, story)
        await self._unfollow(
            interaction, Following.STORY, str(found.id), f"“{escape(found.title)}”"
        )

    @unsubscribe.command(name="author")
    @app_commands.describe(author="The author to stop following")
    @app_commands.autocomplete(author=followed_author_autocomplete)
    async def unsubscribe_author(
        self, interaction: discord.Interaction[StoryBot], author: app_commands.Range[str, 1, 100]
    ) -> None:
        """Stop being told about an author."""
        name = await resolve_author(interaction, author, or_followed=True)
        await self._unfollow(interaction, Following.AUTHOR, name.lower(), escape(name))

    @unsubscribe.command(name="all")
    async def unsubscribe_all(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Stop being told about everything new here (what you follow by name stays)."""
        await self._unfollow(interaction, Following.EVERYTHING, "", "everything new here")

    @app_commands.command(name="subscriptions")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def subscriptions(self, interaction: discord.Interaction[StoryBot]) -> None:
        """What you follow here, how you are told, and a way to stop."""
        store = interaction.client.store
        followed = await store.subscriptions(await viewer_of(interaction))
        by_mention = (await store.subscriber(interaction.user.id)).by_mention
        lines = [f"• {escape(_describe(s))}" for s in followed] or [
            "You don't follow anything here yet: try /subscribe."
        ]
        how = "mentions in the announcements channel" if by_mention else "DMs"
        embed = discord.Embed(
            title="Your subscriptions",
            description=shorten("\n".join(lines), limits.EMBED_DESCRIPTION),
        )
        embed.set_footer(text=f"You are told by {how}.")
        view = StatelessView()
        view.add_item(SubscriptionSelect.make_delivery(interaction.user.id, by_mention))
        if followed:
            view.add_item(SubscriptionSelect.make_remove(interaction.user.id, followed))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[StoryBot], command: Any
    ) -> None:
        """Tell a reader, once, that a DM to them failed (closed DMs can't be told by DM)."""
        if interaction.guild_id is None or interaction.response.type not in (
            discord.InteractionResponseType.channel_message,
            discord.InteractionResponseType.deferred_channel_message,
        ):
            return
        if interaction.user.id not in self._dm_closed:
            return
        self._dm_closed.discard(interaction.user.id)
        if not await interaction.client.store.take_dm_closed_news(interaction.user.id):
            return
        try:
            await interaction.followup.send(
                "I couldn't DM you about new stories you follow: your DMs are closed to me. "
                "Open them, or choose mentions in the announcements channel with /subscriptions.",
                ephemeral=True,
            )
        except discord.HTTPException:
            log.info("could not tell user %d that their DMs are closed", interaction.user.id)

    # ------------------------------------------------------------------------- delivery

    @commands.Cog.listener(f"on_{NEWS}")
    async def on_news(self) -> None:
        """An upload queued notices: deliver them now rather than at the next tick."""
        if self.bot.is_ready():
            asyncio.create_task(self.deliver_pending())  # noqa: RUF006 (held by the loop's lock)

    @tasks.loop(seconds=30)
    async def sender(self) -> None:
        await self.deliver_pending()

    @sender.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @own_work
    async def deliver_pending(self) -> None:
        """Deliver everything pending; a recipient that fails a passing way waits for the next
        run (bounded by MAX_ATTEMPTS)."""
        async with self._sending:
            limit = asyncio.Semaphore(SENDERS)

            async def deliver(delivery: Delivery) -> None:
                async with limit:
                    try:
                        await self._deliver(delivery)
                    except Exception:
                        log.exception(
                            "delivering to %s %d failed",
                            delivery.recipient_kind,
                            delivery.recipient_id,
                        )

            # What this run claims stays its own until it ends: a send that failed in a
            # passing way is not tried again before the next run, nor by another process.
            claims: list[str] = []
            try:
                while True:
                    claims.append(f"{_SENDER}:{next(_claims)}")
                    batch = await self.bot.store.claim_deliveries(
                        claims[-1], _BATCH, shards=self.bot.shards_held
                    )
                    if not batch:
                        return
                    await asyncio.gather(*(deliver(d) for d in batch))
            finally:
                for claim in claims:
                    await self.bot.store.release_claim(claim)

    async def _deliver(self, delivery: Delivery) -> None:
        store = self.bot.store
        ids = [notice.id for notice in delivery.notices]
        guild_id = delivery.notices[0].guild_id
        guild = self.bot.get_guild(guild_id)
        settings = await store.guild_settings(guild_id)
        recipient = delivery.recipient_id
        try:
            if delivery.recipient_kind is Recipient.CHANNEL:
                role = (
                    guild.get_role(settings.announce_role_id)
                    if guild and settings.announce_role_id
                    else None
                )
                channel = await self._channel(recipient)
                shown = await self._shown(delivery, 0, channel.is_nsfw())
                await self._post(channel, role.mention if role else None, delivery, shown, role)
            elif (subscriber := await store.subscriber(recipient)).by_mention:
                if settings.announce_channel_id is None:
                    raise _Undeliverable("mentions chosen but no announcements channel is set")
                channel = await self._channel(settings.announce_channel_id)
                shown = await self._shown(delivery, recipient, channel.is_nsfw())
                pinged = discord.Object(recipient)
                await self._post(channel, f"<@{recipient}>", delivery, shown, pinged)
            else:
                age_ok = await store.mature_in_dms(recipient)
                shown = await self._shown(delivery, recipient, age_ok)
                lines = notice_lines(delivery.notices, shown, in_dms=True)
                dm = await self._dm_channel(recipient, subscriber.dm_channel_id)
                where = f"on {guild.name}" if guild else "in a server you follow"
                mentions = discord.AllowedMentions.none()
                await self._send_all(dm, news_messages(f"New {where}", lines), mentions)
        except _Undeliverable as error:
            await store.undeliverable(ids, str(error))
            return
        except discord.Forbidden as error:
            closed = delivery.recipient_kind is Recipient.READER and error.code == _DM_CLOSED
            await store.undeliverable(
                ids,
                "DMs closed" if closed else f"not allowed to post ({error.code})",
                dm_closed_user=recipient if closed else None,
            )
            if closed:
                self._dm_closed.add(recipient)
            return
        except discord.NotFound as error:
            await store.undeliverable(ids, f"recipient gone ({error.code})")
            return
        except discord.HTTPException as error:
            await store.delivery_failed(ids, f"Discord error {error.status}", MAX_ATTEMPTS)
            return
        await store.delivered(ids)

    async def _shown(self, delivery: Delivery, user_id: int, age_restricted_ok: bool) -> set[int]:
        """The delivery's notices the recipient may see where they are told."""
        shown: set[int] = set()
        for guild_id in {notice.guild_id for notice in delivery.notices}:
            viewer = Viewer(user_id, guild_id, age_restricted_ok)
            ids = [notice.id for notice in delivery.notices if notice.guild_id == guild_id]
            shown |= await self.bot.store.visible_notices(viewer, ids)
        return shown

    async def _dm_channel(self, user_id: int, channel_id: int | None) -> discord.PartialMessageable:
        """The reader's DM channel: opened once (a request of its own), then remembered."""
        if channel_id is None:
            channel_id = (await self.bot.create_dm(discord.Object(user_id))).id
            await self.bot.store.set_dm_channel(user_id, channel_id)
        return self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def _channel(self, channel_id: int) -> discord.TextChannel:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise _Undeliverable("the announcements channel is not a text channel")
        return channel

    async def _post(
        self,
        channel: discord.TextChannel,
        mention: str | None,
        delivery: Delivery,
        shown: set[int],
        pinged: Any,
    ) -> None:
        lines = notice_lines(delivery.notices, shown, in_dms=False)
        mentions = discord.AllowedMentions.none()
        if isinstance(pinged, discord.Role):
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[pinged])
        elif pinged is not None:
            mentions = discord.AllowedMentions(everyone=False, roles=False, users=[pinged])
        # a mention in a text display pings as in content: allowed_mentions still decide whom
        messages = news_messages("New in the library", lines, ping=mention or "")
        await self._send_all(channel, messages, mentions)

    async def _send_all(
        self,
        where: discord.abc.Messageable,
        messages: list[NewsMessage],
        mentions: discord.AllowedMentions,
    ) -> None:
        """Send the news's messages in turn. When it takes several, each one's notices are
        done once it is sent, so that a failure half-way sends only the rest again."""
        for number, message in enumerate(messages, 1):
            await where.send(view=message.view, allowed_mentions=mentions, nonce=message.nonce)
            if number < len(messages):
                await self.bot.store.delivered(list(message.notice_ids))


class _Undeliverable(Exception):
    """A notice that can never be delivered; the message says why."""


class SubscriptionSelect(
    Owned,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"subs:(?P<action>remove|delivery):(?P<owner>[^:]+)",
):
    """On /subscriptions: stop following something, or choose how to be told."""

    action: str

    @classmethod
    def make_remove(cls, owner: int, followed: list[Subscription]) -> SubscriptionSelect:
        options = [
            discord.SelectOption(
                label=shorten(_describe(s), limits.OPTION_LABEL),
                value=f"{s.kind}:{s.target}"[: limits.OPTION_VALUE],
            )
            for s in followed[: limits.SELECT_OPTIONS]
        ]
        return cls.select(options, placeholder="Stop following…", action="remove", owner=owner)

    @classmethod
    def make_delivery(cls, owner: int, by_mention: bool) -> SubscriptionSelect:
        options = [
            discord.SelectOption(label="Tell me by DM", value="dm", default=not by_mention),
            discord.SelectOption(
                label="Mention me in the announcements channel", value="mention", default=by_mention
            ),
        ]
        return cls.select(options, action="delivery", owner=owner)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        store = interaction.client.store
        value = self.item.values[0]
        if self.action == "delivery":
            await store.set_by_mention(interaction.user.id, value == "mention")
            message = (
                "I'll mention you in the announcements channel from now on."
                if value == "mention"
                else "I'll tell you by DM from now on."
            )
        else:
            kind, _, target = value.partition(":")
            if kind not in {following.value for following in Following}:
                raise UserFacingError(OUT_OF_DATE)
            if interaction.guild_id is None:
                raise UserFacingError("That only works in a server.")
            await store.unsubscribe(
                interaction.user.id, interaction.guild_id, Following(kind), target
            )
            message = "Done: you no longer follow that."
        await interaction.response.edit_message(content=message, embed=None, view=None)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Subscriptions(bot))
