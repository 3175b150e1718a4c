"""/settings: the one place for a guild's options."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.moderation import IN_SERVERS, MODERATOR_PERMISSIONS, SERVER_INSTALL, moderators_only
from bot.ui.cards import describe_daily
from bot.ui.lookup import server_of

if TYPE_CHECKING:
    from bot.app import StoryBot


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
        embed.add_field(
            name="Daily excerpt",
            value=describe_daily(await store.daily(server_of(interaction))),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Settings(bot))
