"""/story: one story's card for everyone; editing, removing and reordering for moderators.

Only stories uploaded to this guild can be changed; the bundled library is read-only here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.browsing import send_story_card
from bot.cogs.reading import resolve_story, story_autocomplete
from bot.errors import UserFacingError
from bot.library.model import StoryDraft
from bot.library.render import escape, plural, shorten
from bot.moderation import is_moderator, moderators_only
from bot.ui.details import StoryDetailsModal
from bot.ui.items import StatefulItem, StatelessView

if TYPE_CHECKING:
    from bot.app import StoryBot

UNDO_WINDOW = timedelta(hours=24)


async def guild_story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """This guild's own uploads matching what was typed."""
    matches = await interaction.client.store.find_stories(
        interaction.guild_id, current, age_restricted_ok=True, own_only=True
    )
    return [
        app_commands.Choice(
            name=shorten(f"{story.title} — {story.author}", 100), value=str(story.id)
        )
        for story in matches
    ]


async def guild_story(interaction: discord.Interaction[StoryBot], value: str) -> int:
    """The id of one of this guild's own stories, or a reply saying why not."""
    store = interaction.client.store
    story_id = await store.guild_story_id(interaction.guild_id, value)  # type: ignore[arg-type]
    if story_id is not None:
        return story_id
    if await store.visible_story(interaction.guild_id, value):
        raise UserFacingError(
            "That story is part of the bundled library, which can't be changed from Discord. "
            "Only stories uploaded to this server can."
        )
    raise UserFacingError(
        f"I couldn't find a story called “{escape(shorten(value, 80))}” uploaded to this server."
    )


class Stories(commands.Cog):
    """One story: its card, and moderators' changes to it."""

    story = app_commands.Group(name="story", description="One story of the library")

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RemovalButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RemovalButton)

    @story.command(name="info")
    @app_commands.describe(story="The story (start typing its title or author)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def info(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """See a story's summary, rating, warnings, tags and length, and start reading."""
        found = await resolve_story(interaction, story)
        await send_story_card(interaction, found.id)

    @story.command(name="edit")
    @app_commands.guild_only()
    @moderators_only
    @app_commands.describe(story="A story uploaded to this server")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def edit(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Fix a story's title, author, summary, rating or warnings (moderators)."""
        story_id = await guild_story(interaction, story)
        found = await interaction.client.store.story(story_id)
        assert found is not None
        current = StoryDraft(
            title=found.title,
            chapters=(),
            author=found.author,
            summary=found.summary,
            rating=found.rating,
            warnings=found.warnings,
        )

        async def save(submitted: discord.Interaction[StoryBot], draft: StoryDraft) -> None:
            await submitted.client.store.edit_story(
                story_id,
                title=draft.title,
                author=draft.author,
                summary=draft.summary,
                rating=draft.rating,
                warnings=draft.warnings,
                user_id=submitted.user.id,
            )
            await submitted.response.send_message(
                f"Saved the changes to “{escape(draft.title)}”.", ephemeral=True
            )

        await interaction.response.send_modal(StoryDetailsModal("Edit story", current, save))

    @story.command(name="remove")
    @app_commands.guild_only()
    @moderators_only
    @app_commands.describe(story="A story uploaded to this server")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def remove(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Remove a story from this server's library, with a day to undo it (moderators)."""
        story_id = await guild_story(interaction, story)
        found = await interaction.client.store.story(story_id)
        assert found is not None
        view = StatelessView()
        view.add_item(
            RemovalButton.make("remove", story_id, "Remove it", discord.ButtonStyle.danger)
        )
        await interaction.response.send_message(
            f"Remove “{escape(found.title)}”? Readers will no longer find it in reading, search, "
            "excerpts or daily posts. You can undo this for 24 hours.",
            view=view,
            ephemeral=True,
        )

    @story.command(name="move-chapter")
    @app_commands.guild_only()
    @moderators_only
    @app_commands.describe(
        story="A story uploaded to this server",
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
        """Fix the order of a story's chapters (moderators)."""
        store = interaction.client.store
        story_id = await guild_story(interaction, story)
        found = await store.story(story_id)
        assert found is not None
        if max(chapter, position) > found.chapter_count:
            raise UserFacingError(
                f"“{escape(found.title)}” has {plural(found.chapter_count, 'chapter')}: pick "
                f"numbers from 1 to {found.chapter_count}."
            )
        await store.move_chapter(story_id, chapter, position, user_id=interaction.user.id)
        await interaction.response.send_message(
            f"Chapter {chapter} of “{escape(found.title)}” is now chapter {position}.",
            ephemeral=True,
        )

    @story.command(name="history")
    @app_commands.guild_only()
    @moderators_only
    @app_commands.describe(story="A story uploaded to this server")
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def history(self, interaction: discord.Interaction[StoryBot], story: str) -> None:
        """Who uploaded, edited or removed a story, and when (moderators)."""
        store = interaction.client.store
        story_id = await store.guild_story_id(interaction.guild_id, story)  # type: ignore[arg-type]
        if story_id is None:
            story_id = await store.guild_story_id(interaction.guild_id, story, removed=True)  # type: ignore[arg-type]
        if story_id is None:
            story_id = await guild_story(interaction, story)
        entries = await store.history(story_id)
        lines = [
            f"<t:{_timestamp(entry.at)}:f> <@{entry.user_id}> {entry.action}"
            + (f": {escape(entry.detail)}" if entry.detail else "")
            for entry in entries
        ]
        await interaction.response.send_message(
            shorten("\n".join(lines) or "No changes recorded.", 2000),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


def _timestamp(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


class RemovalButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"story:(?P<action>remove|undo):(?P<story>\d+)",
):
    """Confirm a removal, or undo one within the window."""

    action: str
    story: int

    @classmethod
    def make(cls, action: str, story: int, label: str, style: discord.ButtonStyle) -> RemovalButton:
        button = discord.ui.Button(label=label, style=style, custom_id=f"story:{action}:{story}")
        return cls(button, action=action, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        if not await is_moderator(interaction):
            raise UserFacingError("Only moderators can do that here.")
        store = interaction.client.store
        if self.action == "remove":
            await store.remove_story(self.story, user_id=interaction.user.id)
            view = StatelessView()
            view.add_item(
                RemovalButton.make("undo", self.story, "Undo", discord.ButtonStyle.secondary)
            )
            await interaction.response.edit_message(
                content="Removed. You can undo this for 24 hours.", view=view
            )
            return
        if not await store.restore_story(
            self.story, user_id=interaction.user.id, within=UNDO_WINDOW
        ):
            raise UserFacingError("It is too late to undo that removal (24 hours have passed).")
        await interaction.response.edit_message(content="Restored: the story is back.", view=None)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Stories(bot))
