"""The stand-in's gateway: HELLO, IDENTIFY → READY and GUILD_CREATEs, heartbeats, RESUME.

Several sessions may be open at once, each on the shard its IDENTIFY names ([0, 1] when it
names none): a session is sent the events of the guilds on its shard, and shard 0 those of no
guild, as Discord shards them.

Frames go out as text, or zlib-stream compressed when the client asks for it: one compressor
per connection, each frame ending in a sync flush, as discord.py expects without zstandard.
A client asking for zstd-stream gets text frames, which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from standin.world import by_id, shard_of

if TYPE_CHECKING:
    from standin.server import Standin

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS = 0, 1, 2, 6, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
AUTHENTICATION_FAILED, INVALID_SHARD, SHARDING_REQUIRED = 4004, 4010, 4011
SESSION_STARTS = 1000
"""IDENTIFYs a bot may send in 24 hours, across all its shards (Gateway → Identifying)."""
DAY = 24 * 60 * 60


class Connection:
    """One websocket; sends are serialised because they share one compression stream."""

    def __init__(self, socket: web.WebSocketResponse, *, compress: bool) -> None:
        self.socket = socket
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        text = json.dumps(frame)
        async with self._lock:
            if self.socket.closed:
                return
            if self._compressor is None:
                await self.socket.send_str(text)
            else:
                packed = self._compressor.compress(text.encode())
                await self.socket.send_bytes(packed + self._compressor.flush(zlib.Z_SYNC_FLUSH))


class Session:
    """A gateway session on one shard: numbered events, kept so a RESUME can replay what
    was missed."""

    def __init__(self, connection: Connection, shard: tuple[int, int]) -> None:
        self.id = secrets.token_hex(16)
        self.seq = 0
        self.connection: Connection | None = connection
        self.shard = shard
        self._sent: deque[dict[str, Any]] = deque(maxlen=1000)
        self._lock = asyncio.Lock()

    def receives(self, guild_id: int | str | None) -> bool:
        """Whether events of this guild (None: of no guild) are sent on this session.

        Discord (Gateway → Sharding): a guild's events go to its shard by the sharding
        formula; "Gateway events that do not contain a guild_id will only be sent to the first
        shard": DMs, and interactions outside servers. Sessions on the same shard each get them.
        """
        shard_id, num_shards = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(int(guild_id), num_shards) == shard_id

    async def dispatch(self, event: str, data: Any) -> None:
        async with self._lock:
            self.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
            self._sent.append(frame)
            if self.connection is not None:
                await self.connection.send(frame)

    async def resume(self, connection: Connection, seq: int) -> bool:
        """Replay the events after `seq` on `connection`; False if some are gone."""
        async with self._lock:
            missed = [frame for frame in self._sent if frame["s"] > seq]
            if seq < self.seq and missed[0]["s"] != seq + 1:
                return False
            self.connection = connection
            for frame in missed:
                await connection.send(frame)
        await self.dispatch("RESUMED", {})
        return True


class Gateway:
    """Serves the websocket for the stand-in's world: the bot's sessions, any number per
    shard ("You can establish multiple sessions with the same [shard_id, num_shards]",
    Gateway → Sharding)."""

    def __init__(self, standin: Standin) -> None:
        self.standin = standin
        self.sessions: list[Session] = []
        self.handshakes: list[str] = []
        self.intents: int | None = None
        self._connections: set[Connection] = set()
        self._day_began = time.monotonic()

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        connection = Connection(socket, compress=request.query.get("compress") == "zlib-stream")
        self._connections.add(connection)
        interval = int(self.standin.heartbeat_interval * 1000)
        await connection.send({"op": HELLO, "d": {"heartbeat_interval": interval}})
        try:
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    await self._receive(connection, json.loads(message.data), request.path)
        finally:
            self._connections.discard(connection)
            for session in self.sessions:
                if session.connection is connection:
                    session.connection = None
        return socket

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event on every session of the shard its `guild_id` falls on."""
        assert self.sessions, "the bot has not connected to the gateway"
        for session in self.sessions:
            if session.receives(data.get("guild_id")):
                await session.dispatch(event, data)

    def session_start_limit(self) -> dict[str, int]:
        """Get Gateway Bot's session_start_limit: every IDENTIFY that opened a session counts,
        in a day that began with the stand-in. `max_concurrency` is 1, as for most bots; the
        stand-in does not hold IDENTIFYs to it."""
        left = max(0.0, DAY - (time.monotonic() - self._day_began))
        return {
            "total": SESSION_STARTS,
            "remaining": max(0, SESSION_STARTS - len(self.sessions)),
            "reset_after": int(left * 1000),
            "max_concurrency": 1,
        }

    async def drop(self, code: int) -> None:
        """Close the bot's connections as Discord does when it restarts a gateway node."""
        connections = [s.connection for s in self.sessions if s.connection is not None]
        assert connections, "the bot is not connected"
        for session in self.sessions:
            session.connection = None
        for connection in connections:
            await connection.socket.close(code=code)

    async def close(self) -> None:
        for connection in list(self._connections):
            await connection.socket.close()

    async def _receive(self, connection: Connection, frame: dict[str, Any], path: str) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            # After a round trip's worth of time, as from Discord: discord.py notes when it sent
            # the heartbeat only after sending it, and an instant ack would beat that note.
            await asyncio.sleep(0.02)
            await connection.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(connection, data, path)
        elif op == RESUME:
            session = next((s for s in self.sessions if s.id == data["session_id"]), None)
            if session and await session.resume(connection, data["seq"] or 0):
                self.handshakes.append(f"RESUME {path}")
                self.standin.notify()
            else:
                await connection.send({"op": INVALID_SESSION, "d": False})
        elif op == REQUEST_MEMBERS:
            world = self.standin.world
            guild = by_id(world.guilds, data["guild_id"])
            assert guild, f"the bot asked for members of unknown guild {data['guild_id']}"
            members = [world.member_payload(guild, world.user(name)) for name in guild.members]
            chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0}
            asking = next(s for s in self.sessions if s.connection is connection)
            await asking.dispatch(
                "GUILD_MEMBERS_CHUNK", chunk | {"chunk_count": 1, "nonce": data.get("nonce")}
            )

    async def _identify(self, connection: Connection, data: dict[str, Any], path: str) -> None:
        world = self.standin.world
        if data.get("token") != world.token:
            await connection.socket.close(code=AUTHENTICATION_FAILED)
            return
        shard_id, num_shards = shard = data.get("shard", [0, 1])
        if not 0 <= shard_id < num_shards:
            # The shard is zero-based and below the total (Gateway → Sharding); any other is
            # 4010 Invalid shard (Opcodes and Status Codes → Gateway Close Event Codes).
            await connection.socket.close(code=INVALID_SHARD)
            return
        session = Session(connection, (shard_id, num_shards))
        guilds = [g for g in world.guilds if world.bot.name in g.members and session.receives(g.id)]
        if len(guilds) > world.guilds_per_shard:
            # "Each shard can only support a maximum of 2500 guilds" (Gateway → Sharding):
            # 4011 Sharding required, "The session would have handled too many guilds".
            await connection.socket.close(code=SHARDING_REQUIRED)
            return
        self.intents = data.get("intents")
        self.sessions.append(session)
        self.handshakes.append(f"IDENTIFY {path}" + (f" {shard}" if "shard" in data else ""))
        ready = {
            "v": 10,
            "user": world.bot.payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.standin.url("/resume", scheme="ws"),
            "application": {"id": str(world.application_id), "flags": 0},
        }
        if "shard" in data:
            ready["shard"] = shard  # "if sent when identifying" (Gateway Events → Ready)
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", world.guild_payload(guild))
        self.standin.notify()
