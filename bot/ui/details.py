"""The form for a story's details, used to fix an upload before confirming and to edit later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import UserFacingError, report_error
from bot.library.importer import ImportRejected, with_metadata
from bot.library.model import StoryDraft

DetailsHandler = Callable[[discord.Interaction[Any], StoryDraft], Awaitable[None]]


class StoryDetailsModal(discord.ui.Modal):
    """Title, author, rating, warnings and summary, checked as front matter would be; the
    handler gets `draft` with the new details."""

    def __init__(self, heading: str, draft: StoryDraft, handler: DetailsHandler):
        super().__init__(title=heading, timeout=900)
        self.draft, self.handler = draft, handler
        self.inputs: dict[str, discord.ui.TextInput[StoryDetailsModal]] = {
            "title": discord.ui.TextInput(label="Title", default=draft.title, max_length=200),
            "author": discord.ui.TextInput(label="Author", default=draft.author, max_length=100),
            "rating": discord.ui.TextInput(
                label="Rating",
                placeholder="General, Teen, Mature, Explicit or Not Rated",
                default=draft.rating.value,
                max_length=40,
            ),
            "warnings": discord.ui.TextInput(
                label="Archive warnings, separated by commas",
                default=", ".join(draft.warnings),
                required=False,
                max_length=400,
            ),
            "summary": discord.ui.TextInput(
                label="Summary",
                default=draft.summary[:2000],
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=2000,
            ),
        }
        for text_input in self.inputs.values():
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = {name: text_input.value.strip() for name, text_input in self.inputs.items()}
        try:
            draft = with_metadata(self.draft, values, "the form")
        except ImportRejected as error:
            raise UserFacingError(str(error)) from None
        await self.handler(interaction, draft)

    async def on_error(  # type: ignore[override]  # a modal's errors come without an item
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        await report_error(interaction, error)
