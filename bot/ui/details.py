"""The form for a story's details, used to fix an upload before confirming and to edit later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord

from bot.errors import UserFacingError
from bot.library.importer import ImportRejected, with_metadata
from bot.library.model import ARCHIVE_WARNINGS, Rating, Status, StoryDraft, TagKind
from bot.ui.items import ReportingModal

DetailsHandler = Callable[[discord.Interaction[Any], StoryDraft], Awaitable[None]]


class StoryDetailsModal(ReportingModal):
    """Title, author, summary, and the rating and archive warnings picked from menus, checked
    as front matter would be; the handler gets `draft` with the new details."""

    def __init__(self, heading: str, draft: StoryDraft, handler: DetailsHandler):
        super().__init__(title=heading, timeout=900)
        self.draft, self.handler = draft, handler
        self.texts: dict[str, discord.ui.TextInput[StoryDetailsModal]] = {
            "title": discord.ui.TextInput(label="Title", default=draft.title, max_length=200),
            "author": discord.ui.TextInput(label="Author", default=draft.author, max_length=100),
            "summary": discord.ui.TextInput(
                label="Summary",
                default=draft.summary[:2000],
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=2000,
            ),
        }
        self.rating: discord.ui.Select[StoryDetailsModal] = discord.ui.Select(
            options=[
                discord.SelectOption(label=rating.value, default=rating is draft.rating)
                for rating in Rating
            ]
        )
        self.warnings: discord.ui.Select[StoryDetailsModal] = discord.ui.Select(
            options=[
                discord.SelectOption(label=warning, default=warning in draft.warnings)
                for warning in ARCHIVE_WARNINGS
            ],
            min_values=0,
            max_values=len(ARCHIVE_WARNINGS),
            required=False,
        )
        self.add_item(self.texts["title"])
        self.add_item(self.texts["author"])
        self.add_item(discord.ui.Label(text="Rating", component=self.rating))
        self.add_item(discord.ui.Label(text="Archive warnings", component=self.warnings))
        self.add_item(self.texts["summary"])

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values: dict[str, object] = {
            name: text_input.value.strip() for name, text_input in self.texts.items()
        }
        values["rating"] = self.rating.values[0] if self.rating.values else ""
        values["warnings"] = list(self.warnings.values)
        try:
            draft = with_metadata(self.draft, values, "the form")
        except ImportRejected as error:
            raise UserFacingError(str(error)) from None
        if not self.warnings.values:  # none picked: the story has none
            draft = replace(draft, warnings=())
        await self.handler(interaction, draft)


_TAG_FIELDS = (
    ("fandoms", "Fandoms", TagKind.FANDOM),
    ("relationships", "Relationships", TagKind.RELATIONSHIP),
    ("characters", "Characters", TagKind.CHARACTER),
    ("tags", "Tags", TagKind.FREEFORM),
)


class StoryTagsModal(ReportingModal):
    """Fandoms, relationships, characters and tags (separated by commas) and the status picked
    from a menu, checked as front matter would be; the handler gets `draft` with them."""

    def __init__(self, heading: str, draft: StoryDraft, handler: DetailsHandler):
        super().__init__(title=heading, timeout=900)
        self.draft, self.handler = draft, handler
        self.texts: dict[str, discord.ui.TextInput[StoryTagsModal]] = {}
        for key, label, kind in _TAG_FIELDS:
            self.texts[key] = discord.ui.TextInput(
                label=f"{label}, separated by commas",
                default=", ".join(draft.tags.get(kind, ()))[:4000],
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=4000,
            )
            self.add_item(self.texts[key])
        self.status: discord.ui.Select[StoryTagsModal] = discord.ui.Select(
            options=[
                discord.SelectOption(
                    label=status.value.capitalize(),
                    value=status.value,
                    default=status is draft.status,
                )
                for status in Status
            ]
        )
        self.add_item(discord.ui.Label(text="Status", component=self.status))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values: dict[str, object] = {
            key: text_input.value.strip() for key, text_input in self.texts.items()
        }
        values["status"] = self.status.values[0] if self.status.values else ""
        try:
            draft = with_metadata(self.draft, values, "the form")
        except ImportRejected as error:
            raise UserFacingError(str(error)) from None
        # A field left empty clears those tags (front matter would keep the file's).
        cleared = {kind: () for key, _, kind in _TAG_FIELDS if not values[key]}
        draft = replace(draft, tags={**draft.tags, **cleared})
        await self.handler(interaction, draft)
