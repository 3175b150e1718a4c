"""/upload: moderators add stories and chapters from Discord, after a preview they confirm.

Nothing is written until Confirm; then the story (or its new chapters), the audit entry and the
notifications for subscribers are written in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError, report_error
from bot.library.findings import findings
from bot.library.formats import UPLOAD_SUFFIXES, parse_upload
from bot.library.importer import ImportRejected, with_metadata
from bot.library.model import Rating, StoryDraft
from bot.library.render import escape, plural, render_prose, shorten
from bot.library.text import file_size
from bot.moderation import (
    IN_SERVERS,
    MODERATOR_PERMISSIONS,
    SERVER_INSTALL,
    is_moderator,
    moderators_only,
)
from bot.store import NEWS, DuplicateUpload, Story
from bot.ui import limits
from bot.ui.details import StoryDetailsModal, StoryTagsModal
from bot.ui.lookup import guild_story, guild_story_autocomplete, server_of

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 600
_PREVIEW_CHAPTERS = 15
_PREVIEW_FINDINGS = 5
_ACCEPTED = "plain text (.txt), Markdown (.md), HTML as AO3 downloads it (.html) or EPUB (.epub)"


def preview_embed(draft: StoryDraft, appending_to: Story | None) -> discord.Embed:
    """What the upload was understood as, for the moderator to check before confirming; new
    chapters of a story are numbered from its last."""
    first = appending_to.chapter_count + 1 if appending_to else 1
    chapters = [
        f"{number}. {render_prose(shorten(chapter.title, 80))} — "
        f"{plural(chapter.word_count, 'word')}"
        for number, chapter in enumerate(draft.chapters[:_PREVIEW_CHAPTERS], first)
    ]
    if len(draft.chapters) > _PREVIEW_CHAPTERS:
        chapters.append(f"…and {len(draft.chapters) - _PREVIEW_CHAPTERS} more")
    heading = f"New chapters for “{escape(appending_to.title)}”" if appending_to else "New story"
    embed = discord.Embed(
        title=shorten(
            f"{heading}: {draft.title}" if not appending_to else heading, limits.EMBED_TITLE
        ),
        description=shorten(
            "**Chapters**\n"
            + "\n".join(chapters)
            + "\n\n**Opening lines**\n"
            + render_prose(shorten(draft.chapters[0].text, 400)),
            limits.EMBED_DESCRIPTION,
        ),
        colour=discord.Colour.blurple(),
    )
    if found := findings(draft, first=first):
        shown = [f"• {escape(sentence)}" for sentence in found[:_PREVIEW_FINDINGS]]
        if len(found) > _PREVIEW_FINDINGS:
            shown.append(f"…and {len(found) - _PREVIEW_FINDINGS} more")
        embed.add_field(
            name="Check before confirming",
            value=shorten("\n".join(shown), limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    if not appending_to:
        embed.add_field(
            name="Author", value=shorten(render_prose(draft.author), limits.EMBED_FIELD_VALUE)
        )
        embed.add_field(name="Rating", value=draft.rating.value)
        embed.add_field(name="Status", value=draft.status.value.capitalize())
        embed.add_field(
            name="Warnings",
            value=shorten(
                escape(", ".join(draft.warnings)) or "none given", limits.EMBED_FIELD_VALUE
            ),
            inline=False,
        )
        if draft.summary:
            embed.add_field(
                name="Summary",
                value=shorten(render_prose(draft.summary), limits.EMBED_FIELD_VALUE),
                inline=False,
            )
    embed.set_footer(
        text=f"{plural(draft.word_count, 'word')} · nothing is saved until you confirm"
    )
    return embed


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
        title="The title (default: from the file)",
        author="The author (default: from the file)",
        rating="The rating (default: from the file, else Not Rated)",
        warnings="Archive warnings, separated by commas",
        tags="Freeform tags, separated by commas",
        summary="A short summary",
    )
    @app_commands.choices(rating=[app_commands.Choice(name=r.value, value=r.value) for r in Rating])
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
        limit = interaction.client.settings.upload_max_bytes
        name = PurePath(file.filename).name
        if PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise UserFacingError(f"I can't read “{escape(name)}”: upload {_ACCEPTED}.")
        if file.size > limit:
            raise UserFacingError(
                f"“{escape(name)}” is {file_size(file.size)}; uploads can be at most "
                f"{file_size(limit)}."
            )
        target = await guild_story(interaction, story) if story else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            raw = await file.read()
        except discord.HTTPException:
            raise UserFacingError(
                "I couldn't download that file from Discord; try again."
            ) from None
        options = {
            "title": title,
            "author": author,
            "rating": rating,
            "warnings": warnings,
            "tags": tags,
            "summary": summary,
        }
        try:
            draft = await asyncio.to_thread(parse_upload, raw, name, max_bytes=limit)
            draft = with_metadata(draft, options, "the upload's options")
        except ImportRejected as error:
            raise UserFacingError(str(error)) from None
        preview = UploadPreview(
            interaction,
            draft,
            hashlib.sha256(raw).hexdigest(),
            appending_to=target.id if target else None,
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


class UploadPreview(discord.ui.View):
    """Confirm, fix details, or cancel an upload. Kept in memory only for the few minutes a
    moderator needs: an upload not confirmed before a timeout or a restart writes nothing."""

    def __init__(
        self,
        interaction: discord.Interaction[StoryBot],
        draft: StoryDraft,
        content_hash: str,
        *,
        appending_to: int | None,
    ):
        super().__init__(timeout=PREVIEW_TIMEOUT)
        self.origin = interaction
        self.draft = draft
        self.content_hash = content_hash
        self.appending_to = appending_to
        if appending_to is not None:
            self.remove_item(self.fix_details)
            self.remove_item(self.fix_tags)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.origin.user.id:
            return True
        await interaction.response.send_message("This upload is someone else's.", ephemeral=True)
        return False

    async def on_timeout(self) -> None:
        try:
            await self.origin.edit_original_response(
                content="This upload expired before it was confirmed; nothing was saved.",
                embed=None,
                view=None,
            )
        except discord.HTTPException:
            log.debug("could not mark an expired upload", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success)
    async def confirm(
        self, interaction: discord.Interaction[StoryBot], button: discord.ui.Button[Any]
    ) -> None:
        bot = interaction.client
        if not await is_moderator(interaction):
            self.stop()
            await interaction.response.edit_message(
                content="You are no longer a moderator here, so nothing was saved.",
                embed=None,
                view=None,
            )
            return
        assert interaction.guild_id is not None  # is_moderator holds only in a server
        try:
            if self.appending_to is None:
                await bot.store.add_upload(
                    interaction.guild_id,
                    self.draft,
                    content_hash=self.content_hash,
                    user_id=interaction.user.id,
                    page_size=bot.settings.page_size,
                )
                done = (
                    f"Added “{escape(self.draft.title)}” with "
                    f"{plural(len(self.draft.chapters), 'chapter')}. "
                    "Readers can open it with /read."
                )
            else:
                first, last = await bot.store.append_chapters(
                    self.appending_to,
                    interaction.guild_id,
                    self.draft.chapters,
                    content_hash=self.content_hash,
                    user_id=interaction.user.id,
                    page_size=bot.settings.page_size,
                )
                done = f"Added chapter{'s' if last > first else ''} {first}" + (
                    f"–{last}." if last > first else "."
                )
        except DuplicateUpload as duplicate:
            raise UserFacingError(
                f"This file was uploaded here before, as “{escape(str(duplicate))}”: nothing "
                "was added."
            ) from None
        self.stop()
        await interaction.response.edit_message(content=done, embed=None, view=None)
        bot.dispatch(NEWS)

    @discord.ui.button(label="Fix details", style=discord.ButtonStyle.secondary)
    async def fix_details(
        self, interaction: discord.Interaction[StoryBot], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(
            StoryDetailsModal("Fix the details", self.draft, self._details_fixed)
        )

    @discord.ui.button(label="Tags and status", style=discord.ButtonStyle.secondary)
    async def fix_tags(
        self, interaction: discord.Interaction[StoryBot], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(
            StoryTagsModal("Tags and status", self.draft, self._details_fixed)
        )

    async def _details_fixed(self, interaction: discord.Interaction, draft: StoryDraft) -> None:
        self.draft = draft
        await interaction.response.edit_message(embed=preview_embed(draft, None), view=self)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.danger)
    async def cancel(
        self, interaction: discord.Interaction[StoryBot], button: discord.ui.Button[Any]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Upload cancelled; nothing was saved.", embed=None, view=None
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Uploads(bot))
