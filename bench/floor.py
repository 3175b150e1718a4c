"""The floors storybot is measured against: what SQLite and discord.py cost on their own.

    python -m bench.floor import DATABASE FOLDER   # the chapters of FOLDER's stories, plus FTS5
    python -m bench.floor bot                      # a bare discord.py bot answering "ok"
    FLOOR_REPLIES=sized python -m bench.floor bot  # the same, with replies sized as storybot's

Neither imports the `bot` package, so neither pays for anything storybot adds.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

ANSWER = "ok"
Reply = dict[str, Any]
"""A sized reply, as the keywords that send it."""
V = TypeVar("V", bound=discord.ui.View | discord.ui.LayoutView)
_HEADING = re.compile(r"^## (.*)$", re.MULTILINE)
_SCHEMA = """
CREATE TABLE chapter (
    id     INTEGER PRIMARY KEY,
    story  INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title  TEXT    NOT NULL,
    text   TEXT    NOT NULL
);
CREATE VIRTUAL TABLE chapter_fts USING fts5 (
    text, content = 'chapter', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
"""


def chapters(markdown: str) -> list[tuple[str, str]]:
    """(title, prose) of each chapter of a generated story file: split at its `##` headings."""
    body = markdown.split("\n---\n", 1)[-1]
    parts = _HEADING.split(body)
    if len(parts) == 1:
        return [("", body.strip())]
    return [(title, text.strip()) for title, text in zip(parts[1::2], parts[2::2], strict=True)]


def import_floor(database: Path, folder: Path) -> int:
    """Insert every chapter's text and its full-text index in one transaction, file by file
    (so memory stays flat); the pragmas are storybot's. Returns the number of chapters."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.executescript(_SCHEMA)
    count = 0
    connection.execute("BEGIN")
    for story, path in enumerate(sorted(folder.glob("*.md"))):
        for number, (title, text) in enumerate(chapters(path.read_text(encoding="utf-8")), 1):
            cursor = connection.execute(
                "INSERT INTO chapter (story, number, title, text) VALUES (?, ?, ?, ?)",
                (story, number, title, text),
            )
            connection.execute(
                "INSERT INTO chapter_fts (rowid, text) VALUES (?, ?)", (cursor.lastrowid, text)
            )
            count += 1
    connection.execute("COMMIT")
    connection.close()
    return count


_WORDS = "the lantern swung as she crossed the *yard* and nobody answered when she called".split()
_PROSE = " ".join(_WORDS[n % len(_WORDS)] for n in range(330))[:1800]
"""A page of prose as long as storybot's pages, with the odd escaped character."""


class _NextPage(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"floor:next"):
    """The floor's page-turn button: registered once, like storybot's."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Next ▶", custom_id="floor:next"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _NextPage:
        return cls()

    async def callback(self, interaction: discord.Interaction[FloorBot]) -> None:
        if interaction.client.sized:
            await interaction.response.edit_message(**_reader_page())
        else:
            await interaction.response.edit_message(content=ANSWER)


class _Inert(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"floor:(?P<n>\d+)"):
    """A button of a storybot-sized reply, never pressed."""

    def __init__(self, label: str, number: int = 0) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=f"floor:{number}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _Inert:
        return cls("", int(match["n"]))


def _finished(view: V, *items: discord.ui.Item[Any]) -> V:
    """`view` holding `items`, dispatched by their custom_id, which discord.py need not keep."""
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def _reader_page() -> Reply:
    """A reply the size and shape of storybot's reader, built afresh as storybot builds each:
    a layout of the story's title, a page of prose and where the reader is, then a row of its
    five buttons and a chapter menu of 25 entries."""
    card: discord.ui.Container[Any] = discord.ui.Container(
        discord.ui.TextDisplay("## The Lighthouse Keeper's Daughter"),
        discord.ui.TextDisplay(f"**Chapter 12: The Long Road North**\n\n{_PROSE}"),
        discord.ui.Separator(),
        discord.ui.TextDisplay("-# page 3 of 9 · chapter 12 of 40 · ▰▰▰▱▱▱▱▱▱▱ 31%"),
        accent_colour=discord.Colour.dark_teal(),
    )
    menu: discord.ui.Select[Any] = discord.ui.Select(
        custom_id="floor:menu",
        placeholder="Chapters",
        options=[
            discord.SelectOption(label=f"{n}. The Long Road North, part {n}", value=str(n))
            for n in range(1, 26)
        ],
    )
    buttons: discord.ui.ActionRow[Any] = discord.ui.ActionRow(
        _Inert("◀ Back", 1),
        _NextPage(),
        _Inert("« Chapter", 5),
        _Inert("Chapter »", 6),
        _Inert("Page…", 2),
    )
    layout = discord.ui.LayoutView(timeout=None)
    return {"view": _finished(layout, card, buttons, discord.ui.ActionRow(menu))}


class FloorBot(discord.Client):
    """storybot's reading commands, by name and options, each answering a constant string, or,
    `sized`, a constant reply the size and shape of storybot's answer to that command."""

    def __init__(self, guild_id: int | None, *, sized: bool = False) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.guild_id = guild_id
        self.sized = sized
        self._add_commands()

    async def _answer(self, interaction: discord.Interaction, sized: Callable[[], Reply]) -> None:
        if self.sized:
            await interaction.response.send_message(**sized(), ephemeral=True)
        else:
            await interaction.response.send_message(ANSWER, ephemeral=True)

    def _add_commands(self) -> None:
        async def story_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            if not self.sized:
                return [app_commands.Choice(name=ANSWER, value=ANSWER)]
            title = "The Lighthouse Keeper, part {} — A. Writer"
            return [app_commands.Choice(name=title.format(n), value=f"{n}") for n in range(25)]

        @self.tree.command(name="read")
        @app_commands.autocomplete(story=story_choices)
        async def read(
            interaction: discord.Interaction,
            story: str,
            chapter: app_commands.Range[int, 1, 10_000] = 1,
            page: app_commands.Range[int, 1, 100_000] = 1,
            public: bool = False,
        ) -> None:
            """Answer with a page-turn button."""
            if self.sized:
                await self._answer(interaction, _reader_page)
                return
            view = discord.ui.View(timeout=None)
            view.add_item(_NextPage())
            await interaction.response.send_message(ANSWER, view=view, ephemeral=not public)

        @self.tree.command(name="continue")
        @app_commands.autocomplete(story=story_choices)
        async def continue_(interaction: discord.Interaction, story: str | None = None) -> None:
            """Answer."""
            await self._answer(interaction, _reader_page)

        @self.tree.command(name="excerpt")
        async def excerpt(
            interaction: discord.Interaction,
            story: str | None = None,
            tag: str | None = None,
            author: str | None = None,
            public: bool = False,
        ) -> None:
            """Answer."""
            await self._answer(interaction, _excerpt)

        @self.tree.command(name="search")
        async def search(
            interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
        ) -> None:
            """Answer."""
            await self._answer(interaction, _search_hits)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(_NextPage, _Inert)
        guild = discord.Object(self.guild_id) if self.guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)  # as storybot does with DEV_GUILD_ID: on every start


