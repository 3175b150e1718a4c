"""Following a story, an author or a server's news, from a command or a button."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.store import Following
from bot.ui.lookup import server_of

if TYPE_CHECKING:
    from bot.app import StoryBot


async def follow(
    interaction: discord.Interaction[StoryBot], kind: Following, target: str, what: str
) -> None:
    """Subscribe the person behind `interaction` in their server, and tell them how they will
    hear of `what`."""
    store = interaction.client.store
    added = await store.subscribe(interaction.user.id, server_of(interaction), kind, target)
    by_mention = (await store.subscriber(interaction.user.id)).by_mention
    how = "in the announcements channel" if by_mention else "by DM"
    told = (
        f"Subscribed: I'll tell you {how} about {what}." if added else f"You already follow {what}."
    )
    await interaction.response.send_message(
        told + " See everything you follow with /subscriptions.", ephemeral=True
    )
