"""The reader: one page of a story laid out as a message (components v2), with buttons that
keep working after a restart.

Every button and menu carries its state (reader, story, chapter, page, and the part of the page
for short pages) in its `custom_id` and is a `DynamicItem` registered once, so no per-message
object is kept in memory and a message keeps working for as long as it exists.

A reader's preferences (`Page.preferences`) decide what of a page they see: the whole page, or
for short pages one part of it (`bot.library.pages.parts`), with or without the author's notes.
Page numbers, progress and places stay those of the stored pages.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.access import Viewer
from bot.errors import UserFacingError, report_error
from bot.library.model import Status
from bot.library.pages import parts
from bot.library.render import progress_bar, render_prose, shorten
from bot.store import Following, Page, PageLength, StoryChoice
from bot.ui import limits, together
from bot.ui.following import follow
from bot.ui.items import Owned, StatefulItem, StatelessLayout, StatelessView, number
from bot.ui.lookup import viewer_of

if TYPE_CHECKING:
    from bot.app import StoryBot

_NOTES_BUDGET = 1200
"""Characters of a page's author's notes, before and after the prose together, at the most."""


class Step(enum.Enum):
    """How the reader came to a page, which decides whether it becomes their saved place."""

    TURN = "turn"
    """Read on to it (the previous or next page): it becomes their place."""
    JUMP = "jump"
    """Went to it (a chapter, a page number, a search hit, an excerpt, the story's start): shown
    without moving their place, unless they have none in that story yet."""
    RETURN = "return"
    """Came back to their place: nothing to save."""


@dataclass(frozen=True)
class PagePart:
    """What of a page its reader sees: one of its parts for short pages, else the whole page
    (its one part)."""

    page: Page
    number: int
    """From 1 to `count`."""
    count: int
    prose: str

    @property
    def opens_page(self) -> bool:
        return self.number == 1

    @property
    def closes_page(self) -> bool:
        return self.number == self.count

    @property
    def closes_chapter(self) -> bool:
        return self.closes_page and self.page.number == self.page.page_count

    @property
    def ends_story(self) -> bool:
        return self.closes_page and self.page.is_last


def page_part(page: Page, part: int, page_size: int) -> PagePart:
    """What of `page` its reader sees: for short pages, its part `part` (0, or beyond the
    last: the last part) as `parts` cuts a page of a story paged at `page_size`; otherwise the
    whole page, whatever `part` says."""
    texts = [page.text]
    if page.preferences.page_length is PageLength.SHORT:
        texts = parts(page.text, page_size)
    number = part if 1 <= part <= len(texts) else len(texts)
    return PagePart(page, number, len(texts), texts[number - 1])


# ----------------------------------------------------------------------------- showing a page


async def show_page(
    interaction: discord.Interaction[StoryBot],
    story_id: int,
    chapter: int,
    page: int,
    *,
    part: int = 1,
    step: Step,
    edit: bool = False,
    ephemeral: bool = True,
) -> None:
    """Show a page (`part` of it, for a reader of short pages) to the reader behind
    `interaction`, and keep their place as `step` says.

    `edit` turns the page of the message the interaction came from; otherwise a new message
    is sent (ephemeral unless the reader asked for a read-along). `page` 0 means the last page,
    `part` 0 its last part.
    """
    store = interaction.client.store
    viewer = await viewer_of(interaction)
    found = await store.page(viewer, story_id, chapter, page)
    shown = page_part(found, part, interaction.client.settings.page_size)
    view = await _page_layout(interaction, viewer, shown)
    if edit:
        # embed=None empties a message sent before pages were layouts, as the layout requires
        message = interaction.response.edit_message(view=view, embed=None)
    else:
        message = interaction.response.send_message(view=view, ephemeral=ephemeral)
    if step is Step.RETURN:
        await message
        return
    # The place is written while the page is on its way: the reader does not wait for it.
    place = store.save_bookmark(
        interaction.user.id,
        story_id,
        found.chapter_number,
        found.number,
        part=shown.number,
        move=step is Step.TURN,
        guild_id=viewer.guild_id,
        ends_story=shown.ends_story,
    )
    await asyncio.gather(place, message)


async def _page_layout(
    interaction: discord.Interaction[StoryBot],
    viewer: Viewer,
    shown: PagePart,
    chapters: Sequence[tuple[int, str]] | None = None,
) -> StatelessLayout:
    """`page_view` for the reader behind `interaction`, with the stories to read next when
    the part shown ends a complete story, and a way to its discussion when it ends a chapter
    in a server that holds them."""
    store = interaction.client.store
    next_reads: list[StoryChoice] = []
    if shown.ends_story and shown.page.status is Status.COMPLETE:
        next_reads = await store.next_reads(viewer, shown.page.story_id)
    discussed = False
    if shown.closes_chapter and viewer.guild_id is not None:
        discussed = (await store.guild_settings(viewer.guild_id)).discussion_channel_id is not None
    return page_view(
        shown, interaction.user.id, chapters, next_reads=next_reads, discussed=discussed
    )


def page_view(
    shown: PagePart,
    owner_id: int,
    chapters: Sequence[tuple[int, str]] | None = None,
    *,
    next_reads: Sequence[StoryChoice] = (),
    discussed: bool = False,
) -> StatelessLayout:
    """The page (or the part of it) as a reader sees it: the story's title, the text (see
    `page_text`) and where they are, then the buttons, each of which knows exactly which page
    and part it leads to. The chapter menu lists `chapters`, by default the window around the
    page's chapter. The end of a story in progress offers to follow it, of a complete one the
    stories `next_reads`.

    Back and Next read on, and keep the reader's place; the others go somewhere without moving
    it. There is no "last page" button: one tap beside Next would spoil the ending.
    """
    page = shown.page
    title = f"## {render_prose(page.story_title)}"
    where = f"page {page.number} of {page.page_count}"
    if shown.count > 1:
        where += f" ({shown.number}/{shown.count})"
    footer = (
        f"-# {where} · chapter {page.chapter_number} of {page.chapter_count} · "
        f"{progress_bar(page.pages_read, page.story_pages)}"
    )
    text = page_text(shown, limits.LAYOUT_TEXT - len(title) - len(footer))
    card: discord.ui.Container[Any] = discord.ui.Container(
        discord.ui.TextDisplay(title),
        discord.ui.TextDisplay(text),
        discord.ui.Separator(),
        discord.ui.TextDisplay(footer),
        accent_colour=discord.Colour.dark_teal(),
    )
    rows = _page_rows(shown, owner_id, chapters, next_reads, discussed)
    return StatelessLayout(card, *rows)


def page_text(shown: PagePart, most: int) -> str:
    """The chapter heading, the notes that open the chapter (on its first part), the prose,
    the notes that close it and how the story ends if it does here (on the last part), in at
    most `most` characters: the prose is shortened to leave room for the rest. A reader who
    hides author's notes is told, where there were some, how to show them."""
    page = shown.page
    heading = f"**Chapter {page.chapter_number}: {render_prose(page.chapter_title)}**"
    if page.chapter_title.lower().startswith(("chapter", "prologue", "epilogue")):
        heading = f"**{render_prose(page.chapter_title)}**"
    notes_before = page.notes_before if shown.opens_page else ""
    notes_after = page.notes_after if shown.closes_page else ""
    hidden = ""
    if not page.preferences.notes_shown:
        hidden = _NOTES_HIDDEN if notes_before or notes_after else ""
        notes_before = notes_after = ""
    notes = [note for note in (notes_before, notes_after) if note]
    each = _NOTES_BUDGET // max(len(notes), 1)
    before = _note(notes_before, each)
    after = _note(notes_after, each)
    ending = ""
    if shown.ends_story:
        ending = (
            "*— The End —*"
            if page.status is Status.COMPLETE
            else "*To be continued… Follow the story to hear when the next chapter arrives.*"
        )
    around = [piece for piece in (heading, before, after, hidden, ending) if piece]
    room = most - sum(len(piece) + 2 for piece in around)
    pieces = [heading, before, shorten(render_prose(shown.prose), room), after, hidden, ending]
    return "\n\n".join(piece for piece in pieces if piece)


