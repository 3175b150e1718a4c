"""A stand-in for Discord on 127.0.0.1: REST API v10, a small CDN and the gateway.

It keeps what the bot sent (messages, commands, interaction responses) for tests to inspect,
answers as Discord does when the bot breaks a rule, and records each broken rule in
`violations`. Requests to routes it does not know get Discord's 404 and land in `unknown_routes`.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from standin.driver import Person
from standin.gateway import Gateway
from standin.limits import (
    EDITABLE_FLAGS,
    Problem,
    check_choices,
    check_commands,
    check_message,
    check_modal,
    check_tags,
    check_thread,
    embed_texts,
    form_errors,
    walk_components,
)
from standin.world import (
    ATTACH_FILES,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    FORUM,
    MANAGE_CHANNELS,
    MANAGE_THREADS,
    MENTION_EVERYONE,
    PUBLIC_THREAD,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    TEXT,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Thread,
    User,
    World,
    by_id,
    snowflake,
    timestamp,
)

API = "/api/v10"
EPHEMERAL, LOADING = 1 << 6, 1 << 7
# Flags a bot may set on a new message: suppress embeds, ephemeral, silent, components v2.
SENDABLE_FLAGS = 1 << 2 | EPHEMERAL | 1 << 12 | 1 << 15
APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, CHOICES, MODAL = 4, 5, 6, 7, 8, 9
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2
"""Interaction contexts: a server, the bot's own DMs, a DM or group DM between users."""
GUILD_INSTALL, USER_INSTALL = 0, 1
"""Installation contexts (integration types): added by a server, or by a user to their account."""
PRIVATE_APP_PERMISSIONS = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE
"""`app_permissions` in a DM or group DM between users (Interaction Structure, its footnote)."""
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
"""The most bytes of files one message may carry, in a server without boosts or in DMs
(Uploading Files); more is answered 413 with code 40005."""
USER_INSTALL_FOLLOWUPS = 5
"""Follow-ups an interaction may have when only a user install authorized it (Create Followup
Message)."""
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE},
}
ERROR_MESSAGES = {
    0: "",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    40058: "Cannot send a message in a forum channel",
    40005: "Request entity too large",
    40060: "Interaction has already been acknowledged.",
    40094: "This interaction has hit the maximum number of follow up messages",
    50001: "Missing Access",
    50005: "Cannot edit a message authored by another user",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50024: "Cannot execute action on this channel type",
    50035: "Invalid Form Body",
    50083: "Thread is archived",
    160005: "Thread is locked",
}
NONCE_WINDOW = 180.0
"""Seconds a message's nonce is remembered: Discord checks it "in the past few minutes"."""
MENTION = re.compile(r"@everyone|@here|<@!?(\d+)>|<@&(\d+)>")
T = TypeVar("T")


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses a body as JSON only if Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class DiscordError(Exception):
    """An error answer in Discord's shape: {"message", "code", "errors"}."""

    def __init__(self, status: int, code: int, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {ERROR_MESSAGES[code]} ({code})")
        self.status, self.code, self.errors = status, code, errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"message": ERROR_MESSAGES[self.code], "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return json_response(body, self.status)


@dataclass(frozen=True)
class Violation:
    """A rule of Discord's the bot broke: `kind` is short and stable, `detail` says where."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(eq=False)
class Attachment:
    """A file on the stand-in's CDN: uploaded by a user for a command, or sent by the bot."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    id: int = field(default_factory=snowflake)


@dataclass(eq=False)
class Message:
    """A message as Discord stores it; `data` is exactly what the API returns for it."""

    data: dict[str, Any]
    channel: Channel
    author: User
    interaction: Interaction | None = None
    allowed_mentions: dict[str, Any] | None = None
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def content(self) -> str:
        return self.data["content"]

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data["embeds"]

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data["components"]

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return self.data["attachments"]

    @property
    def ephemeral(self) -> bool:
        return bool(self.data["flags"] & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.data["flags"] & LOADING)

    @property
    def text(self) -> str:
        """Content, embed texts and text displays, one per line, for easy asserts."""
        parts = [self.content]
        parts += [text for embed in self.embeds for _, text, _ in embed_texts(embed)]
        parts += [c.get("content", "") for _, c in walk_components(self.components, "")]
        return "\n".join(part for part in parts if part)


@dataclass(eq=False)
class Interaction:
    """One interaction the stand-in sent the bot, and everything the bot answered to it."""

    kind: int
    user: User
    channel: Channel
    guild: Guild | None
    label: str
    source: Message | None = None
    owners: dict[str, str] = field(default_factory=dict)
    """Its `authorizing_integration_owners`: the installs of the app that let it happen."""
    id: int = field(default_factory=snowflake)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    response_type: int | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    resolved: bool = False
    expired: bool = False


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    code: int
    times: int
    retry_after: float
    is_global: bool
    lost: bool
    after: int

    def response(self) -> web.Response:
        if self.status == 429:
            return rate_limited(self.retry_after, is_global=self.is_global)
        return DiscordError(self.status, self.code).response()


def _forum_tag(tag: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """A tag of a forum's new `available_tags`: one with a known id keeps it, a new one (only
    its `name` is required, Channel → Forum Tag Object) is given one."""
    kept = str(tag.get("id")) in known
    return {
        "id": str(tag["id"]) if kept else str(snowflake()),
        "name": tag.get("name", ""),
        "moderated": bool(tag.get("moderated")),
        "emoji_id": tag.get("emoji_id"),
        "emoji_name": tag.get("emoji_name"),
    }


def _path_pattern(path: str) -> re.Pattern[str]:
    """A path relative to the API base, where `{anything}` matches one segment."""
    return re.compile(re.sub(r"\\{[^/]*?\\}", "[^/]+", re.escape(path)))


def rate_limited(retry_after: float, *, is_global: bool) -> web.Response:
    """A 429 with the headers discord.py reads (it needs `Via` to trust the body)."""
    headers = {
        "Retry-After": str(math.ceil(retry_after)),
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Scope": "global" if is_global else "user",
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    return json_response(body, 429, headers)


async def read_body(request: web.Request) -> tuple[Any, list[Attachment]]:
    """The JSON payload (plain, or `payload_json` of a multipart form) and any files."""
    if request.content_type != "multipart/form-data":
        return (await request.json() if request.can_read_body else {}), []
    form = await request.post()
    files = [
        Attachment(f.filename, f.file.read(), f.content_type)
        for name, f in form.items()
        if name.startswith("files[") and isinstance(f, web.FileField)
    ]
    if sum(len(file.data) for file in files) > ATTACHMENT_SIZE_LIMIT:
        raise DiscordError(413, 40005)
    return json.loads(str(form.get("payload_json", "{}"))), files


class Standin:
    """Discord for one test: start it, point the bot at `rest_url`/`gateway_url`, drive it."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World()
        self.response_deadline = 3.0
        self.reply_timeout = 5.0
        self.heartbeat_interval = 41.25
        self.global_rate_limit: float | None = None
        self.violations: list[Violation] = []
        self.unknown_routes: list[str] = []
        self.requests: list[str] = []
        self.gateway = Gateway(self)
        self._registered: dict[int | None, dict[str, dict[str, Any]]] = {}
        self._messages: dict[int, Message] = {}
        self._interactions: dict[str, Interaction] = {}
        self._deferred: set[Interaction] = set()
        self._files: dict[int, Attachment] = {}
        self._faults: list[_Fault] = []
        self._stalls: list[tuple[str, re.Pattern[str], asyncio.Event]] = []
        self._stopping = asyncio.Event()
        self._nonces: dict[tuple[int, str], tuple[float, Message]] = {}
        self._recent: deque[float] = deque()
        self._taken: set[int] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._timers: list[asyncio.TimerHandle] = []
        self._runner: web.AppRunner | None = None
        self._port = 0

    # Life cycle and addresses

    async def start(self) -> None:
        # aiohttp's own cap on a request (1 MiB) is below Discord's on files: the files'
        # limit is read_body's to enforce, with room for the message beside them.
        app = web.Application(
            middlewares=[self._middleware], client_max_size=2 * ATTACHMENT_SIZE_LIMIT
        )
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        self._port = listener.getsockname()[1]
        await web.SockSite(self._runner, listener).start()

    async def stop(self) -> None:
        self._stopping.set()
        for timer in self._timers:
            timer.cancel()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str, *, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self._port}{path}"

    @property
    def rest_url(self) -> str:
        return self.url(API)

    @property
    def gateway_url(self) -> str:
        return self.url("/ws", scheme="ws")

    @property
    def handshakes(self) -> list[str]:
        """How each gateway connection began, e.g. ["IDENTIFY /ws", "RESUME /resume"], or with
        the shard it named, "IDENTIFY /ws [1, 2]"."""
        return self.gateway.handshakes

    # What tests use

    def user(self, name: str, guild: str | None = None) -> Person:
        """A person who acts in `guild` (by default the first guild they are a member of)."""
        user = self.world.user(name)
        if guild is None:
            home = next((g for g in self.world.guilds if name in g.members), None)
        else:
            home = self.world.guild(guild)
        return Person(self, user, home)

    def channel(self, name: str = "general", guild: str | None = None) -> Channel:
        return self.world.guild(guild).channel(name)

    async def post_as(self, user: User, channel: Channel, text: str) -> Message:
        """A message `user` writes in a guild's channel or thread, and its MESSAGE_CREATE on the
        guild's shard. The bot asks for no Message Content intent, so the event carries no
        content, as Discord sends it (Gateway → Message Content Intent)."""
        found = self.world.find_channel(channel.id)
        assert found and found[1] is not None, "people post in a guild's channels here"
        guild = found[1]
        data: dict[str, Any] = {
            "id": str(snowflake()),
            "channel_id": str(channel.id),
            "guild_id": str(guild.id),
            "author": user.payload(),
            "member": self.world.member_payload(guild, user),
            "content": text,
            "embeds": [],
            "components": [],
            "attachments": [],
            "flags": 0,
            "timestamp": timestamp(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
        }
        message = Message(data, channel, user)
        self._messages[message.id] = message
        if isinstance(channel, Thread):
            channel.message_count += 1
            channel.total_message_sent += 1
        await self.gateway.dispatch("MESSAGE_CREATE", data | {"content": ""})
        return message

    def attachment(
        self, filename: str, data: bytes, content_type: str = "text/plain"
    ) -> Attachment:
        """A file a user uploads, to pass as an attachment option."""
        return self._store(Attachment(filename, data, content_type))

    def messages(
        self, channel: str | Channel = "general", guild: str | None = None
    ) -> list[Message]:
        """What everyone sees in a channel, oldest first (no ephemeral or deleted ones)."""
        if isinstance(channel, str):
            channel = self.channel(channel, guild)
        return [
            m
            for m in self._messages.values()
            if m.channel is channel and not m.deleted and not m.ephemeral
        ]

    def threads(self, parent: str | Channel = "general", guild: str | None = None) -> list[Thread]:
        """The threads made in `parent`, a channel or a forum, archived ones too, oldest first."""
        if isinstance(parent, str):
            parent = self.channel(parent, guild)
        return [t for t in self._guild_of(parent).threads if t.parent is parent]

    async def archive(self, thread: Thread, *, locked: bool = False) -> None:
        """Archive `thread` as Discord does after its `auto_archive_duration` without activity,
        or with `locked` as a moderator's "Close & Lock" does; the bot is sent THREAD_UPDATE."""
        thread.set_archived(True)
        thread.locked = thread.locked or locked
        await self._announce("THREAD_UPDATE", thread)

    async def delete_channel(self, channel: Channel) -> None:
        """A moderator deletes `channel`: it is gone from the world and the bot is sent
        THREAD_DELETE, with only the thread's id, guild_id, parent_id and type (Gateway Events
        → Thread Delete); a channel's deletion sends CHANNEL_DELETE and takes its threads too
        (Channel → Delete/Close Channel)."""
        guild = self._guild_of(channel)
        payload = self.world.channel_payload(channel, guild)
        if isinstance(channel, Thread):
            await self._announce(
                "THREAD_DELETE",
                channel,
                {k: payload[k] for k in ("id", "guild_id", "parent_id", "type")},
            )
            guild.threads.remove(channel)
        else:
            await self._announce("CHANNEL_DELETE", channel, payload)
            guild.channels.remove(channel)
            guild.threads = [t for t in guild.threads if t.parent is not channel]

    def planted_message(self, channel: Channel, components: list[dict[str, Any]]) -> Message:
        """A message of the bot's carrying `components` it never sent, for negative tests: what
        a hostile client's forged interaction claims to come from."""
        return self._create(channel, {"components": components}, [], None)

    def dms(self, user: str | Person) -> list[Message]:
        """The messages in the bot's DM channel with `user`."""
        name = user if isinstance(user, str) else user.user.name
        return self.messages(self.world.dm_channel(self.world.user(name)))

    async def wait_for_message(
        self,
        channel: str | Channel = "general",
        *,
        guild: str | None = None,
        check: Callable[[Message], bool] = lambda _: True,
        timeout: float | None = None,  # noqa: ASYNC109 - becomes an assertion saying what is missing
    ) -> Message:
        """The oldest message in `channel` passing `check` that no earlier call returned."""
        if isinstance(channel, str):
            channel = self.channel(channel, guild)

        def fresh() -> Message | None:
            found = (m for m in self.messages(channel) if m.id not in self._taken and check(m))
            return next(found, None)

        message = await self.until(fresh, f"a message in #{channel.name}", timeout)
        self._taken.add(message.id)
        return message

    def commands(self, guild: str | None = None) -> dict[str, dict[str, Any]]:
        """The registered commands by name: global ones, or those of `guild`."""
        key = self.world.guild(guild).id if guild else None
        return dict(self._registered.get(key, {}))

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        code: int = 0,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        lost: bool = False,
        after: int = 0,
    ) -> None:
        """Answer the next `times` requests matching with an error, once `after` more of them
        have been answered as usual.

        `path` is relative to the API base; `{anything}` matches one segment, so
        "/channels/{id}/messages" matches every channel. Status 429 sends `retry_after`.
        `lost` carries the request out first, as when Discord made the message but its answer
        never reached the bot.
        """
        self._faults.append(
            _Fault(
                method,
                _path_pattern(path),
                status,
                code,
                times,
                retry_after,
                is_global,
                lost,
                after,
            )
        )

    def stall(self, method: str, path: str) -> asyncio.Event:
        """Carry out the next request matching, then keep its answer back for as long as the
        stand-in runs: as when Discord made the message and the bot's process died before the
        answer reached it. The event returned is set once the request is carried out."""
        carried_out = asyncio.Event()
        self._stalls.append((method, _path_pattern(path), carried_out))
        return carried_out

    async def drop_gateway(self, code: int = 4000) -> None:
        """Cut the bot's gateway connections and wait until one has connected again."""
        connections = len(self.handshakes)
        await self.gateway.drop(code)
        await self.until(lambda: self.handshakes[connections:], "the bot to reconnect")

    # Waiting

    def notify(self) -> None:
        """Wake everything waiting in `until`: after each request, gateway event or deadline."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def until(
        self,
        probe: Callable[[], T | None],
        what: str,
        timeout: float | None = None,  # noqa: ASYNC109 - becomes an assertion saying what is missing
    ) -> T:
        """Wait until `probe()` is truthy and return it; fail the test after `timeout`."""
        timeout = self.reply_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(timeout):
                while not (result := probe()):
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.append(waiter)
                    await waiter
        except TimeoutError:
            raise AssertionError(f"waited {timeout} s for {what}; {self._summary()}") from None
        return result

    def _summary(self) -> str:
        return f"violations so far: {[str(v) for v in self.violations]}"

    # Interactions (the driver's side)

    async def interact(
        self,
        kind: int,
        user: User,
        channel: Channel,
        guild: Guild | None,
        data: dict[str, Any],
        *,
        label: str,
        source: Message | None = None,
        owners: dict[str, str] | None = None,
    ) -> Interaction:
        """Send the bot an INTERACTION_CREATE and start its response deadline.

        `owners` are the installs that authorized it (see `authorizing_owners`); by default,
        those of the interaction `source` came from, else every install present where it is.
        """
        if owners is None:
            origin = source.interaction if source else None
            owners = origin.owners if origin else self.installs_present(user, channel, guild)
        record = Interaction(kind, user, channel, guild, label, source, owners)
        self._interactions[record.token] = record
        world = self.world
        payload: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(world.application_id),
            "type": kind,
            "token": record.token,
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "authorizing_integration_owners": owners,
        }
        if guild is None:
            context = self.context_of(channel, guild)
            payload["channel"] = world.channel_payload(channel, None, seen_by=user)
            payload |= {"user": user.payload(), "context": context}
            permissions = SEND_MESSAGES if context == BOT_DM else PRIVATE_APP_PERMISSIONS
            payload["app_permissions"] = str(permissions)
        else:
            permissions = str(guild.permissions(user, channel))
            payload["channel"] = world.channel_payload(channel, guild) | {
                "permissions": permissions
            }
            payload["member"] = world.member_payload(guild, user) | {"permissions": permissions}
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "context": GUILD,
                "app_permissions": str(guild.permissions(world.bot, channel)),
            }
        if source is not None:
            payload["message"] = source.data
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(self.response_deadline, self._expire, record))
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _expire(self, record: Interaction) -> None:
        record.expired = True
        if record.response_type is None:
            self._violate(
                "unanswered",
                f"{record.label} was not acknowledged within {self.response_deadline} s",
            )
        self.notify()

    def context_of(self, channel: Channel, guild: Guild | None) -> int:
        """The interaction context of `channel`: a server's, the bot's DMs, or a private one."""
        if guild is not None:
            return GUILD
        return PRIVATE_CHANNEL if channel.private else BOT_DM

    def authorizing_owners(
        self,
        user: User,
        channel: Channel,
        guild: Guild | None,
        integration_types: list[int] | None = None,
    ) -> dict[str, str]:
        """Discord's `authorizing_integration_owners` for `user` acting in `channel`: a key for
        each install of the app that reaches there and, for a command, that the command is made
        for (its `integration_types`, by default server installs only). "0", a server's
        install: the server's id there (if it added the bot), "0" in the bot's DMs, never in a
        DM or group DM between users. "1", the user's own install: their id. Empty: nothing
        authorizes it, so Discord does not offer the command there."""
        types = [GUILD_INSTALL] if integration_types is None else integration_types
        context = self.context_of(channel, guild)
        owners: dict[str, str] = {}
        if GUILD_INSTALL in types:
            if guild is not None and self.world.bot.name in guild.members:
                owners[str(GUILD_INSTALL)] = str(guild.id)
            elif context == BOT_DM:
                owners[str(GUILD_INSTALL)] = "0"
        if USER_INSTALL in types and user.installed_app:
            owners[str(USER_INSTALL)] = str(user.id)
        return owners

    def installs_present(self, user: User, channel: Channel, guild: Guild | None) -> dict[str, str]:
        """The owners of a component interaction on a message no interaction made: every
        install that reaches where it is."""
        return self.authorizing_owners(user, channel, guild, [GUILD_INSTALL, USER_INSTALL])

    def find_command(self, name: str, guild: Guild | None) -> tuple[dict[str, Any], int | None]:
        """The command a user in `guild` (None: a DM) sees under `name`, and its guild id."""
        if guild is not None and name in self._registered.get(guild.id, {}):
            return self._registered[guild.id][name], guild.id
        command = self._registered.get(None, {}).get(name)
        where = guild.name if guild else "DMs"
        visible = sorted(
            {*self._registered.get(None, {}), *self._registered.get(guild and guild.id, {})}
        )
        assert command, f"/{name} is not registered for {where}; registered: {visible}"
        return command, None

    # Serving

    def _routes(self) -> list[web.RouteDef]:
        webhook_message = API + "/webhooks/{app_id}/{token}/messages/{message_id}"
        channel_message = API + "/channels/{channel_id}/messages/{message_id}"
        return [
            web.get(API + "/gateway", self._get_gateway),
            web.get(API + "/gateway/bot", self._get_gateway_bot),
            web.get(API + "/users/@me", self._get_me),
            web.post(API + "/users/@me/channels", self._open_dm),
            web.get(API + "/users/{user_id}", self._get_user),
            web.get(API + "/guilds/{guild_id}/members/{user_id}", self._get_member),
            web.get(API + "/guilds/{guild_id}/threads/active", self._active_threads),
            web.get(API + "/oauth2/applications/@me", self._get_application),
            web.get(API + "/applications/{app_id}/commands", self._get_commands),
            web.put(API + "/applications/{app_id}/commands", self._put_commands),
            web.get(API + "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands),
            web.put(API + "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            web.post(API + "/interactions/{interaction_id}/{token}/callback", self._callback),
            web.post(API + "/webhooks/{app_id}/{token}", self._followup),
            *(
                web.route(m, webhook_message, self._webhook_message)
                for m in ("GET", "PATCH", "DELETE")
            ),
            web.get(API + "/channels/{channel_id}", self._get_channel),
            web.patch(API + "/channels/{channel_id}", self._modify_channel),
            web.delete(API + "/channels/{channel_id}", self._delete_channel),
            web.post(API + "/channels/{channel_id}/threads", self._start_thread),
            web.get(API + "/channels/{channel_id}/messages", self._list_messages),
            web.post(API + "/channels/{channel_id}/messages", self._post_message),
            *(
                web.route(m, channel_message, self._channel_message)
                for m in ("GET", "PATCH", "DELETE")
            ),
            web.get("/attachments/{attachment_id}/{filename}", self._download),
            web.get("/ws", self.gateway.serve),
            web.get("/resume", self.gateway.serve),
        ]

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[..., Any]
    ) -> web.StreamResponse:
        try:
            return await self._answer(request, handler)
        finally:
            # Any request may be what a test is waiting for.
            self.notify()

    async def _answer(
        self, request: web.Request, handler: Callable[..., Any]
    ) -> web.StreamResponse:
        """Unknown routes, authorisation, injected faults and the global limit, then `handler`."""
        path = request.path.removeprefix(API)
        route = f"{request.method} {path}"
        if request.match_info.http_exception is not None:
            self.unknown_routes.append(route)
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        self.requests.append(route)
        bot_route = request.path.startswith(API) and not path.startswith(
            ("/interactions/", "/webhooks/")
        )
        if bot_route and request.headers.get("Authorization") != f"Bot {self.world.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        lost = None
        for fault in self._faults:
            if fault.times and fault.method == request.method and fault.path.fullmatch(path):
                if fault.after:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if not fault.lost:
                    return fault.response()
                lost = fault
                break
        if bot_route and (wait := self._global_wait()):
            return rate_limited(wait, is_global=True)
        try:
            answer = await handler(request)
        except DiscordError as error:
            answer = error.response()
        for stall in self._stalls:
            if stall[0] == request.method and stall[1].fullmatch(path):
                self._stalls.remove(stall)
                stall[2].set()
                await self._stopping.wait()
                break
        return lost.response() if lost else answer

    def _global_wait(self) -> float:
        """Seconds until another request fits under `global_rate_limit` (per second), or 0.

        The limit is the bot token's ("All bots can make up to 50 requests per second",
        Rate Limits → Global Rate Limit): one count for every request made with the token,
        whichever process or connection makes it. Interaction endpoints are not bound by it.
        """
        if not self.global_rate_limit:
            return 0
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1:
            self._recent.popleft()
        if len(self._recent) >= self.global_rate_limit:
            return self._recent[0] + 1 - now
        self._recent.append(now)
        return 0

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        """The gateway, the number of shards the world recommends, and the session starts
        left (Gateway → Get Gateway Bot)."""
        return json_response(
            {
                "url": self.gateway_url,
                "shards": self.world.recommended_shards,
                "session_start_limit": self.gateway.session_start_limit(),
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response(self.world.bot.payload())

    async def _get_user(self, request: web.Request) -> web.Response:
        user = by_id(self.world.users, request.match_info["user_id"])
        if user is None:
            raise DiscordError(404, 10013)
        return json_response(user.payload())

    async def _get_member(self, request: web.Request) -> web.Response:
        """A member of a guild the bot is in: Unknown Guild or Unknown Member otherwise."""
        guild = by_id(self.world.guilds, request.match_info["guild_id"])
        if guild is None or self.world.bot.name not in guild.members:
            raise DiscordError(404, 10004)
        user = by_id(self.world.users, request.match_info["user_id"])
        if user is None or user.name not in guild.members:
            raise DiscordError(404, 10007)
        return json_response(self.world.member_payload(guild, user))

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(self.world.application_payload())

    async def _open_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        user = by_id(self.world.users, body.get("recipient_id"))
        if user is None:
            raise DiscordError(400, 50035, form_errors([("recipient_id", "Unknown user")]))
        return json_response(self.world.channel_payload(self.world.dm_channel(user), None))

    def _command_scope(self, request: web.Request) -> int | None:
        if request.match_info["app_id"] != str(self.world.application_id):
            raise DiscordError(403, 50001)
        if "guild_id" not in request.match_info:
            return None
        guild = by_id(self.world.guilds, request.match_info["guild_id"])
        if guild is None or self.world.bot.name not in guild.members:
            raise DiscordError(403, 50001)
        return guild.id

    async def _get_commands(self, request: web.Request) -> web.Response:
        return json_response(list(self._registered.get(self._command_scope(request), {}).values()))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await read_body(request)
        problems = check_commands(body)
        if problems:
            raise self._reject(f"registering commands ({request.path})", problems)
        old = self._registered.get(scope, {})
        registered = {}
        for command in body:
            kept = old.get(command["name"])
            registered[command["name"]] = {
                "type": 1,
                "options": [],
                **command,
                "id": kept["id"] if kept else str(snowflake()),
                "application_id": str(self.world.application_id),
                "version": str(snowflake()),
                "guild_id": None if scope is None else str(scope),
            }
        self._registered[scope] = registered
        return json_response(list(registered.values()))

    async def _callback(self, request: web.Request) -> web.Response:
        record = self._interactions.get(request.match_info["token"])
        if record is None or str(record.id) != request.match_info["interaction_id"]:
            raise DiscordError(404, 10062)
        if record.expired and record.response_type is None:
            raise DiscordError(404, 10062)
        body, files = await read_body(request)
        kind, data = body.get("type"), body.get("data") or {}
        if record.response_type is not None:
            self._violate("double-ack", f"{record.label} was acknowledged a second time")
            raise DiscordError(400, 40060)
        if kind not in ALLOWED_CALLBACKS[record.kind] or (
            kind in (DEFERRED_UPDATE, UPDATE) and record.source is None
        ):
            raise self._reject(record.label, [("type", f"Callback type {kind} is not valid here")])
        if kind in (MESSAGE, UPDATE):
            editing = record.source.data if kind == UPDATE and record.source else None
            self._check(record.label, check_message(data, editing=editing, has_files=bool(files)))
        elif kind == CHOICES:
            self._check(record.label, check_choices(data))
        elif kind == MODAL:
            self._check(record.label, check_modal(data))
        record.response_type = kind
        if kind == MESSAGE:
            record.original = self._create(record.channel, data, files, record)
        elif kind == DEFERRED_MESSAGE:
            flags = (data.get("flags") or 0) & EPHEMERAL | LOADING
            record.original = self._create(record.channel, {"flags": flags}, [], record)
        elif kind in (DEFERRED_UPDATE, UPDATE):
            record.original = record.source
            if kind == UPDATE:
                self._update(record.source, data, files, record.label)
        elif kind == CHOICES:
            record.choices = data.get("choices") or []
        else:
            record.modal = data
        if kind in (DEFERRED_MESSAGE, DEFERRED_UPDATE):
            self._deferred.add(record)
        else:
            record.resolved = True
        original = record.original
        resource: dict[str, Any] = {"type": kind}
        if original is not None and kind != DEFERRED_UPDATE:
            resource["message"] = original.data
        answer = {
            "id": str(record.id),
            "type": record.kind,
            "response_message_id": str(original.id) if original else None,
            "response_message_loading": kind == DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(original and original.ephemeral),
        }
        return json_response({"interaction": answer, "resource": resource})

    def _webhook_interaction(self, request: web.Request, action: str) -> Interaction:
        """The interaction a webhook route's token belongs to; it must be acknowledged."""
        record = self._interactions.get(request.match_info["token"])
        if record is None or request.match_info["app_id"] != str(self.world.application_id):
            raise DiscordError(404, 10015)
        if record.response_type is None:
            self._violate("unacknowledged", f"{record.label}: {action} before acknowledging it")
            raise DiscordError(404, 10015)
        return record

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request, "follow-up")
        only_user_install = str(GUILD_INSTALL) not in record.owners
        if only_user_install and len(record.followups) >= USER_INSTALL_FOLLOWUPS:
            raise DiscordError(400, 40094)
        body, files = await read_body(request)
        self._check(record.label, check_message(body, has_files=bool(files)))
        original = record.original
        if original is not None and original.loading:
            # The first follow-up to a "thinking" response takes the loading message's place.
            self._update(original, body, files, record.label)
            message = original
        else:
            message = self._create(record.channel, body, files, record)
            record.followups.append(message)
        self._settle(lambda deferred: deferred is record)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message.data)
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        action = f"{request.method} of a response"
        record = self._webhook_interaction(request, action)
        wanted = request.match_info["message_id"]
        if wanted == "@original":
            message = record.original
        else:
            message = next((m for m in record.followups if str(m.id) == wanted), None)
        return await self._act_on(request, message, record)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel, guild = self._channel(request)
        return json_response(self.world.channel_payload(channel, guild))

    async def _modify_channel(self, request: web.Request) -> web.Response:
        """Modify Channel: a thread's fields (`_modify_thread`), or a channel's name and a
        forum's `available_tags`, which need MANAGE_CHANNELS (Channel → Modify Channel, JSON
        Params (Guild channel)); other fields are not kept. Fires THREAD_UPDATE or
        CHANNEL_UPDATE."""
        channel, guild = self._guild_channel(request)
        body, _ = await read_body(request)
        have = guild.permissions(self.world.bot, channel)
        if isinstance(channel, Thread):
            changed = self._modify_thread(channel, body, have)
        else:
            if not have & MANAGE_CHANNELS:
                raise DiscordError(403, 50013)
            tags = body.get("available_tags") if channel.type == FORUM else None
            self._check(f"edit of #{channel.name}", check_tags(tags or []))
            if tags is not None:
                known = {tag["id"] for tag in channel.available_tags}
                channel.available_tags = [_forum_tag(tag, known) for tag in tags]
            channel.name = body.get("name", channel.name)
            changed = True
        if changed:
            event = "THREAD_UPDATE" if isinstance(channel, Thread) else "CHANNEL_UPDATE"
            await self._announce(event, channel)
        return json_response(self.world.channel_payload(channel, guild))

    def _modify_thread(self, thread: Thread, body: dict[str, Any], have: int) -> bool:
        """Apply a thread's changes as Discord allows them; False if nothing changed.

        An archived thread changes only by being unarchived ("Requires the thread to have
        `archived` set to `false` or be set to `false` in the request", Modify Channel → JSON
        Params (Thread); 50083 as discord-api-docs#6928 shows). Without MANAGE_THREADS: no
        locking or unlocking, no change at all to a locked thread ("only users with
        MANAGE_THREADS can unarchive it", and they alone change its title or tags, Threads →
        Locked Threads), and only the thread's creator changes more than unarchiving it
        (Threads → Editing & Deleting Threads).
        """
        parent = thread.parent
        tags = parent.available_tags if parent and parent.type == FORUM else None
        fields = ["name", "archived", "locked", "auto_archive_duration"]
        if tags is not None and "applied_tags" in body:  # only a forum's posts carry tags
            body["applied_tags"] = [str(tag) for tag in body["applied_tags"] or []]
            fields.append("applied_tags")
        changes = {k: body[k] for k in fields if k in body and body[k] != getattr(thread, k)}
        if thread.archived and body.get("archived", True):
            raise DiscordError(403, 50083)
        unarchiving = set(changes) <= {"archived"} and changes.get("archived") is not True
        if not have & MANAGE_THREADS and (
            "locked" in changes
            or (thread.locked and changes)
            or (thread.owner is not self.world.bot and not unarchiving)
        ):
            raise DiscordError(403, 50013)
        self._check(f"edit of thread {thread.name!r}", check_thread(body, tags, creating=False))
        for key, value in changes.items():
            if key == "archived":
                thread.set_archived(value)
            else:
                setattr(thread, key, value)
        return bool(changes)

    async def _delete_channel(self, request: web.Request) -> web.Response:
        """Delete/Close Channel: "Requires the MANAGE_CHANNELS permission for the guild, or
        MANAGE_THREADS if the channel is a thread"; answers the channel as it was."""
        channel, guild = self._guild_channel(request)
        needed = MANAGE_THREADS if isinstance(channel, Thread) else MANAGE_CHANNELS
        if not guild.permissions(self.world.bot, channel) & needed:
            raise DiscordError(403, 50013)
        payload = self.world.channel_payload(channel, guild)
        await self.delete_channel(channel)
        return json_response(payload)

    async def _start_thread(self, request: web.Request) -> web.Response:
        """Start Thread without Message in a text channel (CREATE_PUBLIC_THREADS), or Start
        Thread in Forum or Media Channel: a post and its first message, which has the
        thread's id ("The current user must have the SEND_MESSAGES permission
        (CREATE_PUBLIC_THREADS is ignored)"; Threads → Forums). Only public threads are made:
        a body without `type` asks for a private one, Discord's default there."""
        parent, guild = self._guild_channel(request)
        forum = parent.type == FORUM
        if parent.type not in (TEXT, FORUM):
            raise DiscordError(400, 50024)
        needed = SEND_MESSAGES if forum else CREATE_PUBLIC_THREADS
        if not guild.permissions(self.world.bot, parent) & needed:
            raise DiscordError(403, 50013)
        body, files = await read_body(request)
        problems = check_thread(body, parent.available_tags if forum else None, creating=True)
        if forum:
            message = body.get("message")
            if not isinstance(message, dict):
                problems.append(("message", "This field is required"))
            else:
                problems += [
                    (f"message.{path}", text)
                    for path, text in check_message(message, has_files=bool(files))
                ]
        elif body.get("type") != PUBLIC_THREAD:
            problems.append(("type", "The stand-in makes public threads (type 11) only."))
        self._check(f"thread in #{parent.name}", problems)
        thread = Thread(
            body["name"],
            parent=parent,
            owner=self.world.bot,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            applied_tags=[str(tag) for tag in body.get("applied_tags") or []] if forum else [],
        )
        guild.threads.append(thread)
        payload = self.world.channel_payload(thread, guild)
        await self._announce("THREAD_CREATE", thread, payload | {"newly_created": True})
        if forum:
            payload["message"] = self._create(thread, body["message"], files, None, thread.id).data
        return json_response(payload)

    async def _active_threads(self, request: web.Request) -> web.Response:
        """List Active Guild Threads: the threads GUILD_CREATE would hold, newest first."""
        guild = by_id(self.world.guilds, request.match_info["guild_id"])
        if guild is None or self.world.bot.name not in guild.members:
            raise DiscordError(404, 10004)
        threads = sorted(self.world.active_threads(guild), key=lambda t: t.id, reverse=True)
        payloads = [self.world.channel_payload(thread, guild) for thread in threads]
        return json_response({"threads": payloads, "members": [], "has_more": False})

    async def _list_messages(self, request: web.Request) -> web.Response:
        channel, _ = self._channel(request)
        limit = int(request.query.get("limit", 50))
        return json_response([m.data for m in reversed(self.messages(channel))][:limit])

    async def _post_message(self, request: web.Request) -> web.Response:
        channel, guild = self._channel(request)
        body, files = await read_body(request)
        if guild is not None:
            # "SEND_MESSAGES has no effect in threads" (Threads → Permissions).
            send = SEND_MESSAGES_IN_THREADS if isinstance(channel, Thread) else SEND_MESSAGES
            needed = VIEW_CHANNEL | send | (ATTACH_FILES if files else 0)
            have = guild.permissions(self.world.bot, channel)
            if have & needed != needed:
                raise DiscordError(403, 50013)
            if channel.type == FORUM:
                raise DiscordError(400, 40058)  # "only threads can be created in them"
            if isinstance(channel, Thread):
                self._check_sendable(channel, have)
        elif channel.recipient is not None and not channel.recipient.dms_open:
            raise DiscordError(403, 50007)
        label = f"message to #{channel.name}"
        self._check(label, check_message(body, has_files=bool(files)))
        nonce = body.get("nonce")
        key = (self.world.bot.id, str(nonce)) if nonce is not None else None
        if key and body.get("enforce_nonce") and (made := self._made_with(key)):
            return json_response(made.data)
        body["flags"] = (body.get("flags") or 0) & ~EPHEMERAL
        message = self._create(channel, body, files, None)
        if isinstance(channel, Thread) and channel.archived:
            # "Sending a message will automatically unarchive the thread" (Threads → Active &
            # Archived Threads).
            channel.set_archived(False)
            await self._announce("THREAD_UPDATE", channel)
        if key:
            self._nonces.pop(key, None)  # kept in the order made, oldest first
            self._nonces[key] = (time.monotonic(), message)
        return json_response(message.data)

    def _check_sendable(self, thread: Thread, have: int) -> None:
        """A message may go into a thread unless it is locked ("Users won't be able to create
        or update messages in locked threads" without MANAGE_THREADS, Threads → Locked
        Threads). A locked thread that is archived stays so, since sending unarchives a
        thread "unless the thread has been locked by a moderator": 50083, as
        discord-api-docs#6884 shows; in one still active, 160005 Thread is locked."""
        if thread.locked and thread.archived:
            raise DiscordError(403, 50083)
        if thread.locked and not have & MANAGE_THREADS:
            raise DiscordError(403, 160005)

    def _made_with(self, key: tuple[int, str]) -> Message | None:
        """The message its author made with this nonce in the past few minutes: with
        `enforce_nonce`, Discord returns it instead of making another."""
        since = time.monotonic() - NONCE_WINDOW
        while self._nonces and next(iter(self._nonces.values()))[0] <= since:
            del self._nonces[next(iter(self._nonces))]
        made = self._nonces.get(key)
        return made[1] if made else None

    async def _channel_message(self, request: web.Request) -> web.StreamResponse:
        channel, _ = self._channel(request)
        message = self._messages.get(int(request.match_info["message_id"]))
        if message is None or message.channel is not channel or message.ephemeral:
            raise DiscordError(404, 10008)
        if request.method == "PATCH" and message.author is not self.world.bot:
            raise DiscordError(403, 50005)
        if request.method == "PATCH" and isinstance(channel, Thread) and channel.archived:
            raise DiscordError(403, 50083)  # "such as editing a message" (JSON Error Codes)
        return await self._act_on(request, message, None)

    async def _act_on(
        self, request: web.Request, message: Message | None, record: Interaction | None
    ) -> web.StreamResponse:
        """GET, PATCH or DELETE one message."""
        if message is None or message.deleted:
            raise DiscordError(404, 10008)
        if request.method == "DELETE":
            message.deleted = True
            if isinstance(message.channel, Thread) and message.id != message.channel.id:
                message.channel.message_count -= 1
        elif request.method == "PATCH":
            body, files = await read_body(request)
            label = record.label if record else f"edit in #{message.channel.name}"
            self._check(label, check_message(body, editing=message.data))
            self._update(message, body, files, label)
        if request.method != "GET":
            # Whatever route it came by, a visible change settles a deferred answer.
            self._settle(lambda deferred: deferred is record or deferred.original is message)
        if request.method == "DELETE":
            return web.Response(status=204)
        return json_response(message.data)

    async def _download(self, request: web.Request) -> web.Response:
        attachment = self._files.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404)
        return web.Response(body=attachment.data, content_type=attachment.content_type)

    # Messages

    def _guild_channel(self, request: web.Request) -> tuple[Channel, Guild]:
        """A channel of a guild; a DM is not one ("Cannot execute action on this channel
        type")."""
        channel, guild = self._channel(request)
        if guild is None:
            raise DiscordError(400, 50024)
        return channel, guild

    def _guild_of(self, channel: Channel) -> Guild:
        found = self.world.find_channel(channel.id)
        assert found and found[1], f"#{channel.name} is in no guild of the world"
        return found[1]

    async def _announce(
        self, event: str, channel: Channel, data: dict[str, Any] | None = None
    ) -> None:
        """Send the bot a channel's or thread's event (by default its payload) on its guild's
        shard, if the bot is connected and may see it ("Clients will not be informed of a
        thread through the gateway if they do not have permission to view that thread",
        Threads → Permissions)."""
        guild = self._guild_of(channel)
        if self.gateway.sessions and guild.permissions(self.world.bot, channel) & VIEW_CHANNEL:
            await self.gateway.dispatch(event, data or self.world.channel_payload(channel, guild))

    def _channel(self, request: web.Request) -> tuple[Channel, Guild | None]:
        found = self.world.find_channel(int(request.match_info["channel_id"]))
        if found is None:
            raise DiscordError(404, 10003)
        channel, guild = found
        if channel.private:
            # the bot is not in a DM or group DM between users: only the interaction's webhook
            # reaches there
            raise DiscordError(403, 50001)
        if guild is not None and not guild.permissions(self.world.bot, channel) & VIEW_CHANNEL:
            raise DiscordError(403, 50001)
        return found

    def _create(
        self,
        channel: Channel,
        body: dict[str, Any],
        files: list[Attachment],
        record: Interaction | None,
        message_id: int | None = None,
    ) -> Message:
        """A new message in `channel`; a forum post's first one is made with the thread's id."""
        world = self.world
        found = world.find_channel(channel.id)
        data: dict[str, Any] = {
            "id": str(message_id or snowflake()),
            "channel_id": str(channel.id),
            "author": world.bot.payload(),
            "content": "",
            "embeds": [],
            "components": [],
            "attachments": [],
            "flags": (body.get("flags") or 0) & (SENDABLE_FLAGS | LOADING),
            "timestamp": timestamp(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
        }
        if found and found[1] is not None:
            data["guild_id"] = str(found[1].id)
        if record is not None:
            application_id = str(world.application_id)
            data |= {"webhook_id": application_id, "application_id": application_id}
            data["type"] = 20 if record.kind == APPLICATION_COMMAND else 0
        message = Message(data, channel, world.bot, record)
        self._messages[message.id] = message
        if isinstance(channel, Thread) and message.id != channel.id:
            channel.message_count += 1
            channel.total_message_sent += 1
        label = record.label if record else f"message to #{channel.name}"
        self._update(message, body, files, label, edit=False)
        return message

    def _update(
        self,
        message: Message,
        body: dict[str, Any],
        files: list[Attachment],
        label: str,
        *,
        edit: bool = True,
    ) -> None:
        """Apply a create or edit body to `message`, as Discord merges edits."""
        data = message.data
        for key in ("content", "embeds", "components"):
            if key in body:
                data[key] = body[key] or ("" if key == "content" else [])
        if "attachments" in body:
            kept = {str(a.get("id")) for a in body["attachments"]}
            data["attachments"] = [a for a in data["attachments"] if a["id"] in kept]
        data["attachments"] += [self.attachment_payload(self._store(f)) for f in files]
        if edit:
            data["flags"] &= ~LOADING
            data["edited_timestamp"] = timestamp()
            if body.get("flags") is not None:
                data["flags"] = data["flags"] & ~EDITABLE_FLAGS | body["flags"] & EDITABLE_FLAGS
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        if "content" in body or "embeds" in body or "components" in body:
            self._check_mentions(message, label)

    def _check_mentions(self, message: Message, label: str) -> None:
        """Nothing may ping by accident: a mention in the text may only ping if it is allowed
        by id (a role or user the bot chose), never by a blanket `parse`."""
        allowed = message.allowed_mentions
        parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse", []))
        pings = [
            match.group()
            for match in MENTION.finditer(message.text)
            if (match.group(1) and "users" in parse)
            or (match.group(2) and "roles" in parse)
            or (match.group().startswith("@") and "everyone" in parse)
        ]
        if pings:
            self._violate("mentions", f"{label} would ping {pings}; allowed_mentions={allowed}")

    def _store(self, attachment: Attachment) -> Attachment:
        self._files[attachment.id] = attachment
        return attachment

    def file(self, payload: dict[str, Any]) -> bytes:
        """What a file a message carries holds (`payload`: one of its `attachments`)."""
        return self._files[int(payload["id"])].data

    def attachment_payload(self, attachment: Attachment) -> dict[str, Any]:
        url = self.url(f"/attachments/{attachment.id}/{attachment.filename}")
        return {
            "id": str(attachment.id),
            "filename": attachment.filename,
            "size": len(attachment.data),
            "url": url,
            "proxy_url": url,
            "content_type": attachment.content_type,
        }

    def _settle(self, settles: Callable[[Interaction], bool]) -> None:
        """Mark the deferred answers that `settles` picks as given."""
        for record in [r for r in self._deferred if settles(r)]:
            record.resolved = True
            self._deferred.discard(record)

    # Violations

    def _violate(self, kind: str, detail: str) -> None:
        self.violations.append(Violation(kind, detail))

    def _check(self, label: str, problems: list[Problem]) -> None:
        if problems:
            raise self._reject(label, problems)

    def _reject(self, label: str, problems: list[Problem]) -> DiscordError:
        """Record a 50035 Invalid Form Body answer as a violation and return it to raise."""
        self._violate("invalid", f"{label}: " + "; ".join(f"{p}: {m}" for p, m in problems))
        return DiscordError(400, 50035, form_errors(problems))
