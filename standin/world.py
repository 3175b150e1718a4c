"""What exists in the stand-in's Discord: users, guilds, roles, channels, and their JSON forms."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from discord import Permissions

DISCORD_EPOCH_MS = 1_420_070_400_000
_increment = itertools.count()


class _HasId(Protocol):
    id: int


Found = TypeVar("Found", bound=_HasId)

EVERYONE_PERMISSIONS = Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_application_commands=True,
    create_public_threads=True,
    send_messages_in_threads=True,
).value
BOT_PERMISSIONS = (
    EVERYONE_PERMISSIONS | Permissions(manage_messages=True, manage_threads=True).value
)
MODERATOR_PERMISSIONS = Permissions(
    manage_guild=True, manage_messages=True, manage_threads=True, manage_channels=True
).value
VIEW_CHANNEL = Permissions(view_channel=True).value
SEND_MESSAGES = Permissions(send_messages=True).value
SEND_MESSAGES_IN_THREADS = Permissions(send_messages_in_threads=True).value
CREATE_PUBLIC_THREADS = Permissions(create_public_threads=True).value
MANAGE_THREADS = Permissions(manage_threads=True).value
MANAGE_CHANNELS = Permissions(manage_channels=True).value
ATTACH_FILES = Permissions(attach_files=True).value
EMBED_LINKS = Permissions(embed_links=True).value
MENTION_EVERYONE = Permissions(mention_everyone=True).value
ADMINISTRATOR = Permissions(administrator=True).value
ALL_PERMISSIONS = Permissions.all().value
TEXT, FORUM, PUBLIC_THREAD = 0, 15, 11
"""Channel types (Channel Object → Channel Types)."""


def _now() -> int:
    """Milliseconds since Discord's epoch."""
    return int(time.time() * 1000) - DISCORD_EPOCH_MS


def snowflake(moment: int | None = None) -> int:
    """A new, unique, time-ordered Discord id, of now or of `moment` (from `_now`)."""
    return (_now() if moment is None else moment) << 22 | next(_increment) % 4096


def shard_of(guild_id: int, num_shards: int) -> int:
    """The shard a guild's events go to: Discord's sharding formula (Gateway → Sharding)."""
    return (guild_id >> 22) % num_shards


def on_shard(shard_id: int, num_shards: int) -> int:
    """A new id for a guild that falls on shard `shard_id` of `num_shards` (`Guild(…,
    id=on_shard(1, 2))`): a snowflake of the latest millisecond the formula sends there."""
    assert 0 <= shard_id < num_shards, f"there is no shard {shard_id} of {num_shards}"
    now = _now()
    return snowflake(now - (now - shard_id) % num_shards)


def by_id(items: Iterable[Found], wanted: object) -> Found | None:
    """The item whose id is `wanted` (an int or a JSON string), if any."""
    return next((item for item in items if str(item.id) == str(wanted)), None)


def timestamp() -> str:
    """The current time as Discord writes it."""
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class User:
    """A Discord account; `dms_open=False` makes DMs to it fail with 50007, and
    `installed_app=True` means they added the app to their own account (a user install)."""

    name: str
    bot: bool = False
    dms_open: bool = True
    installed_app: bool = False
    id: int = field(default_factory=snowflake)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(eq=False)
class Role:
    name: str
    permissions: int = 0
    id: int = field(default_factory=snowflake)


def forum_tag(name: str, *, moderated: bool = False, emoji: str | None = None) -> dict[str, Any]:
    """A tag of a forum's `available_tags`, as Discord shows it (Channel → Forum Tag Object)."""
    return {
        "id": str(snowflake()),
        "name": name,
        "moderated": moderated,
        "emoji_id": None,
        "emoji_name": emoji,
    }


