"""/bookmark, /shelf and /discuss: readers keep stories and talk about chapters; and the daily
digest that tells authors who are members of their kudos and discussions."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.library.render import escape, plural, progress_bar, render_prose, shorten
from bot.pacing import own_work
from bot.store import Digest, ShelfEntry, Shelved
from bot.store.together import NOTE_LENGTH
from bot.ui import limits
from bot.ui.items import Owned, StatelessView, number
from bot.ui.lookup import resolve_story, story_autocomplete, viewer_of
from bot.ui.notices import tell_member
from bot.ui.reader import Step, show_page
from bot.ui.together import TOGETHER_ITEMS, lock_discussions, open_discussion, shelve

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)

DIGEST_EVERY = timedelta(days=1)


def shelf_line(entry: ShelfEntry) -> str:
    """One story of a reader's shelf, with how far they are in it."""
    title = render_prose(shorten(entry.title, 100))
    kept = "for later" if entry.kind is Shelved.LATER else "bookmarked"
    if entry.kind is Shelved.BOOKMARK and entry.note:
        kept += f": {escape(shorten(entry.note, 200))}"
    if entry.chapter_number is None:
        where = "not started"
    else:
        where = (
            f"chapter {entry.chapter_number}, page {entry.page_number} "
            f"{progress_bar(entry.pages_read, entry.story_pages)}"
        )
    return f"• **{title}** by {render_prose(shorten(entry.author, 60))} · {kept} · {where}"


def digest_text(digest: Digest, guild: str) -> str:
    """What an author hears of their stories in a server since their last digest."""
    lines = []
    for title, kudos, messages in digest.lines:
        news = [f"{kudos:,} kudos"] if kudos else []
        news += [f"{plural(messages, 'new message')} in its discussions"] if messages else []
        lines.append(f"• “{escape(shorten(title, 100))}”: {', '.join(news)}")
    return shorten(
        f"Your stories on {guild} since yesterday:\n" + "\n".join(lines), limits.MESSAGE_CONTENT
    )


class Together(commands.Cog):
    """Readers' shelves, chapter discussions, and authors' digests."""

    def __init__(self, bot: StoryBot):
        self.bot = bot
        self._threads: set[int] = set()
        """The discussion threads of this process's servers, so a message elsewhere costs no
        query."""

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*TOGETHER_ITEMS, ShelfSelect)
        self.digests.start()

    async def cog_unload(self) -> None:
        self.digests.cancel()
        self.bot.remove_dynamic_items(*TOGETHER_ITEMS, ShelfSelect)

    @app_commands.command(name="bookmark")
    @app_commands.describe(
        story="The story (start typing its title or author)",
        note="Why you keep it (at most 500 characters)",
        private="Keep it to yourself (default), or show it on the story's card here",
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def bookmark(
        self,
        interaction: discord.Interaction[StoryBot],
        story: str,
        note: app_commands.Range[str, 0, NOTE_LENGTH] = "",
        private: bool = True,
    ) -> None:
        """Bookmark a story, with a note if you like; /shelf lists your bookmarks."""
        found = await resolve_story(interaction, story)
        public = not private and interaction.guild_id is not None
        await shelve(interaction, found.id, Shelved.BOOKMARK, note=note.strip(), public=public)

    @app_commands.command(name="shelf")
    async def shelf(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Your bookmarks and the stories you marked for later, with how far you are in each."""
        viewer = await viewer_of(interaction)
        entries, others = await interaction.client.store.shelf(viewer, limits.SELECT_OPTIONS)
        if not entries:
            await interaction.response.send_message(
                f"None of the {plural(others, 'story')} on your shelf can be shown here."
                if others
                else "Your shelf is empty: a story's card has “Bookmark” and “Mark for later”.",
                ephemeral=True,
            )
            return
        text = "\n".join(shelf_line(entry) for entry in entries)
        if others:
            text += f"\n-# and {plural(others, 'more')} not shown here"
        view = StatelessView()
        view.add_item(ShelfSelect.make(interaction.user.id, entries))
        await interaction.response.send_message(
            shorten(text, limits.MESSAGE_CONTENT),
            view=view,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="discuss")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.describe(
        story="The story (start typing its title or author)",
        chapter="The chapter (default: the first)",
    )
    @app_commands.autocomplete(story=story_autocomplete)
    async def discuss(
        self,
        interaction: discord.Interaction[StoryBot],
        story: str,
        chapter: app_commands.Range[int, 1, 10_000] = 1,
    ) -> None:
        """Open a chapter's discussion thread, where this server's readers talk about it."""
        found = await resolve_story(interaction, story)
        await open_discussion(interaction, found.id, chapter)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self._threads = await self.bot.store.discussion_threads(self.bot.shards_held)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.channel.id not in self._threads:
            return
        await self.bot.store.count_discussion_message(message.channel.id)

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        if thread.owner_id == self.bot.user.id:  # type: ignore[union-attr]
            self._threads.add(thread.id)

    @commands.Cog.listener()
    async def on_story_removed(self, guild_id: int, story_id: int) -> None:
        await lock_discussions(self.bot, guild_id, story_id)

    @tasks.loop(hours=1)
    async def digests(self) -> None:
        try:
            await self.send_digests()
        except Exception:  # one bad hour must not stop the loop
            log.exception("authors' digests failed")

    @digests.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @own_work
    async def send_digests(self) -> None:
        """Tell each author who is a member, once a day at most, of the kudos and discussion
        their stories had since they last heard: one message, not one a kudos."""
        store = self.bot.store
        before = (store.clock() - DIGEST_EVERY).isoformat(timespec="seconds")
        for digest in await store.due_digests(before, self.bot.shards_held):
            guild = self.bot.get_guild(digest.guild_id)
            name = guild.name if guild else "a server"
            await tell_member(
                self.bot, digest.guild_id, digest.author_id, digest_text(digest, name)
            )
            await store.digest_sent(digest)


class ShelfSelect(
    Owned,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"shelf:open:(?P<owner>[^:]+)",
):
    """On /shelf: open a story at the reader's place in it, or at its start."""

    @classmethod
    def make(cls, owner: int, entries: list[ShelfEntry]) -> ShelfSelect:
        options = [
            discord.SelectOption(
                label=shorten(entry.title, limits.OPTION_LABEL), value=str(entry.story_id)
            )
            for entry in {entry.story_id: entry for entry in entries}.values()
        ]
        return cls.select(options, placeholder="Open…", owner=owner)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        assert isinstance(self.item, discord.ui.Select)
        story_id = number(self.item.values[0])
        mark = await interaction.client.store.last_bookmark(await viewer_of(interaction), story_id)
        if mark is None:
            await show_page(interaction, story_id, 1, 1, step=Step.JUMP)
            return
        await show_page(
            interaction,
            story_id,
            mark.chapter_number,
            mark.page_number,
            part=mark.part,
            step=Step.RETURN,
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Together(bot))
