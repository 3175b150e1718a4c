"""Finding stories: /stories to browse the library, /story info for one story, /search for text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.library.model import Rating, Status
from bot.library.render import escape, plural, render_prose, shorten
from bot.store import BrowseFilters, Story
from bot.store.browsing import HIT_END, HIT_START, searchable
from bot.ui import limits
from bot.ui.cards import send_story_card
from bot.ui.items import Owned, StatefulItem, StatelessView, number
from bot.ui.lookup import (
    author_autocomplete,
    resolve_author,
    series_autocomplete,
    tag_autocomplete,
    viewer_of,
)
from bot.ui.reader import OpenCopyButton

if TYPE_CHECKING:
    from bot.app import StoryBot

_PER_PAGE = 8
_SEARCH_HITS = 5
_SORT_CHOICES = [
    app_commands.Choice(name="Title", value="title"),
    app_commands.Choice(name="Recently updated", value="updated"),
    app_commands.Choice(name="Longest first", value="length"),
    app_commands.Choice(name="Most kudos", value="kudos"),
]


def _story_line(story: Story) -> str:
    title, author = render_prose(shorten(story.title, 100)), render_prose(shorten(story.author, 60))
    return (
        f"**{title}** by {author}\n{story.rating.value} · "
        f"{plural(story.chapter_count, 'chapter')} · {plural(story.word_count, 'word')} · "
        f"{story.status.value} · ♥ {story.kudos_count:,}"
    )


async def _listing(
    interaction: discord.Interaction[StoryBot], query_id: int, filters: BrowseFilters, offset: int
) -> tuple[discord.Embed, discord.ui.View]:
    viewer = await viewer_of(interaction)
    stories, total = await interaction.client.store.browse(
        viewer, filters, offset=offset, limit=_PER_PAGE
    )
    shown = [f for f in (filters.tag, filters.rating, filters.status, filters.author) if f]
    shown += [filters.series] if filters.series else []
    embed = discord.Embed(
        title=f"Library: {plural(total, 'story')}",
        description="\n\n".join(_story_line(story) for story in stories)
        or "No story matches that. Try fewer filters.",
    )
    footer = f"{offset + 1}–{offset + len(stories)} of {total}" if stories else ""
    if shown:
        footer += " · " + ", ".join(escape(text) for text in shown)
    if not viewer.age_restricted_ok:
        footer += " · Mature and Explicit stories are listed in age-restricted channels only."
    embed.set_footer(text=shorten(footer.strip(" ·"), limits.EMBED_FOOTER))
    view = StatelessView()
    owner = interaction.user.id
    view.add_item(BrowseButton.make("◀", owner, query_id, offset - _PER_PAGE, offset == 0))
    view.add_item(
        BrowseButton.make("▶", owner, query_id, offset + _PER_PAGE, offset + _PER_PAGE >= total)
    )
    if stories:
        view.add_item(StoryInfoSelect.make(stories))
    return embed, view


def _snippet(text: str) -> str:
    """A search snippet with the matched words in bold and everything else shown as written."""
    parts = []
    for index, piece in enumerate(text.replace(HIT_END, HIT_START).split(HIT_START)):
        parts.append(f"**{escape(piece)}**" if index % 2 else escape(piece))
    return "".join(parts).replace("\n", " ")


class Browsing(commands.Cog):
    """Browsing, looking up and searching the library."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(BrowseButton, StoryInfoSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(BrowseButton, StoryInfoSelect)

    @app_commands.command(name="stories")
    @app_commands.describe(
        tag="Only stories with this tag (fandom, relationship, character or freeform)",
        rating="Only stories with this rating",
        status="Only complete or only in-progress stories",
        author="Only stories by this author",
        sort="The order to list them in (default: title)",
        series="Only the stories of this series, in the order of their parts",
    )
    @app_commands.choices(
        rating=[app_commands.Choice(name=r.value, value=r.value) for r in Rating],
        status=[app_commands.Choice(name=s.value.capitalize(), value=s.value) for s in Status],
        sort=_SORT_CHOICES,
    )
    @app_commands.autocomplete(
        tag=tag_autocomplete, author=author_autocomplete, series=series_autocomplete
    )
    async def stories(
        self,
        interaction: discord.Interaction[StoryBot],
        tag: app_commands.Range[str, 1, 100] | None = None,
        rating: str | None = None,
        status: str | None = None,
        author: app_commands.Range[str, 1, 100] | None = None,
        sort: str = "title",
        series: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Browse the library, with filters and sorting."""
        filters = BrowseFilters(
            tag=(tag or "").strip(),
            rating=rating or "",
            status=status or "",
            author=await resolve_author(interaction, author) if author else "",
            sort=sort,
            series=(series or "").strip(),
        )
        query_id = await interaction.client.store.save_browse_filters(interaction.guild_id, filters)
        embed, view = await _listing(interaction, query_id, filters, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="search")
    @app_commands.describe(query="Words or a phrase from the story text")
    async def search(
        self, interaction: discord.Interaction[StoryBot], query: app_commands.Range[str, 1, 200]
    ) -> None:
        """Search the text of every story here and jump to the page that has it."""
        if not searchable(query):
            raise UserFacingError("Type a few words to search for.")
        store = interaction.client.store
        viewer = await viewer_of(interaction)
        hits = []
        for every_word in (False, True):  # the phrase first, then its words anywhere
            hits = await store.search(viewer, query, every_word=every_word, limit=_SEARCH_HITS)
            if hits:
                break
        if not hits:
            await interaction.response.send_message(
                f"Nothing here matches “{escape(shorten(query, 100))}”.", ephemeral=True
            )
            return
        lines = [
            f"**{number}. {render_prose(shorten(hit.story_title, 100))}** — chapter "
            f"{hit.chapter_number}, page {hit.page_number}\n…{_snippet(hit.snippet)}…"
            for number, hit in enumerate(hits, 1)
        ]
        embed = discord.Embed(
            title=shorten(f"Search: {query}", limits.EMBED_TITLE),
            description=shorten("\n\n".join(lines), limits.EMBED_DESCRIPTION),
        )
        view = StatelessView()
        for place, hit in enumerate(hits, 1):
            view.add_item(
                OpenCopyButton.make(
                    hit.story_id, hit.chapter_number, hit.page_number, label=f"Read #{place}"
                )
            )
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class BrowseButton(
    Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"br:(?P<owner>[^:]+):(?P<query>[^:]+):(?P<offset>[^:]+)",
):
    """Previous / next page of a /stories listing."""

    query: int
    offset: int

    @classmethod
    def make(cls, label: str, owner: int, query: int, offset: int, disabled: bool) -> BrowseButton:
        offset = max(offset, 0)
        return cls.button(label, disabled=disabled, owner=owner, query=query, offset=offset)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        filters = await interaction.client.store.browse_filters(interaction.guild_id, self.query)
        if filters is None:
            raise UserFacingError("That listing is too old: run /stories again.")
        embed, view = await _listing(interaction, self.query, filters, self.offset)
        await interaction.response.edit_message(embed=embed, view=view)


class StoryInfoSelect(
    StatefulItem, discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"brinfo"
):
    """Pick a story from a listing to see its card."""

    @classmethod
    def make(cls, stories: list[Story]) -> StoryInfoSelect:
        options = [
            discord.SelectOption(
                label=shorten(story.title, limits.OPTION_LABEL), value=str(story.id)
            )
            for story in stories
        ]
        return cls.select(options, placeholder="More about a story…")

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await send_story_card(interaction, number(self.item.values[0]))


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Browsing(bot))
