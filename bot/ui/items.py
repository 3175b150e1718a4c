"""What every stateful button and menu of the bot shares."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import report_error


class StatefulItem:
    """Mixin for `DynamicItem`s whose state lives in their `custom_id`.

    The template's named groups are the item's attributes (digits as ints), given to the
    constructor as keywords; errors reach the user through the one error handler: a dynamic
    item's errors would otherwise only be logged.
    """

    def __init__(self, item: discord.ui.Item[Any], **state: int | str):
        super().__init__(item)  # type: ignore[call-arg]
        for name, value in state.items():
            setattr(self, name, value)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Any:
        state = {
            name: int(value) if value.isdigit() else value
            for name, value in match.groupdict().items()
        }
        return cls(item, **state)  # type: ignore[call-arg]

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class StatelessView(discord.ui.View):
    """A view made only of `StatefulItem`s, finished from the start.

    discord.py dispatches those items by their `custom_id` on whatever message they are, so
    it need not keep the view: a kept ephemeral view would otherwise wait 15 minutes in memory
    for its timeout, one for every page a reader opens.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.stop()
