"""The reading figures as a reply: the interaction is deferred at once, the figures read, the
chart drawn in a thread (matplotlib would hold the event loop for a noticeable time), and the
deferred reply edited to show the chart with the same numbers in words."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord

from bot.errors import UserFacingError
from bot.library import charts
from bot.library.render import escape
from bot.ui import limits
from bot.ui.lookup import guild_story, server_of

if TYPE_CHECKING:
    from bot.app import StoryBot


async def send_library_stats(interaction: discord.Interaction[StoryBot], days: int) -> None:
    """This server's reading over its last `days` days (for its moderators: the command
    checks)."""
    guild_id = server_of(interaction)
    refusal = charts.days_refusal(days)
    if refusal:
        raise UserFacingError(refusal)
    await interaction.response.defer(ephemeral=True, thinking=True)
    stats = await interaction.client.store.library_stats(guild_id, days)
    png = await asyncio.to_thread(charts.library_chart, stats)
    await _show(interaction, charts.library_summary(stats, named=escape), png)


async def send_story_stats(interaction: discord.Interaction[StoryBot], value: str) -> None:
    """A story's readers chapter by chapter, for its author and the server's moderators."""
    story = await guild_story(interaction, value)
    await interaction.response.defer(ephemeral=True, thinking=True)
    stats = await interaction.client.store.story_stats(story.id)
    png = await asyncio.to_thread(charts.story_chart, stats)
    await _show(interaction, charts.story_summary(stats, named=escape), png)


async def _show(interaction: discord.Interaction[StoryBot], summary: str, png: bytes) -> None:
    await interaction.edit_original_response(
        content=summary[: limits.MESSAGE_CONTENT],
        attachments=[discord.File(io.BytesIO(png), "reading.png")],
        allowed_mentions=discord.AllowedMentions.none(),
    )
