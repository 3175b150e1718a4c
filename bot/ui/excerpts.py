"""An excerpt as readers see it, with "Read from here" and "Another"."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.library.render import render_prose, shorten, spoiler
from bot.store import BrowseFilters, Excerpt
from bot.ui import limits
from bot.ui.items import StatefulItem, StatelessView
from bot.ui.lookup import viewer_of
from bot.ui.reader import OpenCopyButton

if TYPE_CHECKING:
    from bot.app import StoryBot


def excerpt_embed(excerpt: Excerpt, *, title: str | None = None, footer: str = "") -> discord.Embed:
    embed = discord.Embed(
        title=shorten(title or excerpt.story_title, limits.EMBED_TITLE),
        description=shorten(render_prose(excerpt.text), limits.EMBED_DESCRIPTION),
        colour=discord.Colour.dark_gold(),
    )
    chapter = shorten(render_prose(excerpt.chapter_title), 200)
    embed.add_field(name="From", value=shorten(render_prose(excerpt.story_title), 300), inline=True)
    embed.add_field(name="By", value=shorten(render_prose(excerpt.author), 200), inline=True)
    embed.add_field(name="Chapter", value=f"{excerpt.chapter_number}. {chapter}", inline=True)
    embed.add_field(name="Rating", value=excerpt.rating.value, inline=True)
    if excerpt.warnings:
        embed.add_field(name="Warnings", value=spoiler(excerpt.warnings), inline=True)
    if footer:
        embed.set_footer(text=footer)
    return embed


def excerpt_view(excerpt: Excerpt, query_id: int, story_id: int | None) -> StatelessView:
    view = StatelessView()
    view.add_item(
        OpenCopyButton.make(
            excerpt.story_id, excerpt.chapter_number, excerpt.page_number, label="Read from here"
        )
    )
    view.add_item(AnotherExcerptButton.make(query_id, story_id or 0))
    return view


async def send_excerpt(
    interaction: discord.Interaction[StoryBot],
    filters: BrowseFilters,
    story_id: int | None,
    *,
    query_id: int | None = None,
    edit: bool = False,
    ephemeral: bool = True,
) -> None:
    """Draw an excerpt allowed where the reader is that passes `filters`. `query_id` is the id
    the filters are saved as, for the "Another" button; they are saved alongside the draw when
    it is not given."""
    store = interaction.client.store
    draw = store.draw_excerpt(
        await viewer_of(interaction), story_id=story_id, author=filters.author, tag=filters.tag
    )
    if query_id is None:
        saving = store.save_browse_filters(interaction.guild_id, filters)
        saved, excerpt = await asyncio.gather(saving, draw)
    else:
        saved, excerpt = query_id, await draw
    if excerpt is None:
        raise UserFacingError(
            "I found no excerpt for that here. Try without filters, or in an age-restricted "
            "channel for Mature and Explicit stories."
        )
    embed, view = excerpt_embed(excerpt), excerpt_view(excerpt, saved, story_id)
    if edit:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)


class AnotherExcerptButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"exmore:(?P<query>[^:]+):(?P<story>[^:]+)",
):
    """Another excerpt with the same filters: in place on your own copy, else just for you."""

    query: int
    story: int

    @classmethod
    def make(cls, query: int, story: int) -> AnotherExcerptButton:
        return cls.button("Another", query=query, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        filters = await interaction.client.store.browse_filters(interaction.guild_id, self.query)
        if filters is None:
            raise UserFacingError("Those filters are gone: run /excerpt again.")
        own_copy = interaction.message is not None and interaction.message.flags.ephemeral
        await send_excerpt(
            interaction, filters, self.story or None, query_id=self.query, edit=own_copy
        )
