"""/download: a story as a file to read offline (EPUB, HTML or plain text), for readers who may
read it where they ask, exactly as for reading it here."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.library.export import FORMATS, export, filename
from bot.library.render import either, render_prose
from bot.library.text import file_size
from bot.ui import limits
from bot.ui.lookup import resolve_story, story_autocomplete, viewer_of

if TYPE_CHECKING:
    from bot.app import StoryBot


class Downloads(commands.Cog):
    """Stories as files."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    @app_commands.command(name="download")
    @app_commands.describe(
        story="The story (start typing its title or author)",
        format="The kind of file (default: EPUB, for e-readers and reading apps)",
    )
    @app_commands.choices(
        format=[app_commands.Choice(name=name, value=suffix) for suffix, name in FORMATS.items()]
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def download(
        self, interaction: discord.Interaction[StoryBot], story: str, format: str = "epub"
    ) -> None:
        """Get a story as a file to read offline: EPUB, HTML or plain text."""
        if format not in FORMATS:  # only a forged interaction sends another
            raise UserFacingError(f"Pick a format from the list: {either(FORMATS.values())}.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = interaction.client.store
        found = await store.story(
            await viewer_of(interaction), (await resolve_story(interaction, story)).id
        )
        draft = found.as_draft(await store.chapters(found.id))
        data = await asyncio.to_thread(
            export,
            draft,
            format,
            identifier=f"urn:storybot:story:{found.id}",
            modified=datetime.fromisoformat(found.updated_at),
        )
        title = render_prose(found.title)
        if len(data) > limits.UPLOAD_BYTES:
            raise UserFacingError(
                f"“{title}” as {FORMATS[format]} is {file_size(len(data))}, more than the "
                f"{file_size(limits.UPLOAD_BYTES)} Discord lets a bot send: try another format."
            )
        await interaction.followup.send(
            f"“{title}” by {render_prose(found.author)}, as {FORMATS[format]}.",
            file=discord.File(io.BytesIO(data), filename=filename(draft, format)),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Downloads(bot))
