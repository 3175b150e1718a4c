"""The storybot Bot subclass: opens nothing itself, loads its cogs and syncs its commands."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import Settings
from bot.errors import report_error
from bot.membership import Memberships
from bot.pacing import paced_at_the_wire
from bot.shards import Shards
from bot.store import Store

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.help",
    "bot.cogs.reading",
    "bot.cogs.browsing",
    "bot.cogs.stories",
    "bot.cogs.excerpts",
    "bot.cogs.daily",
    "bot.cogs.settings",
    "bot.cogs.subscriptions",
    "bot.cogs.uploads",
    "bot.cogs.submissions",
    "bot.cogs.together",
    "bot.cogs.downloads",
    "bot.cogs.stats",
)
_TREE_HASH_KEY = "command_tree_hash"


def _sharding(settings: Settings) -> dict[str, Any]:
    """The shards this process runs, as AutoShardedBot takes them: SHARD_IDS of SHARD_COUNT,
    or none given, for every shard Discord recommends."""
    if settings.shard_ids is None:
        return {"shard_count": settings.shard_count}
    return {"shard_count": settings.shard_count, "shard_ids": list(settings.shard_ids)}


def use_discord_endpoints(rest_url: str | None, gateway_url: str | None) -> None:
    """Point discord.py at another REST base URL and gateway (a rate-limit or gateway proxy).

    Both are unset in production, where discord.py talks to Discord itself.
    """
    if rest_url:
        Route.BASE = rest_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class StoryTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class StoryBot(commands.AutoShardedBot):
    """The bot. `main()` owns the store and the settings and hands them in.

    It runs the shards SHARD_IDS of SHARD_COUNT, or, with neither set, every shard Discord
    recommends, all in this process (one shard for a bot in fewer than about 2,500 servers).
    """

    def __init__(self, settings: Settings, store: Store, **options: Any):
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=StoryTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            # Readers may also install the app on their account and read in any DM; the
            # moderators' commands are for servers that added the bot (moderation.py).
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            # What the bot sends on its own goes out just under Discord's global limit.
            http_trace=paced_at_the_wire(store.take_turns),
            **_sharding(settings),
            **options,
        )
        self.settings = settings
        self.store = store
        self.memberships = Memberships(self)

    @property
    def shards_held(self) -> Shards:
        """The shards this process runs, of how many: whose guilds' daily posts and
        announcements it does."""
        count = self.shard_count or 1
        return Shards(count, tuple(self.shard_ids or range(count)))

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.shard_ids is None or 0 in self.shard_ids:  # one process of many syncs
            await self._sync_commands()
        # What start-up built lives as long as the bot: keep it out of every later collection,
        # so garbage-collection pauses (which stall every interaction in flight) stay short.
        gc.freeze()

    async def _sync_commands(self) -> None:
        """Sync to the development guild on every start; globally only when the tree changed.

        Global syncs are rate limited and slow to propagate, so they are skipped when the
        commands are the same as at the last sync (a hash of their payload is stored).
        """
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            log.info("commands synced to development guild %d", guild.id)
            return
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        if await self.store.meta(_TREE_HASH_KEY) == digest:
            return
        await self.tree.sync()
        await self.store.set_meta(_TREE_HASH_KEY, digest)
        log.info("commands synced globally")

    async def on_ready(self) -> None:
        held = self.shards_held
        log.info(
            "connected as %s to %d servers, running shards %s of the %d in all",
            self.user,
            len(self.guilds),
            ", ".join(map(str, held.ids)),
            held.count,
        )
