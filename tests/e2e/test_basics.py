"""The bot as a server sees it first: it starts, registers its commands, answers /help, and
turns an unexpected error into a short reply with an id."""

from __future__ import annotations

import logging
import re

import pytest

from standin.server import Standin
from tests.conftest import BotRunner

EXPECTED_COMMANDS = {
    "help",
    "read",
    "continue",
    "progress",
    "mature-content",
    "stories",
    "search",
    "story",
    "excerpt",
    "daily",
    "settings",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "upload",
    "announce",
}


def _options(command: dict) -> list[dict]:
    found = []
    for option in command.get("options", []):
        found.append(option)
        found += _options(option)
    return found


async def test_starts_and_registers_described_commands(
    storybot: BotRunner, standin: Standin
) -> None:
    async with storybot():
        registered = standin.commands()
    assert set(registered) == EXPECTED_COMMANDS
    for name, command in registered.items():
        assert command["description"], name
        for option in _options(command):
            assert 1 <= len(option["description"]) <= 100, (name, option["name"])


async def test_help_lists_the_commands(storybot: BotRunner, standin: Standin) -> None:
    async with storybot():
        reply = await standin.user("reader").slash("help")
    assert reply.ephemeral
    for command in ("/read", "/continue", "/search", "/excerpt", "/subscribe story"):
        assert command in reply.text


async def test_an_unexpected_error_is_a_short_reply_with_an_id(
    storybot: BotRunner,
    standin: Standin,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with storybot() as bot:

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the shelf fell over")

        monkeypatch.setattr(bot.store, "last_bookmark", broken)
        with caplog.at_level(logging.ERROR):
            reply = await standin.user("reader").slash("continue")
    assert reply.ephemeral
    match = re.search(r"error id `([0-9a-f]{8})`", reply.text)
    assert match, reply.text
    assert "shelf" not in reply.text
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged
    assert "the shelf fell over" in str(logged[0].exc_info[1])
