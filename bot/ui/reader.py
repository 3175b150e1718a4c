"""The reader: one page of a story in an embed, with buttons that keep working after a restart.

Every button and menu carries its state (reader, story, chapter, page) in its `custom_id` and is
a `DynamicItem` registered once, so no per-message object is kept in memory and a message keeps
working for as long as it exists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError, report_error
from bot.library.render import progress_bar, render_prose, shorten
from bot.store import Page
from bot.ui import limits
from bot.ui.items import Owned, StatefulItem, StatelessView, number
from bot.ui.lookup import viewer_of

if TYPE_CHECKING:
    from bot.app import StoryBot

_NOTES_FIELD = "Author's note"


# ----------------------------------------------------------------------------- showing a page


async def show_page(
    interaction: discord.Interaction[StoryBot],
    story_id: int,
    chapter: int,
    page: int,
    *,
    edit: bool = False,
    ephemeral: bool = True,
    remember: bool = True,
) -> None:
    """Show a page to the reader behind `interaction` and remember that they got there.

    `edit` turns the page of the message the interaction came from; otherwise a new message
    is sent (ephemeral unless the reader asked for a read-along). `page` 0 means the last page.
    `remember` is off when the page shown is the one already remembered.
    """
    store = interaction.client.store
    found = await store.page(await viewer_of(interaction), story_id, chapter, page)
    embed, view = page_embed(found), page_view(found, interaction.user.id)
    if edit:
        shown = interaction.response.edit_message(embed=embed, view=view)
    else:
        shown = interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)
    if not remember:
        await shown
        return
    # The bookmark is written while the page is on its way: the reader does not wait for it.
    bookmark = store.save_bookmark(
        interaction.user.id, story_id, found.chapter_number, found.number
    )
    await asyncio.gather(bookmark, shown)


def page_embed(page: Page) -> discord.Embed:
    """The page as a reader sees it: story, chapter heading, prose, notes and a progress footer."""
    heading = f"**Chapter {page.chapter_number}: {render_prose(page.chapter_title)}**"
    if page.chapter_title.lower().startswith(("chapter", "prologue", "epilogue")):
        heading = f"**{render_prose(page.chapter_title)}**"
    body = render_prose(page.text)
    if page.number == page.page_count and page.chapter_number == page.chapter_count:
        body += "\n\n*— The End —*"
    embed = discord.Embed(
        title=shorten(page.story_title, limits.EMBED_TITLE),
        description=shorten(f"{heading}\n\n{body}", limits.EMBED_DESCRIPTION),
        colour=discord.Colour.dark_teal(),
    )
    embed.set_footer(
        text=f"page {page.number} of {page.page_count} · chapter {page.chapter_number} of "
        f"{page.chapter_count} · {progress_bar(page.pages_read, page.story_pages)}"
    )
    notes = [note for note in (page.notes_before, page.notes_after) if note]
    budget = limits.EMBED_TOTAL - len(embed) - len(_NOTES_FIELD) * len(notes)
    for note in notes:
        limit = min(limits.EMBED_FIELD_VALUE, budget // len(notes))
        embed.add_field(name=_NOTES_FIELD, value=shorten(render_prose(note), limit), inline=False)
    return embed


def page_view(
    page: Page, owner_id: int, chapters: Sequence[tuple[int, str]] | None = None
) -> StatelessView:
    """The buttons under a page; each one knows exactly which page it leads to. The chapter
    menu lists `chapters`, by default the window around the page's chapter."""
    first_page = page.chapter_number == 1 and page.number == 1
    last_page = page.chapter_number == page.chapter_count and page.number == page.page_count
    at_chapter_end = page.number == page.page_count
    story, chapter = page.story_id, page.chapter_number
    prev_target = (chapter, page.number - 1) if page.number > 1 else (chapter - 1, 0)
    next_target = (chapter + 1, 1) if at_chapter_end else (chapter, page.number + 1)
    view = StatelessView()
    for action, label, target, disabled in (
        ("first", "⏮", (1, 1), first_page),
        ("prev", "◀", prev_target, first_page),
        ("next", "Next chapter ▶" if at_chapter_end else "▶", next_target, last_page),
        ("last", "⏭", (page.chapter_count, 0), last_page),
    ):
        view.add_item(TurnButton.make(action, label, owner_id, story, *target, disabled, row=0))
    view.add_item(JumpButton.make(owner_id, story, chapter, page.page_count))
    if page.chapter_count > 1:
        view.add_item(
            TurnButton.make("prevch", "« Chapter", owner_id, story, chapter - 1, 1, chapter == 1, 1)
        )
        view.add_item(
            TurnButton.make(
                "nextch",
                "Chapter »",
                owner_id,
                story,
                chapter + 1,
                1,
                chapter == page.chapter_count,
                1,
            )
        )
        if chapters is None:
            offset, limit = _chapter_window(chapter, page.chapter_count)
            chapters = [near for near in page.nearby_chapters if offset < near[0] <= offset + limit]
        view.add_item(ChapterSelect.make(page, owner_id, chapters))
    return view


