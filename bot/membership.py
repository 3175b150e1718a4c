"""Whether someone is a member of a server, as Discord says, remembered for a few minutes: what
lets a member read their server's stories in DMs with the bot."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import discord

log = logging.getLogger(__name__)

REMEMBERED_FOR = 600.0
"""Seconds an answer is trusted before Discord is asked again (someone who leaves a server
reads its stories in DMs for at most this long)."""


class Memberships:
    """Asks Discord (one request a server and person) and remembers the answer for a while."""

    def __init__(self, client: discord.Client):
        self._client = client
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def servers_of(self, user_id: int, candidates: Iterable[int]) -> tuple[int, ...]:
        """The servers among `candidates` that the person is a member of now."""
        return tuple([server for server in candidates if await self._is_member(server, user_id)])

    async def _is_member(self, guild_id: int, user_id: int) -> bool:
        now = time.monotonic()
        known = self._known.get((guild_id, user_id))
        if known and known[1] > now:
            return known[0]
        guild = self._client.get_guild(guild_id)
        if guild is None:  # the bot left it: its stories are no one's to read any more
            return False
        try:
            await guild.fetch_member(user_id)
        except (discord.NotFound, discord.Forbidden):
            member = False
        except discord.HTTPException:
            log.warning("could not ask Discord whether user %d is in guild %d", user_id, guild_id)
            return False  # not remembered: asked again next time
        else:
            member = True
        self._known[(guild_id, user_id)] = (member, now + REMEMBERED_FOR)
        return member
