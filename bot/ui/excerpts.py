"""An excerpt as readers see it, laid out as a message, with "Read from here" and "Another"."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.library.render import render_prose, shorten, spoiler
from bot.store import BrowseFilters, Excerpt
from bot.ui import limits
from bot.ui.items import StatefulItem, StatelessLayout
from bot.ui.lookup import viewer_of
from bot.ui.reader import OpenCopyButton

if TYPE_CHECKING:
    from bot.app import StoryBot


def excerpt_view(
    excerpt: Excerpt,
    query_id: int,
    story_id: int | None,
    *,
    title: str = "",
    footer: str = "",
    ping: str = "",
) -> StatelessLayout:
    """The excerpt as readers see it: the passage, where it is from, `footer` in small print
    when given, and "Read from here" and "Another" (drawn with the filters saved as
    `query_id`, from `story_id` only if given). `title` heads it when given, and `ping` (a
    mention) goes above it, where a message's content would be."""
    chapter = shorten(render_prose(excerpt.chapter_title), 200)
    source = (
        f"From “{shorten(render_prose(excerpt.story_title), 300)}” by "
        f"{shorten(render_prose(excerpt.author), 200)} · chapter {excerpt.chapter_number}. "
        f"{chapter} · {excerpt.rating.value}"
    )
    if excerpt.warnings:
        source += f" · {spoiler(excerpt.warnings)}"
    source += f" · ♥ {excerpt.kudos_count:,}"
    before = [f"## {title}"] if title else []
    after = [source] + ([f"-# {footer}"] if footer else [])
    room = limits.LAYOUT_TEXT - sum(len(text) for text in (ping, *before, *after))
    passage = shorten(render_prose(excerpt.text), room)
    card: discord.ui.Container[Any] = discord.ui.Container(
        *(discord.ui.TextDisplay(text) for text in (*before, passage)),
        discord.ui.Separator(),
        *(discord.ui.TextDisplay(text) for text in after),
        accent_colour=discord.Colour.dark_gold(),
    )
    read = OpenCopyButton.make(
        excerpt.story_id, excerpt.chapter_number, excerpt.page_number, label="Read from here"
    )
    another = AnotherExcerptButton.make(query_id, story_id or 0)
    buttons: discord.ui.ActionRow[Any] = discord.ui.ActionRow(read, another)
    return StatelessLayout(*([discord.ui.TextDisplay(ping)] if ping else []), card, buttons)


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
    viewer = await viewer_of(interaction)
    draw = store.draw_excerpt(viewer, story_id=story_id, author=filters.author, tag=filters.tag)
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
    view = excerpt_view(excerpt, saved, story_id)
    if edit:
        # embed=None empties a copy sent before excerpts were layouts, as the layout requires
        message = interaction.response.edit_message(view=view, embed=None)
    else:
        message = interaction.response.send_message(view=view, ephemeral=ephemeral)
    if viewer.guild_id is None:
        await message
    else:  # counted in the server's reading figures while it is on its way
        await asyncio.gather(message, store.count_excerpt(viewer.guild_id))


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