@dataclass(eq=False)
class Channel:
    """A text (0), announcement (5), forum (15), DM (1) or group DM (3) channel.

    `overwrites` maps "@everyone", a role name or a member name to (allow, deny) bits.
    `recipient` is the person in the bot's own DM with them; `people` are those in a DM or
    group DM between users, which the bot is not in (reached only through a user install).
    `available_tags` are a forum's tags (`forum_tag`), which its posts may carry.
    """

    name: str
    type: int = TEXT
    nsfw: bool = False
    overwrites: dict[str, tuple[int, int]] = field(default_factory=dict)
    recipient: User | None = None
    people: tuple[User, ...] = ()
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    id: int = field(default_factory=snowflake)

    @property
    def private(self) -> bool:
        """A DM or group DM between users: the bot is not in it."""
        return bool(self.people)


@dataclass(eq=False)
class Thread(Channel):
    """A public thread (11) in a text channel, or a post in a forum; it is a channel of its
    own whose `parent` is where it was made (Threads → Thread Fields).

    `message_count` and `total_message_sent` leave out a forum post's first message, and a
    deleted message lowers only `message_count` (Channel Object → Channel Structure).
    """

    type: int = PUBLIC_THREAD
    parent: Channel | None = None
    owner: User | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    applied_tags: list[str] = field(default_factory=list)
    message_count: int = 0
    total_message_sent: int = 0
    archive_timestamp: str = field(default_factory=timestamp)
    create_timestamp: str = field(default_factory=timestamp)

    def __post_init__(self) -> None:
        # "All threads in an age-restricted channel inherit that setting" (Threads →
        # Age-Restricted Threads).
        self.nsfw = self.parent is not None and self.parent.nsfw

    def set_archived(self, archived: bool) -> None:
        """Archive or unarchive it: "`archive_timestamp` is changed when creating, archiving,
        or unarchiving a thread" (Threads → Thread Fields)."""
        if archived != self.archived:
            self.archived, self.archive_timestamp = archived, timestamp()


@dataclass(eq=False)
class Guild:
    """A server; `members` maps member names to their role names, `owner` is a user name.

    `command_roles` is what an admin sets under Server Settings → Integrations: a command's
    name and the roles allowed to use it whatever its default permissions.
    """

    name: str
    channels: list[Channel]
    members: dict[str, list[str]]
    roles: list[Role] = field(default_factory=list)
    everyone: int = EVERYONE_PERMISSIONS
    owner: str | None = None
    id: int = field(default_factory=snowflake)
    command_roles: dict[str, set[str]] = field(default_factory=dict)
    threads: list[Thread] = field(default_factory=list)

    def channel(self, name: str) -> Channel:
        found = next((c for c in self.channels if c.name == name), None)
        assert found, f"no channel #{name} in {self.name} (has {[c.name for c in self.channels]})"
        return found

    def role(self, name: str) -> Role:
        found = next((r for r in self.roles if r.name == name), None)
        assert found, f"no role {name!r} in {self.name} (has {[r.name for r in self.roles]})"
        return found

    def permissions(self, user: User, channel: Channel | None = None) -> int:
        """Discord's permission resolution: roles, then channel overwrites; a thread's are
        its parent's ("Threads inherit permissions from the parent channel", Permissions →
        Inherited Permissions (Threads))."""
        if isinstance(channel, Thread):
            channel = channel.parent
        if self.owner == user.name:
            return ALL_PERMISSIONS
        roles = [self.role(name) for name in self.members[user.name]]
        value = self.everyone
        for role in roles:
            value |= role.permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is None:
            return value
        allow, deny = channel.overwrites.get("@everyone", (0, 0))
        value = value & ~deny | allow
        allow = deny = 0
        for role in roles:
            role_allow, role_deny = channel.overwrites.get(role.name, (0, 0))
            allow, deny = allow | role_allow, deny | role_deny
        value = value & ~deny | allow
        allow, deny = channel.overwrites.get(user.name, (0, 0))
        value = value & ~deny | allow
        return value if value & VIEW_CHANNEL else 0


