"""Reading: /read a story page by page, /continue where you stopped, /progress of what you read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.library.render import plural, progress_bar, render_prose, shorten
from bot.store import StoryChoice
from bot.ui.items import StatefulItem, StatelessView
from bot.ui.reader import READER_ITEMS, age_restricted_ok, ensure_allowed, show_page

if TYPE_CHECKING:
    from bot.app import StoryBot

_AUTOCOMPLETE_LIMIT = 25


async def story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Stories visible here whose title or author matches what the reader typed."""
    matches = await interaction.client.store.find_stories(
        interaction.guild_id,
        current,
        age_restricted_ok=await age_restricted_ok(interaction),
        limit=_AUTOCOMPLETE_LIMIT,
    )
    return [
        app_commands.Choice(
            name=shorten(f"{story.title} — {story.author}", 100), value=str(story.id)
        )
        for story in matches
    ]


async def resolve_story(interaction: discord.Interaction[StoryBot], value: str) -> StoryChoice:
    """The story the reader picked or typed, checked again (autocomplete is only a suggestion)."""
    story = await interaction.client.store.visible_story(interaction.guild_id, value)
    if story is None:
        raise UserFacingError(
            f"I couldn't find a story called “{shorten(value, 80)}” here. "
            "Pick one from the suggestions as you type, or browse with /stories."
        )
    return story


class Reading(commands.Cog):
    """Reading stories page by page, and coming back to them."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*READER_ITEMS, ProgressSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*READER_ITEMS, ProgressSelect)

    @app_commands.command(name="read")
    @app_commands.describe(
        story="The story to read (start typing its title or author)",
        chapter="The chapter to open (default: the first)",
        page="The page of that chapter to open (default: the first)",
        public="Post it in the channel for a read-along (default: only you see it)",
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def read(
        self,
        interaction: discord.Interaction[StoryBot],
        story: str,
        chapter: app_commands.Range[int, 1, 10_000] = 1,
        page: app_commands.Range[int, 1, 100_000] = 1,
        public: bool = False,
    ) -> None:
        """Open a story and read it a page at a time."""
        found = await resolve_story(interaction, story)
        await ensure_allowed(interaction, found.rating)
        count = found.chapter_count
        if chapter > count:
            raise UserFacingError(
                f"“{found.title}” has {plural(count, 'chapter')}: pick one from 1 to {count}."
            )
        await show_page(interaction, found.id, chapter, page, ephemeral=not public)

    @app_commands.command(name="continue")
    @app_commands.describe(story="A story you started (default: the one you read last)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def continue_(
        self, interaction: discord.Interaction[StoryBot], story: str | None = None
    ) -> None:
        """Pick up where you stopped reading."""
        story_id = (await resolve_story(interaction, story)).id if story else None
        bookmarks = await interaction.client.store.bookmarks(
            interaction.user.id, interaction.guild_id, story_id=story_id, limit=1
        )
        if not bookmarks:
            raise UserFacingError(
                "You haven't started that story yet: open it with /read."
                if story
                else "You haven't started a story here yet: find one with /stories or /read."
            )
        mark = bookmarks[0]
        await show_page(
            interaction, mark.story_id, mark.chapter_number, mark.page_number, remember=False
        )

    @app_commands.command(name="progress")
    async def progress(self, interaction: discord.Interaction[StoryBot]) -> None:
        """See the stories you have started, continue one, or forget where you were."""
        bookmarks = await interaction.client.store.bookmarks(
            interaction.user.id, interaction.guild_id
        )
        if not bookmarks:
            await interaction.response.send_message(
                "You haven't started a story here yet: find one with /stories or /read.",
                ephemeral=True,
            )
            return
        lines = [
            f"**{render_prose(shorten(mark.story_title, 80))}** — chapter {mark.chapter_number}, "
            f"page {mark.page_number} · {progress_bar(mark.pages_read, mark.story_pages)}"
            for mark in bookmarks
        ]
        embed = discord.Embed(title="Your reading", description="\n".join(lines))
        view = StatelessView()
        view.add_item(ProgressSelect.make("continue", interaction.user.id, bookmarks))
        view.add_item(ProgressSelect.make("forget", interaction.user.id, bookmarks))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="mature-content")
    @app_commands.describe(allow="True to allow Mature, Explicit and Not Rated stories in your DMs")
    async def mature_content(self, interaction: discord.Interaction[StoryBot], allow: bool) -> None:
        """Allow or hide age-restricted stories when you read in DMs with the bot (adults only)."""
        await interaction.client.store.set_mature_in_dms(interaction.user.id, allow)
        await interaction.response.send_message(
            "Mature, Explicit and Not Rated stories are now allowed in your DMs with me. "
            "In servers, they are only shown in age-restricted channels."
            if allow
            else "Mature, Explicit and Not Rated stories are now hidden in your DMs with me.",
            ephemeral=True,
        )


class ProgressSelect(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"progress:(?P<action>continue|forget):(?P<owner>\d+)",
):
    """On /progress: continue a started story, or forget where you were in one (or all)."""

    action: str
    owner: int

    @classmethod
    def make(cls, action: str, owner: int, bookmarks: list[Any]) -> ProgressSelect:
        options = [
            discord.SelectOption(label=shorten(mark.story_title, 100), value=str(mark.story_id))
            for mark in bookmarks[: 24 if action == "forget" else 25]
        ]
        if action == "forget":
            options.append(discord.SelectOption(label="Every story I started", value="all"))
        select = discord.ui.Select(
            placeholder="Continue reading…" if action == "continue" else "Forget where I was in…",
            options=options,
            custom_id=f"progress:{action}:{owner}",
        )
        return cls(select, action=action, owner=owner)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        value = self.item.values[0]
        store = interaction.client.store
        if self.action == "continue":
            marks = await store.bookmarks(
                interaction.user.id, interaction.guild_id, story_id=int(value), limit=1
            )
            if not marks:
                raise UserFacingError("You have no saved place in that story any more.")
            await show_page(
                interaction, marks[0].story_id, marks[0].chapter_number, marks[0].page_number
            )
            return
        cleared = await store.clear_bookmarks(
            interaction.user.id, None if value == "all" else int(value)
        )
        await interaction.response.edit_message(
            content=f"Forgot your place in {plural(cleared, 'story')}.",
            embed=None,
            view=None,
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Reading(bot))
