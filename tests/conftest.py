"""Shared fixtures: a store on each engine (a real SQLite file, a real PostgreSQL database), and
storybot on the Discord stand-in."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import bot.store.excerpts
from bot.access import Viewer
from bot.app import StoryBot
from bot.config import Settings, load_settings
from bot.importing import import_library_if_empty
from bot.store import Store
from standin.driver import Reply
from standin.fixtures import discord_world, running, standin  # noqa: F401
from standin.limits import TEXT_DISPLAY, walk_components
from standin.server import Message, Standin
from tests.engines import ENGINES, POSTGRES

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LIBRARY = REPO / "data"

BotRunner = Callable[..., AbstractAsyncContextManager[StoryBot]]
ANYONE = Viewer(user_id=1, guild_id=None, age_restricted_ok=True)
"""A reader in DMs who allowed every rating: sees the whole bundled library."""


def unescaped(text: str) -> str:
    """What a reader sees of text the bot escaped for Discord's markdown."""
    return re.sub(r"\\([^\w\s])", r"\1", text)


def text_displays(message: Reply | Message) -> list[str]:
    """The text displays of a message's layout, in the order a person reads them."""
    components = walk_components(message.components, "")
    return [c["content"] for _, c in components if c["type"] == TEXT_DISPLAY]


class ReaderPage(NamedTuple):
    title: str
    """The story's title, over the page."""
    text: str
    """The chapter heading, notes, prose and ending, as the bot wrote them."""
    footer: str
    """Where the reader is: "page 3 of 9 · chapter 2 of 4 · ▰▰▱…"."""


def embed_field(embed: dict[str, Any], name: str) -> str:
    """The value of an embed's field called `name`."""
    return str(next(field["value"] for field in embed["fields"] if field["name"] == name))


def story_of_buttons(message: Reply | Message, prefix: str) -> str:
    """The story id the first button whose custom_id starts with `prefix` carries (right after
    it): what a forged click of that kind needs."""
    found = [
        item["custom_id"]
        for _, item in walk_components(message.components, "")
        if item.get("custom_id", "").startswith(prefix)
    ]
    return str(found[0].removeprefix(prefix).split(":")[0])


def reader_page(message: Reply | Message) -> ReaderPage:
    """A page of the reader as a person sees it."""
    title, text, footer = text_displays(message)
    assert title.startswith("## ") and footer.startswith("-# "), (title, footer)
    return ReaderPage(title.removeprefix("## "), text, footer.removeprefix("-# "))


class ShownExcerpt(NamedTuple):
    title: str
    """The heading over the passage ("" for none)."""
    passage: str
    source: str
    """The line saying where the passage is from: "From “Story” by Author · chapter …"."""
    footer: str
    """The small print under it ("" for none)."""


def shown_excerpt(message: Reply | Message) -> ShownExcerpt:
    """An excerpt as a person sees it (a ping above it left out)."""
    texts = [text for text in text_displays(message) if not text.startswith("<@")]
    title = texts.pop(0).removeprefix("## ") if texts[0].startswith("## ") else ""
    footer = texts.pop().removeprefix("-# ") if texts[-1].startswith("-# ") else ""
    passage, source = texts
    return ShownExcerpt(title, passage, source, footer)


@pytest.fixture(autouse=True)
def seeded_draws(monkeypatch: pytest.MonkeyPatch) -> random.Random:
    """Every test draws its excerpts from a generator of its own, seeded: the same draws on
    every run, whatever ran before, and nothing of it left for the tests after."""
    draws = random.Random(1234)
    monkeypatch.setattr(bot.store.excerpts, "random", draws)
    return draws


@pytest.fixture(params=ENGINES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Where the test's library is kept: an SQLite file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "library.db")
        return
    url = await POSTGRES.fresh_database()
    yield url
    await POSTGRES.drop(url)


@pytest.fixture
async def store(database: str) -> AsyncIterator[Store]:
    opened = await Store.open(database)
    yield opened
    await opened.close()


@pytest.fixture
async def clocked_store(database: str, clock: Clock) -> AsyncIterator[Store]:
    """A store whose clock is the test's `clock`: it stands still until the test moves it."""
    opened = await Store.open(database, clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Settings:
    where = {"DATABASE_URL": database} if "://" in database else {"DATABASE_PATH": database}
    return load_settings(
        {
            "DISCORD_TOKEN": "standin-token",
            "DATABASE_PATH": str(tmp_path / "storybot.db"),
            "LIBRARY_DIR": str(SAMPLE_LIBRARY),
        }
        | where
    )


class Clock:
    """The bot's clock in a test: it stands still until the test moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def storybot(standin: Standin, settings: Settings, clock: Clock) -> BotRunner:  # noqa: F811
    """`async with storybot() as bot:` runs the real bot on the stand-in, as `run` starts it
    (the sample library imported into an empty database). Leaving the block stops the bot;
    entering again is a restart on the same database."""

    @asynccontextmanager
    async def run() -> AsyncIterator[StoryBot]:
        opened = await Store.open(settings.database, clock=clock)
        try:
            await import_library_if_empty(opened, settings.library_dir, settings.page_size)
            bot = StoryBot(settings, opened, guild_ready_timeout=0.05)
            async with running(bot, standin):
                yield bot
        finally:
            await opened.close()

    return run