def role_payload(role: Role, position: int = 0) -> dict[str, Any]:
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def _default_users() -> list[User]:
    return [User("storybot", bot=True), User("moderator"), User("reader"), User("reader2")]


def _default_guilds() -> list[Guild]:
    bot_role = Role("Storybot", BOT_PERMISSIONS)
    story_club = Guild(
        "Story Club",
        channels=[
            Channel("general"),
            Channel("nsfw-reading", nsfw=True),
            Channel("locked", overwrites={"Storybot": (0, SEND_MESSAGES)}),
            Channel("announcements", type=5),
            Channel("discussions", type=FORUM, available_tags=[forum_tag("Chapters")]),
        ],
        roles=[bot_role, Role("Moderator", MODERATOR_PERMISSIONS)],
        members={"storybot": ["Storybot"], "moderator": ["Moderator"], "reader": [], "reader2": []},
    )
    other_club = Guild(
        "Other Club",
        channels=[Channel("general")],
        roles=[Role("Storybot", BOT_PERMISSIONS)],
        members={"storybot": ["Storybot"], "reader2": []},
    )
    return [story_club, other_club]


@dataclass
class World:
    """Everything Discord knows; tweak it before the bot connects.

    The first user is the bot; `app_owner` names the application's owner. `shards` is the
    number of shards Get Gateway Bot recommends at least; a session that would hold more than
    `guilds_per_shard` of the bot's guilds is refused (Discord: 2500, Gateway → Sharding).
    """

    users: list[User] = field(default_factory=_default_users)
    guilds: list[Guild] = field(default_factory=_default_guilds)
    app_owner: str = "moderator"
    token: str = "standin-token"
    dm_channels: dict[int, Channel] = field(default_factory=dict)
    private_channels: list[Channel] = field(default_factory=list)
    shards: int = 1
    guilds_per_shard: int = 2500

    @property
    def recommended_shards(self) -> int:
        """What Get Gateway Bot recommends: `shards`, or more for a bot in many guilds (Discord
        recommends about one shard per 1,000 guilds, so that none nears the 2,500 limit)."""
        return max(self.shards, -(-len(self.guilds) // 1000))

    @property
    def bot(self) -> User:
        return self.users[0]

    @property
    def application_id(self) -> int:
        return self.bot.id

    def user(self, name: str) -> User:
        found = next((u for u in self.users if u.name == name), None)
        assert found, f"no user {name!r} (has {[u.name for u in self.users]})"
        return found

    def guild(self, name: str | None = None) -> Guild:
        """The named guild, or the first one."""
        if name is None:
            return self.guilds[0]
        found = next((g for g in self.guilds if g.name == name), None)
        assert found, f"no guild {name!r} (has {[g.name for g in self.guilds]})"
        return found

    def dm_channel(self, user: User) -> Channel:
        """The bot's DM channel with `user`, opened on first use."""
        if user.id not in self.dm_channels:
            self.dm_channels[user.id] = Channel(f"dm-{user.name}", type=1, recipient=user)
        return self.dm_channels[user.id]

    def private_channel(self, *names: str) -> Channel:
        """A DM between two users, or a group DM of more, that the bot is not in."""
        assert len(names) >= 2, "a DM between users needs two of them"
        people = tuple(self.user(name) for name in names)
        assert not any(person.bot for person in people), "the bot's own DMs are dm_channel's"
        channel = Channel("+".join(names), type=1 if len(people) == 2 else 3, people=people)
        self.private_channels.append(channel)
        return channel

    def find_channel(self, channel_id: int) -> tuple[Channel, Guild | None] | None:
        for guild in self.guilds:
            for channel in [*guild.channels, *guild.threads]:
                if channel.id == channel_id:
                    return channel, guild
        for channel in [*self.dm_channels.values(), *self.private_channels]:
            if channel.id == channel_id:
                return channel, None
        return None

    def channel_payload(
        self, channel: Channel, guild: Guild | None, seen_by: User | None = None
    ) -> dict[str, Any]:
        """The channel as Discord shows it (a private one to `seen_by`: its other people)."""
        if channel.private:
            others = [person.payload() for person in channel.people if person is not seen_by]
            payload = {"id": str(channel.id), "type": channel.type, "recipients": others}
            if channel.type == 3:
                owner = channel.people[0]
                payload |= {"name": channel.name, "owner_id": str(owner.id), "icon": None}
            return payload
        if guild is None:
            assert channel.recipient
            return {"id": str(channel.id), "type": 1, "recipients": [channel.recipient.payload()]}
        if isinstance(channel, Thread):
            return self.thread_payload(channel, guild)
        overwrites = []
        for name, (allow, deny) in channel.overwrites.items():
            if name == "@everyone":
                target, kind = guild.id, 0
            elif any(r.name == name for r in guild.roles):
                target, kind = guild.role(name).id, 0
            else:
                target, kind = self.user(name).id, 1
            overwrites.append(
                {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}
            )
        payload = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(guild.id),
            "name": channel.name,
            "position": guild.channels.index(channel),
            "nsfw": channel.nsfw,
            "topic": None,
            "parent_id": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "permission_overwrites": overwrites,
        }
        if channel.type == FORUM:
            payload |= {"available_tags": channel.available_tags, "flags": 0}
        return payload

    def thread_payload(self, thread: Thread, guild: Guild) -> dict[str, Any]:
        """A thread as a channel object (Channel → Example Thread Channel)."""
        assert thread.parent and thread.owner, f"thread {thread.name!r} needs a parent and an owner"
        return {
            "id": str(thread.id),
            "type": thread.type,
            "guild_id": str(guild.id),
            "parent_id": str(thread.parent.id),
            "owner_id": str(thread.owner.id),
            "name": thread.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "message_count": thread.message_count,
            "total_message_sent": thread.total_message_sent,
            "member_count": 1,
            "applied_tags": thread.applied_tags,
            "thread_metadata": {
                "archived": thread.archived,
                "locked": thread.locked,
                "auto_archive_duration": thread.auto_archive_duration,
                "archive_timestamp": thread.archive_timestamp,
                "create_timestamp": thread.create_timestamp,
            },
        }

    def active_threads(self, guild: Guild) -> list[Thread]:
        """The guild's threads that are not archived and that the bot can see: what
        GUILD_CREATE's `threads` and List Active Guild Threads hold (Threads → Gateway
        Events; "Clients will not be informed of a thread … if they do not have permission
        to view that thread", Threads → Permissions)."""
        return [
            thread
            for thread in guild.threads
            if not thread.archived and guild.permissions(self.bot, thread) & VIEW_CHANNEL
        ]

    def member_payload(self, guild: Guild, user: User) -> dict[str, Any]:
        return {
            "user": user.payload(),
            "roles": [str(guild.role(name).id) for name in guild.members[user.name]],
            "nick": None,
            "joined_at": timestamp(),
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }

    def guild_payload(self, guild: Guild) -> dict[str, Any]:
        """The GUILD_CREATE event data."""
        members = [u for u in self.users if u.name in guild.members]
        roles = [Role("@everyone", guild.everyone, id=guild.id), *guild.roles]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "owner_id": str(self.user(guild.owner).id) if guild.owner else None,
            "unavailable": False,
            "large": False,
            "member_count": len(members),
            "roles": [role_payload(role, position) for position, role in enumerate(roles)],
            "channels": [self.channel_payload(c, guild) for c in guild.channels],
            "members": [self.member_payload(guild, u) for u in members],
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [self.thread_payload(t, guild) for t in self.active_threads(guild)],
            "presences": [],
            "voice_states": [],
            "preferred_locale": "en-US",
            "joined_at": timestamp(),
        }

    def application_payload(self) -> dict[str, Any]:
        """What GET /oauth2/applications/@me returns."""
        return {
            "id": str(self.application_id),
            "name": self.bot.name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user(self.app_owner).payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot.payload(),
        }
