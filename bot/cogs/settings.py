"""/settings: the one place for a guild's options."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.library.render import plural
from bot.library.text import file_size
from bot.moderation import IN_SERVERS, MODERATOR_PERMISSIONS, SERVER_INSTALL, moderators_only
from bot.store import GuildSettings
from bot.store.settings import Submitters
from bot.ui.cards import describe_daily
from bot.ui.lookup import server_of

if TYPE_CHECKING:
    from bot.app import StoryBot


def describe_submissions(settings: GuildSettings) -> str:
    """Who may submit stories here, and the limits."""
    if settings.submissions is Submitters.NOBODY:
        return "Members cannot submit stories (open it with `/settings submissions`)."
    who = (
        "Every member"
        if settings.submissions is Submitters.EVERYONE
        else f"Members with <@&{settings.writer_role_id}>"
    )
    size = (
        f"files up to {file_size(settings.submission_max_bytes)}"
        if settings.submission_max_bytes
        else "files as large as uploads"
    )
    return (
        f"{who} may submit stories for review: {size}, "
        f"{plural(settings.submissions_per_day, 'submission')} a day each."
    )


class Settings(commands.Cog):
    """A guild's options, for its moderators."""

    settings = app_commands.Group(
        name="settings",
        description="This server's storybot options",
        allowed_contexts=IN_SERVERS,
        default_permissions=MODERATOR_PERMISSIONS,
        allowed_installs=SERVER_INSTALL,
    )

    def __init__(self, bot: StoryBot):
        self.bot = bot

    @settings.command(name="moderator-role")
    @moderators_only
    @app_commands.describe(role="Members with this role count as moderators (leave empty to clear)")
    async def moderator_role(
        self, interaction: discord.Interaction[StoryBot], role: discord.Role | None = None
    ) -> None:
        """Choose the role whose members may use the moderator commands."""
        await interaction.client.store.set_moderator_role(
            server_of(interaction),
            role.id if role else None,
        )
        await interaction.response.send_message(
            f"Members with {role.mention} can now use the moderator commands. Give the role "
            "access to them under Server Settings → Integrations → storybot so they see them."
            if role
            else "Only members with Manage Server count as moderators now.",
            ephemeral=True,
        )

    @settings.command(name="submissions")
    @moderators_only
    @app_commands.describe(
        who="Who may submit their own stories for review",
        role="The writer role, when only writers may submit",
        max_size_kb="The largest file a member may submit, in KB (default: as large as an upload)",
        per_day="How many submissions a member may send in a day (default 3)",
    )
    @app_commands.choices(
        who=[
            app_commands.Choice(name="Nobody (off)", value=Submitters.NOBODY.value),
            app_commands.Choice(name="Every member", value=Submitters.EVERYONE.value),
            app_commands.Choice(name="Members with a writer role", value=Submitters.WRITERS.value),
        ]
    )
    async def submissions(
        self,
        interaction: discord.Interaction[StoryBot],
        who: str,
        role: discord.Role | None = None,
        max_size_kb: app_commands.Range[int, 1, 25 * 1024] | None = None,
        per_day: app_commands.Range[int, 1, 50] = 3,
    ) -> None:
        """Choose who may submit their own stories, which wait for a moderator's review."""
        submitters = Submitters(who)
        if submitters is Submitters.WRITERS and role is None:
            raise UserFacingError("Name the writer role too: `role` is who may submit.")
        store = interaction.client.store
        await store.set_submissions(
            server_of(interaction),
            submitters,
            writer_role_id=role.id if role and submitters is Submitters.WRITERS else None,
            max_bytes=max_size_kb * 1024 if max_size_kb else None,
            per_day=per_day,
        )
        await interaction.response.send_message(
            describe_submissions(
                await interaction.client.store.guild_settings(server_of(interaction))
            ),
            ephemeral=True,
        )

    @settings.command(name="trusted-writer")
    @moderators_only
    @app_commands.describe(
        member="The writer",
        trusted="Whether their new chapters skip the review queue",
    )
    async def trusted_writer(
        self,
        interaction: discord.Interaction[StoryBot],
        member: discord.Member,
        trusted: bool = True,
    ) -> None:
        """Let a writer's new chapters skip review (their new stories are still reviewed)."""
        await interaction.client.store.set_trusted_writer(
            server_of(interaction), member.id, trusted, by=interaction.user.id
        )
        await interaction.response.send_message(
            f"{member.mention}'s new chapters are published without review now."
            if trusted
            else f"{member.mention}'s new chapters wait for review again.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @settings.command(name="discussion-channel")
    @moderators_only
    @app_commands.describe(
        channel="A text channel (a thread a chapter) or a forum (a post a chapter); empty: off"
    )
    async def discussion_channel(
        self,
        interaction: discord.Interaction[StoryBot],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        """Choose where readers discuss chapters: each chapter gets its own thread there."""
        store = interaction.client.store
        if channel is None:
            await store.set_discussion_channel(server_of(interaction), None)
            await interaction.response.send_message(
                "Chapter discussions are off; their threads stay where they are.", ephemeral=True
            )
            return
        mine = channel.permissions_for(channel.guild.me)
        needed = {
            "View Channel": mine.view_channel,
            "Send Messages in Threads": mine.send_messages_in_threads,
            "Manage Threads": mine.manage_threads,
        }
        if isinstance(channel, discord.ForumChannel):
            needed["Send Messages"] = mine.send_messages  # what a forum post takes
        else:
            needed["Create Public Threads"] = mine.create_public_threads
        missing = [name for name, granted in needed.items() if not granted]
        if missing:
            raise UserFacingError(
                f"I can't hold discussions in {channel.mention}: give me "
                f"{', '.join(missing)} there."
            )
        await store.set_discussion_channel(server_of(interaction), channel.id)
        await interaction.response.send_message(
            f"Chapters are discussed in {channel.mention} now: a reader's “Discuss” opens the "
            "chapter's thread there, made once and shared by everyone.",
            ephemeral=True,
        )

    @settings.command(name="show")
    @moderators_only
    async def show(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Show all of this server's storybot options."""
        store = interaction.client.store
        settings = await store.guild_settings(server_of(interaction))
        role = (
            f"<@&{settings.moderator_role_id}>"
            if settings.moderator_role_id
            else "none (members with Manage Server only)"
        )
        embed = discord.Embed(title="Settings")
        embed.add_field(name="Moderator role", value=role, inline=False)
        announcements = (
            f"<#{settings.announce_channel_id}>"
            + (f", pinging <@&{settings.announce_role_id}>" if settings.announce_role_id else "")
            if settings.announce_channel_id
            else "off (set with `/announce set`)"
        )
        embed.add_field(name="Announcements of new stories", value=announcements, inline=False)
        embed.add_field(name="Submissions", value=describe_submissions(settings), inline=False)
        embed.add_field(
            name="Chapter discussions",
            value=f"<#{settings.discussion_channel_id}>"
            if settings.discussion_channel_id
            else "off (set with `/settings discussion-channel`)",
            inline=False,
        )
        embed.add_field(
            name="Daily excerpt",
            value=describe_daily(await store.daily(server_of(interaction))),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Settings(bot))
