"""Typed settings, read once from the environment (and a `.env` file) when the bot starts."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the person running the bot."""


class Secret(str):
    """A string that never shows itself in logs, reprs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Settings:
    discord_token: Secret | None
    database_path: Path
    database_url: Secret | None
    """A PostgreSQL database (`postgresql://…`) to keep the library in instead of the SQLite file
    at `database_path`; its password is never shown."""
    library_dir: Path
    dev_guild_id: int | None
    log_level: str
    page_size: int
    upload_max_bytes: int
    daily_no_repeat_days: int
    discord_rest_url: str | None
    discord_gateway_url: str | None
    shard_count: int | None = None
    """Discord's shards in all, for a bot run as several processes; None: as Discord
    recommends, all of them in this process."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process runs (None: all)."""

    @property
    def database(self) -> str | Path:
        """Where the library is kept, as `Store.open` takes it."""
        return self.database_url.reveal() if self.database_url else self.database_path

    def require_token(self) -> Secret:
        if not self.discord_token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: put your bot token in .env (see .env.example)."
            )
        return self.discord_token


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `env` (default: the process environment).

    Raises ConfigError with one line naming the setting when a value cannot be used.
    """
    env = os.environ if env is None else env

    def text(name: str, default: str | None = None) -> str | None:
        value = env.get(name, "").strip()
        return value or default

    def integer(name: str, default: int | None, low: int, high: int) -> int | None:
        value = text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
        if not low <= number <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, not {number}.")
        return number

    def url(name: str) -> str | None:
        value = text(name)
        if value is not None and "://" not in value:
            raise ConfigError(f"{name} must be a full URL such as http://127.0.0.1:8080/api/v10.")
        return value

    token = text("DISCORD_TOKEN")
    database_url = text("DATABASE_URL")
    if database_url is not None and not database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL such as postgresql://user@host/storybot "
            "(leave it unset to keep the library in the SQLite file at DATABASE_PATH)."
        )
    log_level = (text("LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {log_level!r}.")
    shard_count = integer("SHARD_COUNT", None, 1, 100_000)
    shard_ids = _shard_ids(text("SHARD_IDS"), shard_count)
    return Settings(
        discord_token=Secret(token) if token else None,
        database_path=Path(text("DATABASE_PATH", "data/storybot.db") or ""),
        database_url=Secret(database_url) if database_url else None,
        library_dir=Path(text("LIBRARY_DIR", "data") or ""),
        dev_guild_id=integer("DEV_GUILD_ID", None, 1, 2**64 - 1),
        log_level=log_level,
        page_size=integer("PAGE_SIZE", 1800, 500, 2000) or 1800,
        upload_max_bytes=(integer("UPLOAD_MAX_MB", 4, 1, 25) or 4) * 2**20,
        daily_no_repeat_days=integer("DAILY_NO_REPEAT_DAYS", 365, 0, 3650) or 0,
        discord_rest_url=url("DISCORD_REST_URL"),
        discord_gateway_url=url("DISCORD_GATEWAY_URL"),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


def _shard_ids(value: str | None, count: int | None) -> tuple[int, ...] | None:
    """SHARD_IDS as shard numbers: a list (`0,1`), a range (`0-3`) or both (`0-3,8`)."""
    if value is None:
        return None
    if count is None:
        raise ConfigError("SHARD_IDS needs SHARD_COUNT: how many shards there are in all.")
    ids: set[int] = set()
    for part in value.split(","):
        low, _, high = part.strip().partition("-")
        if not low.isdigit() or not (high or low).isdigit() or int(high or low) < int(low):
            raise ConfigError(f"SHARD_IDS must be shard numbers such as 0,1 or 0-3, not {value!r}.")
        ids.update(range(int(low), int(high or low) + 1))
    if max(ids) >= count:
        raise ConfigError(f"SHARD_IDS must be below SHARD_COUNT ({count}), not {max(ids)}.")
    return tuple(sorted(ids))


def shown_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:********@{host}"))


def describe(settings: Settings) -> list[tuple[str, str]]:
    """The settings as (name, value) pairs for `check`, with the token and any password
    hidden."""
    shown = []
    for field in fields(settings):
        value = getattr(settings, field.name)
        if field.name == "database_url" and value is not None:
            value = shown_url(value.reveal())
        shown.append((field.name, str(value)))
    return shown


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
