"""User-facing error types and the one error handler for commands and components."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.access import StoryHidden, refusal

log = logging.getLogger(__name__)


ONLY_MODERATORS = (
    "Only moderators can do that here. Members with Manage Server are moderators, and so are "
    "those with the role a moderator chooses with `/settings moderator-role`."
)


class UserFacingError(Exception):
    """Raised anywhere below a command; its message is shown to the user, ephemerally, as is."""


def _known_message(error: Exception) -> str | None:
    """The reply for an error the user can act on, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, StoryHidden):
        return refusal(error)
    if isinstance(error, app_commands.MissingPermissions | app_commands.MissingAnyRole):
        return ONLY_MODERATORS
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That only works in a server, not in DMs."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.TransformerError):
        return f"“{error.value}” is not something I can use there."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    return None


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user what went wrong, briefly; log bugs in full with an id they can quote."""
    message = _known_message(error)
    if message is None:
        error_id = secrets.token_hex(4)
        log.error(
            "error %s in %s by user %s",
            error_id,
            _describe(interaction),
            interaction.user.id,
            exc_info=error,
        )
        message = (
            f"Something went wrong on my side, sorry. If it keeps happening, tell whoever runs "
            f"the bot: error id `{error_id}`."
        )
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about an error", interaction.user.id, exc_info=True)


def _describe(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = str(data.get("custom_id", "?"))
    return f"component {custom_id!r}"
