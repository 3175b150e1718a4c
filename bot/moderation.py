"""Who counts as a moderator: Manage Server, or the moderator role a guild chose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.app import StoryBot


async def is_moderator(interaction: discord.Interaction[StoryBot]) -> bool:
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    if interaction.client.get_guild(interaction.guild_id) is None:
        return False  # a server that has not added the bot, reached through a member's install
    if member.guild_permissions.manage_guild:
        return True
    settings = await interaction.client.store.guild_settings(interaction.guild_id)
    return settings.moderator_role_id is not None and any(
        role.id == settings.moderator_role_id for role in member.roles
    )


async def _check(interaction: discord.Interaction[StoryBot]) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not await is_moderator(interaction):
        raise app_commands.MissingPermissions(["manage_guild"])
    return True


# Commands and groups for moderators are hidden from members without Manage Server (server
# admins can grant them to the moderator role under Server Settings → Integrations) and
# checked again when they run, moderator role included.
MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True, user=False)
"""For commands that change a server's library, settings or subscriptions: only where the server
added the bot, never through a member's own install of the app."""
IN_SERVERS = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
"""Where those commands may be used: in servers, not DMs (a context left unset would follow the
tree's default, which allows DMs)."""
moderators_only = app_commands.check(_check)


def for_moderators(command: app_commands.Command[Any, ..., Any]) -> bool:
    """Whether `command` is one of the moderators' commands."""
    return _check in command.checks
