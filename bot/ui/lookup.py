"""Finding stories for commands: who is looking (the viewer), autocomplete, and what a typed
value names. Every cog finds stories through here, so each one applies bot.access's rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.access import Changer, Viewer
from bot.errors import UserFacingError
from bot.library.names import closest
from bot.library.render import either, escape, shorten
from bot.moderation import is_moderator
from bot.store import Following, Story, StoryChoice
from bot.ui import limits

if TYPE_CHECKING:
    from bot.app import StoryBot


def server_of(interaction: discord.Interaction[Any]) -> int:
    """The server a server-only command or button is used in."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


async def changer_of(interaction: discord.Interaction[StoryBot]) -> Changer:
    """Who is behind this interaction as someone who may change this server's stories: any of
    them as its moderator, their own as an author."""
    guild_id = server_of(interaction)
    return Changer(guild_id, interaction.user.id, await is_moderator(interaction))


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


def _choices(stories: list[StoryChoice]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(
            name=shorten(
                f"{story.title} — {story.author}" + (f" · {story.tag}" if story.tag else ""),
                limits.CHOICE_NAME,
            ),
            value=str(story.id),
        )
        for story in stories
    ]


async def _suggested_stories(
    interaction: discord.Interaction[StoryBot], current: str, *, changer: Changer | None = None
) -> list[app_commands.Choice[str]]:
    """Stories whose title or author matches what was typed, then, while there is room, those
    with a fandom, relationship, character or tag that does (each query ranks a bounded number
    of candidates; the second is not run when the first fills the list)."""
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    found = await store.find_stories(viewer, current, changer=changer, limit=limits.CHOICES)
    if len(found) < limits.CHOICES:
        named = {story.id for story in found}
        tagged = await store.stories_tagged(viewer, current, changer=changer, limit=limits.CHOICES)
        found += [story for story in tagged if story.id not in named]
    return _choices(found[: limits.CHOICES])


async def story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Stories the reader may see here whose title, author, fandom, relationship, character or
    tag matches what they typed."""
    return await _suggested_stories(interaction, current)


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
            f"“{typed}” could be {either(named)}. Pick one from the suggestions as you type."
        )
    raise UserFacingError(
        f"I couldn't find a story called “{typed}” here. "
        "Pick one from the suggestions as you type, or browse with /stories."
    )


async def tag_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Tags of the stories the reader may see here that start with what they typed."""
    return _name_choices(
        await interaction.client.store.tags_like(await viewer_of(interaction), current)
    )


async def series_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Series of the stories the reader may see here whose name contains what they typed."""
    return _name_choices(
        await interaction.client.store.series_like(await viewer_of(interaction), current)
    )


async def guild_story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """The server's stories matching what was typed that the member may change: any for its
    moderators, their own for authors."""
    return await _suggested_stories(interaction, current, changer=await changer_of(interaction))


def _name_choices(names: list[str]) -> list[app_commands.Choice[str]]:
    """Names (tags, series, authors) as suggestions, each its own value."""
    return [
        app_commands.Choice(
            name=shorten(name, limits.CHOICE_NAME), value=shorten(name, limits.CHOICE_VALUE)
        )
        for name in names[: limits.CHOICES]
    ]


async def author_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """Authors of the stories the reader may see here whose name matches what they typed."""
    store = interaction.client.store
    authors = await store.authors_like(await viewer_of(interaction), current, limits.CHOICES)
    return _name_choices(authors)


async def _followed_authors(
    interaction: discord.Interaction[StoryBot], viewer: Viewer
) -> list[str]:
    """The authors the reader follows here, in lower case as they are kept."""
    followed = await interaction.client.store.subscriptions(viewer)
    return [s.target for s in followed if s.kind is Following.AUTHOR]


async def followed_author_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """The authors the reader follows here whose name contains what they typed."""
    typed = current.strip().lower()
    followed = await _followed_authors(interaction, await viewer_of(interaction))
    return _name_choices([author for author in followed if typed in author])


async def resolve_author(
    interaction: discord.Interaction[StoryBot], value: str, *, or_followed: bool = False
) -> str:
    """The author the reader picked or typed, as the library writes the name (in any letter
    case), if a story they may see here is theirs; with `or_followed`, also an author they
    follow here. Otherwise the reply names the closest authors they could mean."""
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    typed = value.replace("\x00", "").strip()
    author = await store.author_named(viewer, typed)
    if author is not None:
        return author
    followed = await _followed_authors(interaction, viewer) if or_followed else []
    if typed.lower() in followed:
        return typed
    known = {name.lower(): name for name in followed}
    known |= {name.lower(): name for name in await store.authors_sharing_word_starts(viewer, typed)}
    names = list(known.values())
    close = [f"“{escape(shorten(names[at], 80))}”" for at in closest(typed, names)]
    refusal = f"I know no author called “{escape(shorten(typed, 80))}” here."
    if close:
        raise UserFacingError(f"{refusal} Did you mean {either(close)}?")
    raise UserFacingError(f"{refusal} Pick one from the suggestions as you type.")


async def guild_story(
    interaction: discord.Interaction[StoryBot], value: str, *, removed: bool = False
) -> Story:
    """One of this server's own stories that the member may change (see `changer_of`), or a
    reply saying why not. `removed` looks among the removed ones instead."""
    store = interaction.client.store
    changer = await changer_of(interaction)
    story = await store.changeable_story(changer, value, removed=removed)
    if story is not None:
        return story
    if await store.story_named(await viewer_of(interaction), value):
        if not changer.moderator:
            raise UserFacingError(
                "You can change only the stories you wrote here; its moderators can change any "
                "of this server's."
            )
        raise UserFacingError(
            "That story is part of the bundled library, which can't be changed from Discord. "
            "Only stories uploaded to this server can."
        )
    raise UserFacingError(
        f"I couldn't find a story called “{escape(shorten(value, 80))}” uploaded to this server."
    )
