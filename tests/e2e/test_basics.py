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
    "library",
    "read",
    "continue",
    "progress",
    "mature-content",
    "preferences",
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
    "submit",
    "review",
    "mywork",
    "bookmark",
    "shelf",
    "discuss",
    "download",
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
    assert "`/preferences` — See or change how you read" in reply.text
    assert "on a phone? `/preferences` gives you short pages" in reply.text  # where to start


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


def _visible_to(standin: Standin, name: str) -> set[str]:
    """The commands Discord lists for a member of Story Club (their permissions allow them)."""
    guild = standin.world.guild("Story Club")
    have = guild.permissions(standin.world.user(name))
    return {
        command
        for command, spec in standin.commands().items()
        if spec.get("default_member_permissions") is None
        or have & int(spec["default_member_permissions"]) == int(spec["default_member_permissions"])
    }


async def test_members_see_no_moderator_command_and_help_shows_them_their_part(
    storybot: BotRunner, standin: Standin
) -> None:
    async with storybot():
        member_help = await standin.user("reader").slash("help")
        moderator_help = await standin.user("moderator").slash("help")
    moderators_only = {"upload", "announce", "daily", "settings", "review"}
    assert _visible_to(standin, "reader") == EXPECTED_COMMANDS - moderators_only
    subcommands = {
        f"{name} {option['name']}"
        for name in _visible_to(standin, "reader")
        for option in standin.commands()[name].get("options") or []
        if option["type"] in (1, 2)
    }
    assert "story info" in subcommands
    assert not {"story edit", "story remove", "story move-chapter", "story history"} & subcommands
    assert _visible_to(standin, "moderator") == EXPECTED_COMMANDS
    assert "Start here" in member_help.text
    assert "/read" in member_help.text
    assert "/library remove" in member_help.text  # for authors, their own stories
    for command in ("/upload", "/review", "/daily set", "For moderators"):
        assert command not in member_help.text
        assert command in moderator_help.text


async def test_readers_may_install_the_app_themselves_and_moderators_commands_stay_in_servers(
    storybot: BotRunner, standin: Standin
) -> None:
    async with storybot():
        registered = standin.commands()
    servers_only = {"upload", "library", "announce", "daily", "settings", "subscribe"}
    servers_only |= {"unsubscribe", "subscriptions", "submit", "review", "mywork", "discuss"}
    for name, command in registered.items():
        if name in servers_only:
            assert command["integration_types"] == [0], name  # the server's install only
            assert command["contexts"] == [0], name
        else:
            assert sorted(command["integration_types"]) == [0, 1], name  # a user's too
            assert sorted(command["contexts"]) == [0, 1, 2], name  # and in any DM
