"""/excerpt: a random passage from the library, to discover stories by."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.store import BrowseFilters
from bot.ui.excerpts import AnotherExcerptButton, send_excerpt
from bot.ui.lookup import (
    author_autocomplete,
    resolve_author,
    resolve_story,
    story_autocomplete,
    tag_autocomplete,
)

if TYPE_CHECKING:
    from bot.app import StoryBot


class Excerpts(commands.Cog):
    """Random passages from the stories of the library."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnotherExcerptButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnotherExcerptButton)

    @app_commands.command(name="excerpt")
    @app_commands.describe(
        story="Only from this story",
        tag="Only from stories with this tag",
        author="Only from stories by this author",
        public="Post it in the channel (default: only you see it)",
    )
    @app_commands.autocomplete(
        story=story_autocomplete, tag=tag_autocomplete, author=author_autocomplete
    )
    async def excerpt(
        self,
        interaction: discord.Interaction[StoryBot],
        story: str | None = None,
        tag: app_commands.Range[str, 1, 100] | None = None,
        author: app_commands.Range[str, 1, 100] | None = None,
        public: bool = False,
    ) -> None:
        """A random passage from the library, with a button to read on from there."""
        story_id = (await resolve_story(interaction, story)).id if story else None
        filters = BrowseFilters(
            tag=(tag or "").strip(),
            author=await resolve_author(interaction, author) if author else "",
        )
        await send_excerpt(interaction, filters, story_id, ephemeral=not public)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Excerpts(bot))
