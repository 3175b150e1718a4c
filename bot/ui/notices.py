"""Telling a member something the bot has to say on its own (a decision on their submission,
their daily digest): by DM, or, where their DMs are closed, with a mention in their server's
announcements channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)


async def tell_member(bot: StoryBot, guild_id: int, user_id: int, text: str) -> bool:
    """Whether the member was told: a failure is logged (they can also look it up, in
    /mywork)."""
    try:
        dm = await bot.create_dm(discord.Object(user_id))
        await dm.send(text, allowed_mentions=discord.AllowedMentions.none())
        return True
    except discord.HTTPException as error:
        log.info("could not DM member %d: %s", user_id, error)
    settings = await bot.store.guild_settings(guild_id)
    if settings.announce_channel_id is None:
        return False
    try:
        channel = bot.get_partial_messageable(settings.announce_channel_id)
        await channel.send(
            f"<@{user_id}> {text}",
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(user_id)]
            ),
        )
        return True
    except discord.HTTPException as error:
        log.warning("could not tell member %d in guild %d: %s", user_id, guild_id, error)
        return False
