"""Cards: a story before it is read, and a server's daily post as moderators see it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.library.model import TagKind
from bot.library.render import escape, render_prose, shorten, spoiler
from bot.store import DailySchedule, Shelved, Story
from bot.ui import limits
from bot.ui.items import StatefulItem, StatelessView
from bot.ui.lookup import viewer_of
from bot.ui.reader import OpenCopyButton
from bot.ui.together import KudosButton, ShelfButton

if TYPE_CHECKING:
    from bot.app import StoryBot

_TAG_FIELDS = (
    ("Fandoms", TagKind.FANDOM),
    ("Relationships", TagKind.RELATIONSHIP),
    ("Characters", TagKind.CHARACTER),
    ("Tags", TagKind.FREEFORM),
)


def story_card(story: Story) -> discord.Embed:
    """Everything a reader wants to know before starting a story."""
    embed = discord.Embed(
        title=shorten(story.title, limits.EMBED_TITLE),
        description=shorten(
            render_prose(story.summary) or "*No summary.*", limits.EMBED_DESCRIPTION
        ),
        colour=discord.Colour.dark_teal(),
    )
    embed.set_author(name=shorten(f"by {story.author}", limits.EMBED_AUTHOR))
    if story.author_id is not None:  # a member's own story: their name as it is now
        embed.add_field(name="Author", value=f"<@{story.author_id}>")
    if story.series:
        embed.add_field(name="Series", value=shorten(series_line(story), limits.EMBED_FIELD_VALUE))
    embed.add_field(name="Rating", value=story.rating.value)
    if story.warnings:
        embed.add_field(
            name="Warnings",
            value=spoiler(", ".join(story.warnings), limits.EMBED_FIELD_VALUE),
        )
    for name, kind in _TAG_FIELDS:
        if story.tags.get(kind):
            embed.add_field(
                name=name,
                value=shorten(escape(", ".join(story.tags[kind])), limits.EMBED_FIELD_VALUE),
                inline=False,
            )
    updated = int(datetime.fromisoformat(story.updated_at).timestamp())
    embed.add_field(name="Chapters", value=f"{story.chapter_count}")
    embed.add_field(name="Words", value=f"{story.word_count:,}")
    embed.add_field(name="Status", value=story.status.value.capitalize())
    embed.add_field(name="Kudos", value=f"♥ {story.kudos_count:,}")
    embed.add_field(name="Updated", value=f"<t:{updated}:D>")
    return embed


async def send_story_card(interaction: discord.Interaction[StoryBot], story_id: int) -> None:
    """Answer with a story's card, if it may be shown here, and a way in: "Start reading", or
    for a story the reader started, "Continue" at their place (the very part of the page, for
    short pages) beside "Start over"."""
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    story = await store.story(viewer, story_id)
    mark = await store.last_bookmark(viewer, story.id)
    view = StatelessView()
    if mark is None or (mark.chapter_number, mark.page_number, mark.part) == (1, 1, 1):
        view.add_item(OpenCopyButton.make(story.id, 1, 1, label="Start reading"))
    else:
        where = f"chapter {mark.chapter_number}, page {mark.page_number}"
        view.add_item(
            OpenCopyButton.make(
                story.id,
                mark.chapter_number,
                mark.page_number,
                label=f"Continue ({where})",
                part=mark.part,
            )
        )
        view.add_item(OpenCopyButton.make(story.id, 1, 1, label="Start over"))
    view.add_item(KudosButton.make(story.id))
    view.add_item(ShelfButton.make(Shelved.BOOKMARK, story.id))
    view.add_item(ShelfButton.make(Shelved.LATER, story.id))
    if following := await store.next_in_series(viewer, story):
        view.add_item(NextPartButton.make(following))
    embed = story_card(story)
    if bookmarks := await store.public_bookmarks(viewer, story.id):
        lines = [
            f"<@{reader}>" + (f": {escape(shorten(note, 200))}" if note else "")
            for reader, note in bookmarks
        ]
        embed.add_field(
            name="Bookmarked here by",
            value=shorten("\n".join(lines), limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    await interaction.response.send_message(
        embed=embed, view=view, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


def series_line(story: Story) -> str:
    """ "Part 2 of <series>" (escaped), or "Part of <series>" without a part number."""
    part = f"Part {story.series_part}" if story.series_part is not None else "Part"
    return f"{part} of {escape(story.series)}"


class NextPartButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"nextpart:(?P<story>[^:]+)",
):
    """On a story's card: the card of the next part of its series (checked again when used)."""

    story: int

    @classmethod
    def make(cls, following: Story) -> NextPartButton:
        part = f"Part {following.series_part}" if following.series_part is not None else "Next"
        label = shorten(f"Next: {part} · {following.title}", limits.BUTTON_LABEL)
        return cls.button(label, story=following.id)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await send_story_card(interaction, self.story)


def describe_daily(schedule: DailySchedule | None) -> str:
    """One paragraph about a guild's daily post, for /daily status and /settings show."""
    if schedule is None:
        return "No daily excerpt is set. Set one with `/daily set`."
    text = (
        f"Daily excerpt in <#{schedule.channel_id}> at {schedule.post_time} ({schedule.timezone})"
    )
    if schedule.role_id:
        text += f", pinging <@&{schedule.role_id}>"
    if schedule.tag:
        text += f", from stories tagged “{escape(schedule.tag)}”"
    if schedule.paused_reason:
        return (
            f"{text}.\n**Paused:** {schedule.paused_reason} Fix that, then run `/daily set` "
            "again to resume."
        )
    if schedule.trouble_since:
        return (
            f"{text}.\n**Retrying:** Discord had trouble at "
            f"<t:{int(schedule.trouble_since.timestamp())}:t>; retrying at "
            f"<t:{int(schedule.next_post_at.timestamp())}:t>."
        )
    return f"{text}.\nNext post: <t:{int(schedule.next_post_at.timestamp())}:F>."
