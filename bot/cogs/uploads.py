"""/upload: moderators add stories and chapters from Discord, after a preview they confirm
(bot/ui/uploading.py); /announce: where new stories and chapters are announced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.moderation import (
    IN_SERVERS,
    MODERATOR_PERMISSIONS,
    SERVER_INSTALL,
    moderators_only,
)
from bot.ui.lookup import guild_story, guild_story_autocomplete, server_of
from bot.ui.uploading import (
    FILE_OPTIONS,
    RATING_CHOICES,
    UploadPreview,
    preview_embed,
    read_story_file,
)

if TYPE_CHECKING:
    from bot.app import StoryBot


class Uploads(commands.Cog):
    """Moderators' uploads of stories and chapters, and the announcements channel."""

    announce = app_commands.Group(
        name="announce",
        description="Where new stories and chapters are announced",
        allowed_contexts=IN_SERVERS,
        default_permissions=MODERATOR_PERMISSIONS,
        allowed_installs=SERVER_INSTALL,
    )

    def __init__(self, bot: StoryBot):
        self.bot = bot

    @app_commands.command(name="upload")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    @moderators_only
    @app_commands.describe(
        file="The story: .txt, .md, .html (AO3 download) or .epub",
        story="Add the file's chapters to this story instead of making a new one",
        author="The author (default: from the file)",
        **FILE_OPTIONS,
    )
    @app_commands.choices(rating=RATING_CHOICES)
    @app_commands.autocomplete(story=guild_story_autocomplete)
    async def upload(
        self,
        interaction: discord.Interaction[StoryBot],
        file: discord.Attachment,
        story: str | None = None,
        title: app_commands.Range[str, 1, 200] | None = None,
        author: app_commands.Range[str, 1, 100] | None = None,
        rating: str | None = None,
        warnings: app_commands.Range[str, 1, 400] | None = None,
        tags: app_commands.Range[str, 1, 1000] | None = None,
        summary: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        """Add a story, or new chapters of one, to this server's library (moderators)."""
        target = await guild_story(interaction, story) if story else None
        options = {
            "title": title,
            "author": author,
            "rating": rating,
            "warnings": warnings,
            "tags": tags,
            "summary": summary,
        }
        limit = interaction.client.settings.upload_max_bytes
        draft, content_hash = await read_story_file(interaction, file, options, limit)
        preview = UploadPreview(
            interaction, draft, content_hash, appending_to=target.id if target else None
        )
        await interaction.edit_original_response(embed=preview_embed(draft, target), view=preview)

    @announce.command(name="set")
    @moderators_only
    @app_commands.describe(
        channel="Where each new story and chapter is announced once",
        role="A role to ping with each announcement",
    )
    async def announce_set(
        self,
        interaction: discord.Interaction[StoryBot],
        channel: discord.TextChannel,
        role: discord.Role | None = None,
    ) -> None:
        """Announce every new story and chapter in a channel (moderators)."""
        mine = channel.permissions_for(channel.guild.me)
        if not (mine.view_channel and mine.send_messages):
            raise UserFacingError(
                f"I can't post in {channel.mention}: give me View Channel and Send Messages there."
            )
        await interaction.client.store.set_announcements(
            server_of(interaction),
            channel.id,
            role.id if role else None,
        )
        await interaction.response.send_message(
            f"New stories and chapters will be announced in {channel.mention}"
            + (f", pinging {role.mention}." if role else "."),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @announce.command(name="off")
    @moderators_only
    async def announce_off(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Stop announcing new stories and chapters (moderators)."""
        await interaction.client.store.set_announcements(server_of(interaction), None, None)
        await interaction.response.send_message("Announcements are off.", ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Uploads(bot))
