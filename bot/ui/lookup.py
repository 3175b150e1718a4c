"""Finding stories for commands: who is looking (the viewer), autocomplete, and what a typed
value names. Every cog finds stories through here, so each one applies bot.access's rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.access import Viewer
from bot.errors import UserFacingError
from bot.library.names import closest
from bot.library.render import escape, shorten
from bot.store import Story, StoryChoice
from bot.ui import limits

if TYPE_CHECKING:
    from bot.app import StoryBot


def server_of(interaction: discord.Interaction[Any]) -> int:
    """The server a server-only command or button is used in."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def _age_restricted_channel(interaction: discord.Interaction[Any]) -> bool:
    is_nsfw = getattr(interaction.channel, "is_nsfw", None)
    return bool(is_nsfw and is_nsfw())


async def viewer_of(interaction: discord.Interaction[StoryBot]) -> Viewer:
    """Who is behind this interaction, and where: what bot.access decides on."""
    user_id = interaction.user.id
    if interaction.guild_id is not None and interaction.client.get_guild(interaction.guild_id):
        return Viewer(user_id, interaction.guild_id, _age_restricted_channel(interaction))
    # DMs, or a server that has not added the bot (reached through the reader's own install of
    # the app): the bundled library, and the stories of the servers they are a member of.
    store, bot = interaction.client.store, interaction.client
    age_ok = await store.mature_in_dms(user_id)
    servers = await bot.memberships.servers_of(user_id, await store.reader_servers(user_id))
    return Viewer(user_id, None, age_ok, member_of=servers)


def _choices(stories: list[StoryChoice] | list[Story]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(
            name=shorten(f"{story.title} — {story.author}", limits.CHOICE_NAME), value=str(story.id)
        )
        for story in stories
    ]


async def story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Stories the reader may see here whose title or author matches what they typed."""
    matches = await interaction.client.store.find_stories(
        await viewer_of(interaction), current, limit=limits.CHOICES
    )
    return _choices(matches)


async def resolve_story(interaction: discord.Interaction[StoryBot], value: str) -> StoryChoice:
    """The story the reader picked or typed, checked again (autocomplete is only a suggestion).

    A typed value need not be exact: any letter case, part of the title, or a small typo finds
    the story it names unambiguously; otherwise the reply says which stories it could mean.
    """
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    story = await store.story_named(viewer, value)
    if story is not None:
        return story
    matches = await store.find_stories(viewer, value, limit=limits.CHOICES)
    if not matches:
        candidates = await store.stories_sharing_word_starts(viewer, value)
        positions = closest(value, [candidate.title for candidate in candidates])
        matches = [candidates[position] for position in positions]
    if len(matches) == 1:
        return matches[0]
    typed = escape(shorten(value, 80))
    if matches:
        named = [f"“{escape(shorten(match.title, 80))}”" for match in matches[:5]]
        raise UserFacingError(
            f"“{typed}” could be {_either(named)}. Pick one from the suggestions as you type."
        )
    raise UserFacingError(
        f"I couldn't find a story called “{typed}” here. "
        "Pick one from the suggestions as you type, or browse with /stories."
    )


def _either(names: list[str]) -> str:
    """Names as a sentence offers them: "a, b or c"."""
    *most, last = names
    return f"{', '.join(most)} or {last}" if most else last


async def tag_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Tags of the stories the reader may see here that start with what they typed."""
    tags = await interaction.client.store.tags_like(await viewer_of(interaction), current)
    return [
        app_commands.Choice(
            name=shorten(tag, limits.CHOICE_NAME), value=shorten(tag, limits.CHOICE_NAME)
        )
        for tag in tags
    ]


async def guild_story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """This server's own uploads matching what was typed, for its moderators' commands."""
    viewer = await viewer_of(interaction)
    matches = await interaction.client.store.find_stories(viewer, current, own_only=True)
    return _choices(matches)


async def guild_story(
    interaction: discord.Interaction[StoryBot], value: str, *, removed: bool = False
) -> Story:
    """One of this server's own stories, which its moderators may change, or a reply saying
    why not. `removed` looks among the removed ones instead."""
    store = interaction.client.store
    story = await store.changeable_story(server_of(interaction), value, removed=removed)
    if story is not None:
        return story
    if await store.story_named(await viewer_of(interaction), value):
        raise UserFacingError(
            "That story is part of the bundled library, which can't be changed from Discord. "
            "Only stories uploaded to this server can."
        )
    raise UserFacingError(
        f"I couldn't find a story called “{escape(shorten(value, 80))}” uploaded to this server."
    )