def _note(note: str, most: int) -> str:
    """An author's note as a quote set apart from the prose, or "" for none."""
    if not note:
        return ""
    quoted = "\n".join(f"> {line}" if line else ">" for line in render_prose(note).split("\n"))
    return f"> *{_NOTES_LABEL}*\n" + shorten(quoted, most)


_NOTES_LABEL = "Author's note"
_NOTES_HIDDEN = "-# Author's notes hidden · /preferences to show them"


def _page_rows(
    shown: PagePart,
    owner_id: int,
    chapters: Sequence[tuple[int, str]] | None,
    next_reads: Sequence[StoryChoice],
    discussed: bool,
) -> list[discord.ui.ActionRow[Any]]:
    """The buttons under a page: turning and jumping in one row, the chapter menu in its
    own, and how the story goes on after its last page. Back and Next go through a page's
    parts first; Back from a page's first part goes to the previous page's last (part 0)."""
    page = shown.page
    story, chapter = page.story_id, page.chapter_number
    first = chapter == 1 and page.number == 1 and shown.opens_page
    if not shown.opens_page:
        prev_target = (chapter, page.number, shown.number - 1)
    elif page.number > 1:
        prev_target = (chapter, page.number - 1, 0)
    else:
        prev_target = (chapter - 1, 0, 0)
    if not shown.closes_page:
        next_target = (chapter, page.number, shown.number + 1)
    elif shown.closes_chapter:
        next_target = (chapter + 1, 1, 1)
    else:
        next_target = (chapter, page.number + 1, 1)
    next_label = "Next chapter ▶" if shown.closes_chapter else "Next ▶"
    turns: list[discord.ui.Item[Any]] = [
        TurnButton.make("prev", "◀ Back", owner_id, story, *prev_target, first),
        TurnButton.make("next", next_label, owner_id, story, *next_target, shown.ends_story),
    ]
    menu: list[discord.ui.Item[Any]] = []
    if page.chapter_count > 1:
        last_chapter = chapter == page.chapter_count
        turns.append(
            TurnButton.make("prevch", "« Chapter", owner_id, story, chapter - 1, 1, 1, chapter == 1)
        )
        turns.append(
            TurnButton.make("nextch", "Chapter »", owner_id, story, chapter + 1, 1, 1, last_chapter)
        )
        if chapters is None:
            offset, limit = _chapter_window(chapter, page.chapter_count)
            chapters = [near for near in page.nearby_chapters if offset < near[0] <= offset + limit]
        menu.append(ChapterSelect.make(shown, owner_id, chapters))
    turns.append(JumpButton.make(owner_id, story, chapter, page.page_count))
    ending: list[discord.ui.Item[Any]] = []
    if shown.ends_story and page.status is Status.IN_PROGRESS:
        ending.append(FollowButton.make(story))
    if shown.ends_story:
        ending.append(together.KudosButton.make(story))
    if discussed:
        ending.append(together.DiscussButton.make(story, chapter))
    for read in next_reads:
        label = shorten(f"Next: {read.title}", limits.BUTTON_LABEL)
        ending.append(OpenCopyButton.make(read.id, 1, 1, label=label))
    return [discord.ui.ActionRow(*row) for row in (turns, menu, ending) if row]


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
    part: int = 1
    """Of the page, for short pages; custom_ids written before there were parts have none."""

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        view = StatelessView()
        view.add_item(OpenCopyButton.make(self.story, self.chapter, self.page, part=self.part))
        await interaction.response.send_message(
            f"This copy belongs to <@{self.owner}>. Open your own to read at your own pace.",
            view=view,
            ephemeral=True,
        )


