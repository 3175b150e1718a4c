"""What readers do together, from a story's card, its last page and their commands: kudos,
bookmarks and the list to read later, and each chapter's discussion thread.

A chapter's discussion in a server is one thread, made on first use in the server's discussion
channel and found again by its stored id: in a text channel a thread of it, in a forum channel
a post of its own (a forum holds at most 20 tags, too few for one a story, so each chapter is a
post named after its story and chapter). A thread deleted since is made again, an archived one
is opened again. A guild's clicks all reach the process of its shard, so one lock per chapter
in that process is enough for two readers clicking at once to land in the same thread.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.errors import UserFacingError
from bot.library.render import escape, render_prose, shorten
from bot.store import Chapter, Shelved
from bot.store.together import NOTE_LENGTH
from bot.ui import reader
from bot.ui.items import ReportingModal, StatefulItem
from bot.ui.lookup import server_of, viewer_of

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

_THREAD_NAME = 100
"""The most a thread's name may hold (Channel object: name, 1-100 characters)."""
_ARCHIVE_AFTER: Literal[10080] = 10080
"""Minutes of quiet before Discord archives a discussion: a week, the longest it allows."""
_opening: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = weakref.WeakValueDictionary()


# ----------------------------------------------------------------------------- kudos


async def give_kudos(interaction: discord.Interaction[StoryBot], story_id: int) -> None:
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    title, given = await store.give_kudos(viewer, story_id)
    title = escape(title)
    await interaction.response.send_message(
        f"♥ You left kudos on “{title}”." if given else f"You left kudos on “{title}” already.",
        ephemeral=True,
    )


class KudosButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"kudos:(?P<story>[^:]+)",
):
    """Leave kudos on a story: once a reader."""

    story: int

    @classmethod
    def make(cls, story: int) -> KudosButton:
        return cls.button("♥ Kudos", style=discord.ButtonStyle.success, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await give_kudos(interaction, self.story)


# ----------------------------------------------------------------------------- the shelf


async def shelve(
    interaction: discord.Interaction[StoryBot],
    story_id: int,
    kind: Shelved,
    *,
    note: str = "",
    public: bool = False,
) -> None:
    """Put the story on the reader's shelf, and tell them so."""
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    title, new = await store.shelve(viewer, story_id, kind, note=note, public=public)
    title = escape(title)
    if kind is Shelved.LATER:
        told = f"Marked “{title}” for later." if new else f"“{title}” is marked for later already."
    else:
        who = "shown on its card in this server" if public else "only for you"
        told = f"Bookmarked “{title}” ({who})." if new else f"Updated your bookmark of “{title}”."
    await interaction.response.send_message(f"{told} /shelf lists them.", ephemeral=True)


class ShelfButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"shelf:(?P<kind>bookmark|later):(?P<story>[^:]+)",
):
    """Bookmark a story (with a note, in a form) or mark it for later."""

    kind: str
    story: int

    @classmethod
    def make(cls, kind: Shelved, story: int) -> ShelfButton:
        label = "Bookmark" if kind is Shelved.BOOKMARK else "Mark for later"
        return cls.button(label, kind=kind.value, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        if self.kind == Shelved.LATER.value:
            await shelve(interaction, self.story, Shelved.LATER)
            return
        await interaction.client.store.story_title(await viewer_of(interaction), self.story)
        await interaction.response.send_modal(BookmarkModal(self.story))


class BookmarkModal(ReportingModal):
    """A bookmark's note, and whether readers of this server see it on the story's card."""

    def __init__(self, story_id: int):
        super().__init__(title="Bookmark", timeout=900)
        self.story_id = story_id
        self.note: discord.ui.TextInput[BookmarkModal] = discord.ui.TextInput(
            label="A note (optional)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=NOTE_LENGTH,
        )
        self.shown: discord.ui.Select[BookmarkModal] = discord.ui.Select(
            options=[
                discord.SelectOption(label="Only me", value="private", default=True),
                discord.SelectOption(label="Readers of this server, on its card", value="public"),
            ]
        )
        self.add_item(self.note)
        self.add_item(discord.ui.Label(text="Who sees it", component=self.shown))

    async def on_submit(self, interaction: discord.Interaction[StoryBot]) -> None:  # type: ignore[override]
        public = self.shown.values == ["public"] and interaction.guild_id is not None
        await shelve(
            interaction,
            self.story_id,
            Shelved.BOOKMARK,
            note=self.note.value.strip(),
            public=public,
        )


# ----------------------------------------------------------------------------- discussions


def thread_name(chapter: Chapter) -> str:
    """“Story — Chapter N: title”, within Discord's limit for a thread's name."""
    story = shorten(chapter.story_title, 60)
    heading = chapter.title
    if not heading.lower().startswith(("chapter", "prologue", "epilogue")):
        heading = f"Chapter {chapter.number}: {heading}"
    return shorten(f"{story} — {heading}", _THREAD_NAME)


def _opening_message(chapter: Chapter) -> tuple[str, discord.ui.View]:
    """The discussion's first message: what it is about, a spoiler warning, and the way back
    to the chapter."""
    text = (
        f"Discussion of **{render_prose(chapter.story_title)}**, chapter {chapter.number}: "
        f"{render_prose(chapter.title)}.\n⚠️ Spoilers for everything up to the end of this "
        "chapter: read it first."
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        reader.OpenCopyButton.make(
            chapter.story_id, chapter.number, 1, label=f"Read chapter {chapter.number}"
        )
    )
    view.stop()
    return text, view


async def open_discussion(
    interaction: discord.Interaction[StoryBot], story_id: int, number: int
) -> None:
    """Answer with the link to the chapter's discussion here, made now if it has none yet."""
    bot = interaction.client
    guild_id = server_of(interaction)
    chapter = await bot.store.chapter(await viewer_of(interaction), story_id, number)
    settings = await bot.store.guild_settings(guild_id)
    if settings.discussion_channel_id is None:
        raise UserFacingError(
            "This server has no discussion channel yet: its moderators can choose one with "
            "`/settings discussion-channel`."
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    key = (guild_id, chapter.id)
    lock = _opening.get(key)
    if lock is None:
        lock = _opening[key] = asyncio.Lock()
    async with lock:
        thread = await _discussion(bot, guild_id, chapter, settings.discussion_channel_id)
    link = discord.ui.View(timeout=None)
    link.add_item(discord.ui.Button(label="Open the discussion", url=thread.jump_url))
    await interaction.edit_original_response(
        content=f"The discussion of chapter {chapter.number}: {thread.mention}", view=link
    )


async def _discussion(
    bot: StoryBot, guild_id: int, chapter: Chapter, channel_id: int
) -> discord.Thread:
    """The chapter's thread here, opened again if archived, or made anew if it has none or it
    was deleted."""
    thread_id = await bot.store.discussion_thread(guild_id, chapter.id)
    if thread_id is not None:
        try:
            found = bot.get_channel(thread_id) or await bot.fetch_channel(thread_id)
        except discord.NotFound:
            found = None  # deleted: made again below
        except discord.Forbidden:
            raise UserFacingError(_CANNOT_SEE) from None
        if isinstance(found, discord.Thread):
            if found.archived and not found.locked:
                found = await _call(found.edit(archived=False))
            return found
    parent = bot.get_channel(channel_id)
    if not isinstance(parent, discord.TextChannel | discord.ForumChannel):
        raise UserFacingError(
            "The discussion channel is gone or is no longer a text or forum channel: a moderator "
            "can choose another with `/settings discussion-channel`."
        )
    thread = await _create(bot, parent, chapter)
    await bot.store.set_discussion_thread(guild_id, chapter, thread.id)
    return thread


_CANNOT_SEE = (
    "I can no longer see the discussion channel: a moderator can give me View Channel, Send "
    "Messages, Create Public Threads and Send Messages in Threads there."
)


async def _create(
    bot: StoryBot, parent: discord.TextChannel | discord.ForumChannel, chapter: Chapter
) -> discord.Thread:
    """The chapter's thread, made in `parent` with its first message.

    Discord may make a thread and fail to say so (a 500 after the fact), and discord.py then
    asks again: any other thread of that name the bot made in the last minute is such a
    double, and goes (its THREAD_CREATE reached the bot before the answer to the retry did).
    Should the failure come out instead, the thread made meanwhile is taken.
    """
    name = thread_name(chapter)
    text, view = _opening_message(chapter)
    mentions = discord.AllowedMentions.none()
    try:
        if isinstance(parent, discord.ForumChannel):
            made = await parent.create_thread(
                name=name,
                auto_archive_duration=_ARCHIVE_AFTER,
                content=text,
                view=view,
                allowed_mentions=mentions,
            )
            thread, opened = made.thread, True
        else:
            thread = await parent.create_thread(
                name=name,
                type=discord.ChannelType.public_thread,
                auto_archive_duration=_ARCHIVE_AFTER,
            )
            opened = False
    except discord.Forbidden:
        raise UserFacingError(_CANNOT_SEE) from None
    except discord.HTTPException:
        doubles = _just_made(bot, parent, name)
        if not doubles:
            raise
        thread, opened = doubles[-1], isinstance(parent, discord.ForumChannel)
    for double in _just_made(bot, parent, name):
        if double.id != thread.id:
            await _call(double.delete())
    if not opened:
        await _call(thread.send(text, view=view, allowed_mentions=mentions))
    return thread


def _just_made(
    bot: StoryBot, parent: discord.TextChannel | discord.ForumChannel, name: str
) -> list[discord.Thread]:
    """The threads of that name the bot made in `parent` in the last minute, as its cache
    knows them, oldest first."""
    since = discord.utils.utcnow() - timedelta(minutes=1)
    return sorted(
        (
            t
            for t in parent.threads
            if t.name == name
            and t.owner_id == bot.user.id  # type: ignore[union-attr]
            and (t.created_at is None or t.created_at >= since)
        ),
        key=lambda t: t.id,
    )


async def _call(action: Any) -> Any:
    try:
        return await action
    except discord.Forbidden:
        raise UserFacingError(_CANNOT_SEE) from None


async def lock_discussions(bot: StoryBot, guild_id: int, story_id: int) -> None:
    """Lock the discussions of a story removed from the library here (a restore leaves them
    locked: its moderators may open them again)."""
    for thread_id in await bot.store.story_threads(guild_id, story_id):
        try:
            thread = bot.get_channel(thread_id) or await bot.fetch_channel(thread_id)
            if isinstance(thread, discord.Thread) and not thread.locked:
                await thread.edit(locked=True, archived=True)
        except discord.HTTPException as error:
            log.info("could not lock discussion %d: %s", thread_id, error)


class DiscussButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"discuss:(?P<story>[^:]+):(?P<chapter>[^:]+)",
):
    """Open the chapter's discussion thread in this server."""

    story: int
    chapter: int

    @classmethod
    def make(cls, story: int, chapter: int) -> DiscussButton:
        return cls.button("💬 Discuss", story=story, chapter=chapter)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        if interaction.guild_id is None:
            raise UserFacingError("Discussions are in the servers you read in, not in DMs.")
        await open_discussion(interaction, self.story, self.chapter)


TOGETHER_ITEMS = (KudosButton, ShelfButton, DiscussButton)