def _excerpt() -> Reply:
    """storybot's excerpt: a layout of a passage and where it is from, then "Read from here"
    and "Another"."""
    card: discord.ui.Container[Any] = discord.ui.Container(
        discord.ui.TextDisplay(_PROSE[:800]),
        discord.ui.Separator(),
        discord.ui.TextDisplay(
            "From “The Lighthouse Keeper's Daughter” by A. Author · chapter 12. The Long Road "
            "North · General Audiences"
        ),
        accent_colour=discord.Colour.dark_gold(),
    )
    buttons = discord.ui.ActionRow(_Inert("Read from here", 1), _Inert("Another", 2))
    return {"view": _finished(discord.ui.LayoutView(timeout=None), card, buttons)}


def _search_hits() -> Reply:
    """storybot's search answer: five hits with a snippet each, and a button for each."""
    hits = [
        f"**{n}. The Lighthouse Keeper's Daughter** — chapter {n}, page 2\n…{_PROSE[:160]}…"
        for n in range(1, 6)
    ]
    embed = discord.Embed(title="Search: the lantern swung", description="\n\n".join(hits))
    buttons = [_Inert(f"Read #{n}", n) for n in range(1, 6)]
    return {"embed": embed, "view": _finished(discord.ui.View(timeout=None), *buttons)}


def run_floor_bot() -> None:
    # The same two settings storybot reads, applied as bot.app.use_discord_endpoints does.
    Route.BASE = os.environ["DISCORD_REST_URL"].rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    guild = os.environ.get("DEV_GUILD_ID")
    sized = os.environ.get("FLOOR_REPLIES") == "sized"
    FloorBot(int(guild) if guild else None, sized=sized).run(os.environ["DISCORD_TOKEN"])


def main(argv: list[str]) -> int:
    if argv[:1] == ["bot"]:
        run_floor_bot()
        return 0
    if argv[:1] == ["import"] and len(argv) == 3:
        print(import_floor(Path(argv[1]), Path(argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
