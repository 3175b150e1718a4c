"""/story info: one story's card for everyone; /library: editing, removing and reordering a
server's stories, for its moderators (any of them) and authors (their own); /library stats and
/story stats: what is read, for the same people (answered by bot.ui.stats: discord.py keeps a
group's subcommands in the cog that defines the group).

Only stories uploaded or submitted to this guild can be changed; the bundled library is
read-only here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import StoryHidden
from bot.errors import UserFacingError
from bot.library.model import StoryDraft
from bot.library.render import escape, plural, shorten
from bot.moderation import (
    IN_SERVERS,
    SERVER_INSTALL,
    moderators_only,
)
from bot.ui import limits
from bot.ui.cards import NextPartButton, send_story_card
from bot.ui.details import StoryDetailsModal, StoryTagsModal
from bot.ui.items import StatefulItem, StatelessView
from bot.ui.lookup import (
    changer_of,
    guild_story,
    guild_story_autocomplete,
    resolve_story,
    story_autocomplete,
)
from bot.ui.stats import send_library_stats, send_story_stats

if TYPE_CHECKING:
    from bot.app import StoryBot

UNDO_WINDOW = timedelta(hours=24)


class Stories(commands.Cog):
    """One story: its card, and moderators' changes to it."""

    story = app_commands.Group(name="story", description="One story of the library")
    library = app_commands.Group(
        name="library",
        description="Change this server's stories: moderators any, authors their own",
        allowed_contexts=IN_SERVERS,
        allowed_installs=SERVER_INSTALL,
    )

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RemovalButton, NextPartButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RemovalButton, NextPartButton)

    @story.command(name="info")
    @app_commands.describe(story="The story (start typing its title or author)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def info(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """See a story's summary, rating, warnings, tags and length, and start reading."""
        found = await resolve_story(interaction, story)
        await send_story_card(interaction, found.id)

    @story.command(name="stats")
    @app_commands.describe(story="A story of this server's that you wrote (moderators: any)")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def story_stats(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """See how far a story's readers get, chapter by chapter (its author and moderators)."""
        await send_story_stats(interaction, story)

    @library.command(name="stats")
    @moderators_only
    @app_commands.describe(days="How many days back, today included (1 to 365; default 30)")
    async def library_stats(
        self, interaction: discord.Interaction[StoryBot], days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        """See what this server reads, as charts: readers, pages, top stories (moderators)."""
        await send_library_stats(interaction, days)

    @library.command(name="edit")
    @app_commands.describe(
        story="A story of this server's that you may change",
        part="What to change (default: its title, author, rating, warnings and summary)",
    )
    @app_commands.choices(
        part=[
            app_commands.Choice(name="Title, author, rating, warnings, summary", value="details"),
            app_commands.Choice(
                name="Fandoms, relationships, characters, tags, status", value="tags"
            ),
        ]
    )
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def edit(
        self, interaction: discord.Interaction[StoryBot], story: str, part: str = "details"
    ) -> None:
        """Fix a story's details: title, author, rating, warnings, summary, tags, status."""
        found = await guild_story(interaction, story)
        current = found.as_draft()

        async def save(submitted: discord.Interaction[StoryBot], draft: StoryDraft) -> None:
            try:
                await submitted.client.store.edit_story(
                    found.id, await changer_of(submitted), draft
                )
            except StoryHidden:
                raise UserFacingError(
                    "That story is no longer one you may change, so nothing was saved."
                ) from None
            await submitted.response.send_message(
                f"Saved the changes to “{escape(draft.title)}”.", ephemeral=True
            )

        form = StoryTagsModal if part == "tags" else StoryDetailsModal
        await interaction.response.send_modal(form("Edit story", current, save))

    @library.command(name="remove")
    @app_commands.describe(story="A story of this server's that you may change")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def remove(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Remove a story from this server's library, with a day to undo it."""
        found = await guild_story(interaction, story)
        view = StatelessView()
        view.add_item(
            RemovalButton.make("remove", found.id, "Remove it", discord.ButtonStyle.danger)
        )
        await interaction.response.send_message(
            f"Remove “{escape(found.title)}”? Readers will no longer find it in reading, search, "
            "excerpts or daily posts. You can undo this for 24 hours.",
            view=view,
            ephemeral=True,
        )

    @library.command(name="move-chapter")
    @app_commands.describe(
        story="A story of this server's that you may change",
        chapter="The chapter to move",
        position="The chapter number it should have",
    )
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def move_chapter(
        self,
        interaction: discord.Interaction[StoryBot],
        story: str,
        chapter: app_commands.Range[int, 1, 10_000],
        position: app_commands.Range[int, 1, 10_000],
    ) -> None:
        """Fix the order of a story's chapters."""
        store = interaction.client.store
        found = await guild_story(interaction, story)
        if max(chapter, position) > found.chapter_count:
            raise UserFacingError(
                f"“{escape(found.title)}” has {plural(found.chapter_count, 'chapter')}: pick "
                f"numbers from 1 to {found.chapter_count}."
            )
        await store.move_chapter(found.id, await changer_of(interaction), chapter, position)
        await interaction.response.send_message(
            f"Chapter {chapter} of “{escape(found.title)}” is now chapter {position}.",
            ephemeral=True,
        )

    @library.command(name="history")
    @app_commands.describe(story="A story of this server's that you may change")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def history(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Who uploaded, approved, edited or removed a story, and when."""
        try:
            found = await guild_story(interaction, story)
        except UserFacingError:
            found = await guild_story(interaction, story, removed=True)
        entries = await interaction.client.store.history(found.id, await changer_of(interaction))
        lines = [
            f"<t:{_timestamp(entry.at)}:f> <@{entry.user_id}> {entry.action}"
            + (f": {escape(entry.detail)}" if entry.detail else "")
            for entry in entries
        ]
        await interaction.response.send_message(
            shorten("\n".join(lines) or "No changes recorded.", limits.MESSAGE_CONTENT),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


def _timestamp(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


class RemovalButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"story:(?P<action>remove|undo):(?P<story>[^:]+)",
):
    """Confirm a removal, or undo one within the window."""

    action: str
    story: int

    @classmethod
    def make(cls, action: str, story: int, label: str, style: discord.ButtonStyle) -> RemovalButton:
        return cls.button(label, style=style, action=action, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        store = interaction.client.store
        changer = await changer_of(interaction)
        if self.action == "remove":
            if not await store.remove_story(self.story, changer):
                raise UserFacingError(
                    "That story is not one you may change here, or it was removed already."
                )
            interaction.client.dispatch("story_removed", changer.guild_id, self.story)
            view = StatelessView()
            view.add_item(
                RemovalButton.make("undo", self.story, "Undo", discord.ButtonStyle.secondary)
            )
            await interaction.response.edit_message(
                content="Removed. You can undo this for 24 hours.", view=view
            )
            return
        if not await store.restore_story(self.story, changer, within=UNDO_WINDOW):
            if await store.changeable_story(changer, str(self.story), removed=True) is None:
                raise UserFacingError("That story is not one you may change here.")
            raise UserFacingError("It is too late to undo that removal (24 hours have passed).")
        await interaction.response.edit_message(content="Restored: the story is back.", view=None)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Stories(bot))
