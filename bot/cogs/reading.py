"""Reading: /read a story page by page, /continue where you stopped, /progress of what you read,
/preferences for how you read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.library.render import plural, progress_bar, render_prose, shorten
from bot.store import Bookmark, PageLength, Preferences
from bot.ui import limits
from bot.ui.items import Owned, StatelessView, number
from bot.ui.lookup import resolve_story, story_autocomplete, viewer_of
from bot.ui.reader import READER_ITEMS, Step, show_page

if TYPE_CHECKING:
    from bot.app import StoryBot


class Reading(commands.Cog):
    """Reading stories page by page, and coming back to them."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*READER_ITEMS, ProgressSelect, ForgetAllButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*READER_ITEMS, ProgressSelect, ForgetAllButton)

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
        count = found.chapter_count
        if chapter > count:
            raise UserFacingError(
                f"“{found.title}” has {plural(count, 'chapter')}: pick one from 1 to {count}."
            )
        await show_page(interaction, found.id, chapter, page, step=Step.JUMP, ephemeral=not public)

    @app_commands.command(name="continue")
    @app_commands.describe(story="A story you started (default: the one you read last)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def continue_(
        self, interaction: discord.Interaction[StoryBot], story: str | None = None
    ) -> None:
        """Pick up where you stopped reading."""
        story_id = (await resolve_story(interaction, story)).id if story else None
        viewer = await viewer_of(interaction)
        mark = await interaction.client.store.last_bookmark(viewer, story_id)
        if mark is None:
            raise UserFacingError(
                "You haven't started that story yet: open it with /read."
                if story
                else "You haven't started a story here yet: find one with /stories or /read."
            )
        await _show_place(interaction, mark)

    @app_commands.command(name="progress")
    async def progress(self, interaction: discord.Interaction[StoryBot]) -> None:
        """See the stories you have started, continue one, or forget where you were."""
        bookmarks = await interaction.client.store.bookmarks(await viewer_of(interaction))
        if not bookmarks:
            await interaction.response.send_message(
                "You haven't started a story here yet: find one with /stories or /read.",
                ephemeral=True,
            )
            return
        reading = [_line(mark) for mark in bookmarks if mark.pages_read < mark.story_pages]
        finished = [_line(mark) for mark in bookmarks if mark.pages_read >= mark.story_pages]
        parts = ["**Reading**", *reading] if reading else []
        if finished:
            parts += ["", "**Finished**", *finished]
        embed = discord.Embed(
            title="Your reading", description=shorten("\n".join(parts), limits.EMBED_DESCRIPTION)
        )
        view = StatelessView()
        view.add_item(ProgressSelect.make("continue", interaction.user.id, bookmarks))
        view.add_item(ProgressSelect.make("forget", interaction.user.id, bookmarks))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="preferences")
    @app_commands.describe(
        page_length="standard pages, or short ones for phones (each page in parts)",
        authors_notes="show or hide the author's notes around chapters",
    )
    async def preferences(
        self,
        interaction: discord.Interaction[StoryBot],
        page_length: Literal["standard", "short"] | None = None,
        authors_notes: Literal["show", "hide"] | None = None,
    ) -> None:
        """See or change how you read, in every server and in DMs: page length, author's notes."""
        store = interaction.client.store
        if page_length is None and authors_notes is None:
            chosen = await store.preferences(interaction.user.id)
        else:
            chosen = await store.set_preferences(
                interaction.user.id,
                page_length=PageLength(page_length) if page_length else None,
                notes_shown=(authors_notes == "show") if authors_notes else None,
            )
        await interaction.response.send_message(_describe(chosen), ephemeral=True)

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


async def _show_place(interaction: discord.Interaction[StoryBot], mark: Bookmark) -> None:
    """Back to the page, and the part of it, where the reader stopped."""
    await show_page(
        interaction,
        mark.story_id,
        mark.chapter_number,
        mark.page_number,
        part=mark.part,
        step=Step.RETURN,
    )


def _describe(chosen: Preferences) -> str:
    """A reader's preferences, as /preferences tells them."""
    pages = (
        "short, for phones (each page in parts)"
        if chosen.page_length is PageLength.SHORT
        else "standard"
    )
    notes = "shown" if chosen.notes_shown else "hidden"
    return (
        "**Your reading preferences** (in every server and in DMs)\n"
        f"Pages: {pages}\n"
        f"Author's notes: {notes}\n"
        "-# Change them with `/preferences page_length:` or `authors_notes:`."
    )


def _line(mark: Bookmark) -> str:
    return (
        f"{render_prose(shorten(mark.story_title, 80))} — chapter {mark.chapter_number}, "
        f"page {mark.page_number} · {progress_bar(mark.pages_read, mark.story_pages)}"
    )


class ProgressSelect(
    Owned,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"progress:(?P<action>continue|forget):(?P<owner>[^:]+)",
):
    """On /progress: continue a started story, or forget where you were in one (or all)."""

    action: str

    @classmethod
    def make(cls, action: str, owner: int, bookmarks: list[Bookmark]) -> ProgressSelect:
        shown = bookmarks[: limits.SELECT_OPTIONS - (action == "forget")]
        options = [
            discord.SelectOption(
                label=shorten(mark.story_title, limits.OPTION_LABEL), value=str(mark.story_id)
            )
            for mark in shown
        ]
        if action == "forget":
            options.append(discord.SelectOption(label="Every story listed here", value="all"))
        placeholder = "Continue reading…" if action == "continue" else "Forget where I was in…"
        return cls.select(options, placeholder=placeholder, action=action, owner=owner)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        value = self.item.values[0]
        store = interaction.client.store
        if self.action == "continue":
            mark = await store.last_bookmark(await viewer_of(interaction), number(value))
            if mark is None:
                raise UserFacingError("You have no saved place in that story any more.")
            await _show_place(interaction, mark)
            return
        if value == "all":
            view = StatelessView()
            view.add_item(ForgetAllButton.make("confirm", self.owner))
            view.add_item(ForgetAllButton.make("keep", self.owner))
            await interaction.response.edit_message(
                content="Forget your place in every story listed here? This can't be undone.",
                embed=None,
                view=view,
            )
            return
        cleared = await store.clear_bookmarks(interaction.user.id, [number(value)])
        await interaction.response.edit_message(
            content=f"Forgot your place in {plural(cleared, 'story')}.", embed=None, view=None
        )


class ForgetAllButton(
    Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"progress:(?P<action>confirm|keep):(?P<owner>[^:]+)",
):
    """Confirm forgetting every story /progress lists here, or keep them."""

    action: str

    @classmethod
    def make(cls, action: str, owner: int) -> ForgetAllButton:
        if action == "confirm":
            return cls.button(
                "Forget them", style=discord.ButtonStyle.danger, action=action, owner=owner
            )
        return cls.button("Keep them", action=action, owner=owner)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        told = "Nothing was forgotten."
        if self.action == "confirm":
            # What /progress lists here: not the reader's places in other servers, nor in
            # stories this place does not show.
            store = interaction.client.store
            listed = await store.bookmarks(await viewer_of(interaction))
            cleared = await store.clear_bookmarks(
                interaction.user.id, [mark.story_id for mark in listed]
            )
            told = f"Forgot your place in {plural(cleared, 'story')}."
        await interaction.response.edit_message(content=told, view=None)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Reading(bot))
