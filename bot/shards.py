"""Which background work is this process's own, when several processes share one library,
each running some of Discord's shards: a guild's daily post and its announcements belong to the
process that holds the guild's shard. Work tied to no guild (DM notices) is claimed instead
(see the outbox)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Shards:
    """The shards a process runs (`ids`), of `count` in all."""

    count: int = 1
    ids: tuple[int, ...] = (0,)

    def holds(self, guild_id: int) -> bool:
        """Whether the guild's events reach this process: its shard is one of ours (Discord's
        rule: the guild id's timestamp bits modulo the shard count)."""
        return (guild_id >> 22) % self.count in self.ids

    @property
    def params(self) -> dict[str, object]:
        """The parameters of `HELD`."""
        return {"shard_count": self.count, "shard_ids": json.dumps(self.ids)}


EVERY_SHARD = Shards()
"""One process running every shard: all the work is its own."""


def held(column: str = "guild_id") -> str:
    """A row of a guild (its `column`) whose shard this process holds, as `Shards.holds`
    says."""
    return f"(({column} >> 22) % :shard_count IN (SELECT value FROM json_each(:shard_ids)))"


HELD = held()