class TurnButton(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rd:(?P<action>[a-z]+):(?P<owner>[^:]+):(?P<story>[^:]+):(?P<chapter>[^:]+)"
    r":(?P<page>[^:]+)(?::(?P<part>[^:]+))?",
):
    """Back / next page (or part of a page), previous / next chapter: each knows its target.
    Back and next read on (the reader's place moves); the others, and an old message's first
    and last page, jump."""

    action: str

    @classmethod
    def make(
        cls,
        action: str,
        label: str,
        owner: int,
        story: int,
        chapter: int,
        page: int,
        part: int,
        disabled: bool,
    ) -> TurnButton:
        chapter, page = max(chapter, 1), max(page, 0)
        return cls.button(
            label,
            style=discord.ButtonStyle.primary
            if action == "next"
            else discord.ButtonStyle.secondary,
            disabled=disabled,
            action=action,
            owner=owner,
            story=story,
            chapter=chapter,
            page=page,
            part=part,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        step = Step.TURN if self.action in ("prev", "next") else Step.JUMP
        await show_page(
            interaction,
            self.story,
            self.chapter,
            self.page,
            part=self.part,
            step=step,
            edit=True,
        )


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
        await show_page(interaction, self.story, self.chapter, int(text), step=Step.JUMP, edit=True)

    async def on_error(  # type: ignore[override]  # a modal's errors come without an item
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        await report_error(interaction, error)


class ChapterSelect(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"rdch:(?P<owner>[^:]+):(?P<story>[^:]+):(?P<chapter>[^:]+):(?P<page>[^:]+)"
    r"(?::(?P<part>[^:]+))?",
):
    """Pick a chapter. With more than 25 chapters the menu shows a window around the current
    one, with "earlier" and "later" entries that move the window (the page and part shown
    stay)."""

    @classmethod
    def make(
        cls, shown: PagePart, owner: int, chapters: Sequence[tuple[int, str]]
    ) -> ChapterSelect:
        page = shown.page
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
            owner=owner,
            story=page.story_id,
            chapter=page.chapter_number,
            page=page.number,
            part=shown.number,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        choice = self.item.values[0]
        if not choice.startswith("w"):
            await show_page(interaction, self.story, number(choice), 1, step=Step.JUMP, edit=True)
            return
        around = number(choice[1:])
        store = interaction.client.store
        viewer = await viewer_of(interaction)
        found = await store.page(viewer, self.story, self.chapter, self.page)
        shown = page_part(found, self.part, interaction.client.settings.page_size)
        offset, limit = _chapter_window(around, found.chapter_count)
        chapters = await store.chapter_titles(viewer, self.story, offset, limit)
        view = await _page_layout(interaction, viewer, shown, chapters)
        await interaction.response.edit_message(view=view, embed=None)


class OpenCopyButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rdopen:(?P<story>[^:]+):(?P<chapter>[^:]+):(?P<page>[^:]+)(?::(?P<part>[^:]+))?",
):
    """Opens a private copy of a story at a page (its first part, unless given another) for
    whoever clicks (start reading, read here, continue)."""

    story: int
    chapter: int
    page: int
    part: int = 1

    @classmethod
    def make(
        cls,
        story: int,
        chapter: int,
        page: int,
        label: str = "Open my copy",
        *,
        part: int = 1,
    ) -> OpenCopyButton:
        return cls.button(
            label,
            style=discord.ButtonStyle.primary,
            story=story,
            chapter=chapter,
            page=page,
            part=part,
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        await show_page(
            interaction, self.story, self.chapter, self.page, part=self.part, step=Step.JUMP
        )


class FollowButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"follow:(?P<story>[^:]+)",
):
    """At the end of a story in progress: be told when its next chapter arrives."""

    story: int

    @classmethod
    def make(cls, story: int) -> FollowButton:
        return cls.button("Follow", style=discord.ButtonStyle.success, story=story)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        if interaction.guild_id is None:
            raise UserFacingError(
                "Follow a story from a server you read it in, with this button or /subscribe."
            )
        found = await interaction.client.store.story(await viewer_of(interaction), self.story)
        await follow(
            interaction,
            Following.STORY,
            str(found.id),
            f"new chapters of “{render_prose(shorten(found.title, limits.OPTION_LABEL))}”",
        )


READER_ITEMS = (TurnButton, JumpButton, ChapterSelect, OpenCopyButton, FollowButton)
