"""Reading figures: the roll-up that, once a day is over, keeps only how many read in each
server that day, and forgets who.

/library stats and /story stats belong to the groups of bot.cogs.stories (discord.py keeps a
group's subcommands in the cog that defines it) and answer through bot.ui.stats.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger(__name__)


class Stats(commands.Cog):
    """The hourly roll-up of readers counted on days that are over."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.roll_up.start()

    async def cog_unload(self) -> None:
        self.roll_up.cancel()

    @tasks.loop(hours=1)
    async def roll_up(self) -> None:
        try:
            forgotten = await self.bot.store.roll_up_readers()
        except Exception:  # one bad hour must not stop the loop
            log.exception("rolling up the readers counted failed")
        else:
            if forgotten:
                log.info("rolled up %d readers counted on days that are over", forgotten)

    @roll_up.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Stats(bot))
