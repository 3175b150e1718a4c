"""/help: what the bot can do, straight from its command tree: a reader's part for everyone,
the moderators' part for moderators only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.moderation import is_moderator

if TYPE_CHECKING:
    from bot.app import StoryBot

_START_HERE = (
    "**Start here:** browse the library with `/stories`, open a story with `/read`, and come "
    "back to your page any time with `/continue`. Back and Next turn the pages and keep your "
    "place; jumping to a chapter, a search hit or an excerpt does not move it. Reading on a "
    "phone? `/preferences` gives you short pages, and can hide author's notes, everywhere you "
    "read."
)


def _for_moderators(command: app_commands.Command[Any, ..., Any]) -> bool:
    """Whether Discord shows the command only to members with a permission (moderators)."""
    return (command.root_parent or command).default_permissions is not None


class Help(commands.Cog):
    """Explains the bot's commands."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[StoryBot]) -> None:
        """See what storybot can do."""
        readers: list[str] = []
        moderators: list[str] = []
        for command in sorted(self.bot.tree.walk_commands(), key=lambda c: c.qualified_name):
            if isinstance(command, app_commands.Command):
                line = f"`/{command.qualified_name}` — {command.description}"
                (moderators if _for_moderators(command) else readers).append(line)
        parts = [_START_HERE, "", *readers]
        if await is_moderator(interaction):
            parts += ["", "**For moderators**", *moderators]
        embed = discord.Embed(title="storybot", description="\n".join(parts))
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Help(bot))
