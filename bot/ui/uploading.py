"""What an upload and a member's submission share: reading the file sent, and the preview its
sender checks (and may fix) before confirming.

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

from bot.errors import UserFacingError, report_error
from bot.library.findings import findings
from bot.library.formats import UPLOAD_SUFFIXES, parse_upload
from bot.library.importer import ImportRejected, with_metadata
from bot.library.model import Rating, StoryDraft
from bot.library.render import chapter_span, escape, plural, render_prose, shorten
from bot.library.text import file_size
from bot.moderation import is_moderator
from bot.store import NEWS, DuplicateUpload, Story
from bot.ui import limits
from bot.ui.details import StoryDetailsModal, StoryTagsModal
from bot.ui.lookup import changer_of

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

FILE_OPTIONS = {
    "title": "The title (default: from the file)",
    "rating": "The rating (default: from the file, else Not Rated)",
    "warnings": "Archive warnings, separated by commas",
    "tags": "Freeform tags, separated by commas",
    "summary": "A short summary",
}
"""What /upload's and /submit's options for a story's details say, beside the file."""
RATING_CHOICES = [app_commands.Choice(name=rating.value, value=rating.value) for rating in Rating]

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


async def read_story_file(
    interaction: discord.Interaction[StoryBot],
    file: discord.Attachment,
    options: dict[str, str | None],
    limit: int,
) -> tuple[StoryDraft, str]:
    """The story in an uploaded or submitted file with the command's `options` over what the
    file says, and the file's hash; or a reply saying what is wrong with it. Defers the reply
    (ephemeral) once the file looks readable, as reading a large one takes a while."""
    name = PurePath(file.filename).name
    if PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise UserFacingError(f"I can't read “{escape(name)}”: upload {_ACCEPTED}.")
    if file.size > limit:
        raise UserFacingError(
            f"“{escape(name)}” is {file_size(file.size)}; uploads can be at most "
            f"{file_size(limit)}."
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        raw = await file.read()
    except discord.HTTPException:
        raise UserFacingError("I couldn't download that file from Discord; try again.") from None
    try:
        draft = await asyncio.to_thread(parse_upload, raw, name, max_bytes=limit)
        draft = with_metadata(draft, options, "the upload's options")
    except ImportRejected as error:
        raise UserFacingError(str(error)) from None
    return draft, hashlib.sha256(raw).hexdigest()


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
        try:
            done = await self.save(interaction)
        except DuplicateUpload as duplicate:
            raise UserFacingError(
                f"This file was uploaded here before, as “{escape(str(duplicate))}”: nothing "
                "was added."
            ) from None
        except UserFacingError as refused:
            self.stop()
            await interaction.response.edit_message(content=str(refused), embed=None, view=None)
            return
        self.stop()
        await interaction.response.edit_message(content=done, embed=None, view=None)
        interaction.client.dispatch(NEWS)

    async def save(self, interaction: discord.Interaction[StoryBot]) -> str:
        """Put the story (or its chapters) in the library; what to tell the moderator. A
        UserFacingError ends the preview with its sentence, nothing saved."""
        bot = interaction.client
        if not await is_moderator(interaction):
            raise UserFacingError("You are no longer a moderator here, so nothing was saved.")
        assert interaction.guild_id is not None  # is_moderator holds only in a server
        if self.appending_to is None:
            await bot.store.add_upload(
                interaction.guild_id,
                self.draft,
                content_hash=self.content_hash,
                user_id=interaction.user.id,
                page_size=bot.settings.page_size,
            )
            return (
                f"Added “{escape(self.draft.title)}” with "
                f"{plural(len(self.draft.chapters), 'chapter')}. Readers can open it with /read."
            )
        first, last = await bot.store.append_chapters(
            self.appending_to,
            await changer_of(interaction),
            self.draft.chapters,
            content_hash=self.content_hash,
            page_size=bot.settings.page_size,
        )
        return f"Added {chapter_span(first, last)}."

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
