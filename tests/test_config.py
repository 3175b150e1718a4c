"""Settings from the environment: defaults, one clear line for each bad value, a hidden token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, describe, load_settings


def test_defaults_need_nothing_but_allow_no_token() -> None:
    settings = load_settings({})
    assert settings.database_path == Path("data/storybot.db")
    assert settings.library_dir == Path("data")
    assert settings.page_size == 1800
    assert settings.dev_guild_id is None
    assert settings.discord_rest_url is None
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        settings.require_token()


def test_token_never_shows_itself() -> None:
    settings = load_settings({"DISCORD_TOKEN": "abc.def.ghi"})
    assert settings.require_token().reveal() == "abc.def.ghi"
    shown = repr(settings) + str(settings) + repr(describe(settings)) + f"{settings.discord_token}"
    assert "abc.def.ghi" not in shown


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEV_GUILD_ID": "my server"}, "DEV_GUILD_ID must be a whole number"),
        ({"PAGE_SIZE": "100"}, "PAGE_SIZE must be between 500 and 2000"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
        ({"DISCORD_REST_URL": "localhost:8080"}, "DISCORD_REST_URL must be a full URL"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1-2"}, "SHARD_IDS must be below SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS must be shard numbers"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "one"}, "SHARD_IDS must be shard numbers"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be between 1 and"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL must be a PostgreSQL URL"),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(env)
    assert "\n" not in str(caught.value)


def test_shard_ids_are_a_list_or_ranges_of_the_shards_there_are() -> None:
    settings = load_settings({"SHARD_COUNT": "16", "SHARD_IDS": "0-3, 8,10-11"})
    assert (settings.shard_count, settings.shard_ids) == (16, (0, 1, 2, 3, 8, 10, 11))
    assert load_settings({}).shard_ids is None