def _chapter_window(chapter: int, chapter_count: int) -> tuple[int, int]:
    """(offset, limit) of the chapters in the menu: all of them, or a window around `chapter`
    leaving room for "earlier" and "later" entries."""
    if chapter_count <= limits.SELECT_OPTIONS:
        return 0, limits.SELECT_OPTIONS
    shown = limits.SELECT_OPTIONS - 2
    return max(0, min(chapter - 1 - shown // 2, chapter_count - shown)), shown


# ----------------------------------------------------------------------------- items


class _Owned(Owned):
    """Only the reader who opened a copy may turn its pages; anyone else is offered their own."""

    story: int
    chapter: int
    page: int

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        view = StatelessView()
        view.add_item(OpenCopyButton.make(self.story, self.chapter, self.page))
        await interaction.response.send_message(
            f"This copy belongs to <@{self.owner}>. Open your own to read at your own pace.",
            view=view,
            ephemeral=True,
        )


class TurnButton(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rd:(?P<action>[a-z]+):(?P<owner>[^:]+):(?P<story>[^:]+):(?P<chapter>[^:]+)"
    r":(?P<page>[^:]+)",
):
    """First / previous / next / last page, previous / next chapter: each knows its target."""

    @classmethod
    def make(
        cls,
        action: str,
        label: str,
        owner: int,
        story: int,
        chapter: int,
        page: int,
        disabled: bool,
        row: int,
    ) -> TurnButton:
        chapter, page = max(chapter, 1), max(page, 0)
        return cls.button(
            label,
            style=discord.ButtonStyle.primary
            if action == "next"
            else discord.ButtonStyle.secondary,
            disabled=disabled,
            row=row,
            action=action,
            owner=owner,
            story=story,
            chapter=chapter,
            page=page,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await show_page(interaction, self.story, self.chapter, self.page, edit=True)


class JumpButton(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rdjump:(?P<owner>[^:]+):(?P<story>[^:]+):(?P<chapter>[^:]+):(?P<page>[^:]+)",
):
    """Opens a small form to type a page number of this chapter (`page` is the page count)."""

    @classmethod
    def make(cls, owner: int, story: int, chapter: int, pages: int) -> JumpButton:
        return cls.button(
            "Page…",
            disabled=pages < 2,
            row=0,
            owner=owner,
            story=story,
            chapter=chapter,
            page=pages,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await interaction.response.send_modal(JumpModal(self.story, self.chapter, self.page))


class JumpModal(discord.ui.Modal, title="Go to page"):
    def __init__(self, story: int, chapter: int, pages: int):
        super().__init__(timeout=600)
        self.story, self.chapter, self.pages = story, chapter, pages
        self.number: discord.ui.TextInput[JumpModal] = discord.ui.TextInput(
            label=f"Page (1–{pages})", placeholder=str(pages), min_length=1, max_length=6
        )
        self.add_item(self.number)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        text = self.number.value.strip()
        if not text.isdigit() or not 1 <= int(text) <= self.pages:
            raise UserFacingError(f"Pick a page from 1 to {self.pages}, not “{text}”.")
        await show_page(interaction, self.story, self.chapter, int(text), edit=True)

    async def on_error(  # type: ignore[override]  # a modal's errors come without an item
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        await report_error(interaction, error)


class ChapterSelect(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"rdch:(?P<owner>[^:]+):(?P<story>[^:]+):(?P<chapter>[^:]+):(?P<page>[^:]+)",
):
    """Pick a chapter. With more than 25 chapters the menu shows a window around the current
    one, with "earlier" and "later" entries that move the window."""

    @classmethod
    def make(cls, page: Page, owner: int, chapters: Sequence[tuple[int, str]]) -> ChapterSelect:
        options = [
            discord.SelectOption(
                label=shorten(f"{number}. {title}", limits.OPTION_LABEL),
                value=str(number),
                default=number == page.chapter_number,
            )
            for number, title in chapters
        ]
        if chapters[0][0] > 1:
            options.insert(
                0, discord.SelectOption(label="« Earlier chapters", value=f"w{chapters[0][0] - 1}")
            )
        if chapters[-1][0] < page.chapter_count:
            options.append(
                discord.SelectOption(label="Later chapters »", value=f"w{chapters[-1][0] + 1}")
            )
        return cls.select(
            options,
            placeholder="Chapters",
            row=2,
            owner=owner,
            story=page.story_id,
            chapter=page.chapter_number,
            page=page.number,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        choice = self.item.values[0]
        if not choice.startswith("w"):
            await show_page(interaction, self.story, number(choice), 1, edit=True)
            return
        around = number(choice[1:])
        store = interaction.client.store
        viewer = await viewer_of(interaction)
        found = await store.page(viewer, self.story, self.chapter, self.page)
        offset, limit = _chapter_window(around, found.chapter_count)
        chapters = await store.chapter_titles(viewer, self.story, offset, limit)
        await interaction.response.edit_message(view=page_view(found, self.owner, chapters))


class OpenCopyButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rdopen:(?P<story>[^:]+):(?P<chapter>[^:]+):(?P<page>[^:]+)",
):
    """Opens a private copy of a story at a page for whoever clicks (start reading, read here)."""

    story: int
    chapter: int
    page: int

    @classmethod
    def make(
        cls, story: int, chapter: int, page: int, label: str = "Open my copy"
    ) -> OpenCopyButton:
        return cls.button(
            label, style=discord.ButtonStyle.primary, story=story, chapter=chapter, page=page
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await show_page(interaction, self.story, self.chapter, self.page)


READER_ITEMS = (TurnButton, JumpButton, ChapterSelect, OpenCopyButton)
