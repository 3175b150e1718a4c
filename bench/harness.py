"""A bot in its own process, as production runs it, on a Discord stand-in in this process.

storybot starts with `python -m bot run` and the floor bot with `python -m bench.floor bot`,
both pointed at the stand-in by the settings production uses for proxies, and both with
DEV_GUILD_ID set, so both sync their commands on every start (a fresh stand-in knows none).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.shards import Shards
from standin.server import Standin
from standin.world import BOT_PERMISSIONS, Channel, Guild, Role, User, World

REPO = Path(__file__).resolve().parents[1]
STORYBOT = ("-m", "bot", "run")
FLOOR = ("-m", "bench.floor", "bot")
SIZED_FLOOR = "sized floor"
"""The floor bot answering with constant replies the size and shape of storybot's."""
ON_POSTGRES = "storybot on PostgreSQL"
CLUB_CHANNEL = "nsfw-reading"
"""Where the benchmark's readers read: age-restricted, so every rating may be shown."""
_STOP_SECONDS = 20
_starts = itertools.count(1)
_SAMPLE_SECONDS = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class BotRequest:
    """A request of the bot's that counts against the global rate limit."""

    at: float
    route: str
    accepted: bool


class BenchStandin(Standin):
    """The stand-in, also noting each request under the global limit and whether it got through."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.bot_requests: list[BotRequest] = []
        self.posted = 0
        """Messages the bot posted to a channel (not as an interaction's answer)."""

    def _global_wait(self) -> float:
        wait = super()._global_wait()
        route = self.requests[-1]  # the request being answered: it was just appended
        accepted = not wait
        self.bot_requests.append(BotRequest(time.perf_counter(), route, accepted))
        self.posted += accepted and is_post(route)
        return wait


def is_post(route: str) -> bool:
    """Whether a request (as the stand-in notes it) posts a message to a channel or a DM."""
    return route.startswith("POST /channels/") and route.endswith("/messages")


def reading_world(readers: int, *, guilds: int = 0, users: int = 0) -> World:
    """The stand-in's default world, with `readers` more readers in its first guild, `guilds`
    more guilds with a channel the bot may post in, and `users` more users outside any guild."""
    world = World()
    club = world.guild()
    for number in range(readers):
        world.users.append(User(f"bench-reader-{number}"))
        club.members[f"bench-reader-{number}"] = []
    world.guilds += [
        Guild(
            f"guild-{number}",
            channels=[Channel("general")],
            roles=[Role("Storybot", BOT_PERMISSIONS)],
            members={world.bot.name: ["Storybot"]},
        )
        for number in range(guilds)
    ]
    world.users += [User(f"subscriber-{number}") for number in range(users)]
    return world


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database, whatever state its WAL is in."""
    target.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as original,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        original.backup(copy)


@dataclass
class BotProcess:
    """A bot running in its own process; its output goes to `log`."""

    name: str
    process: asyncio.subprocess.Process
    spawned: float
    log: Path
    connected: float = field(default=0.0)

    @classmethod
    async def start(
        cls,
        name: str,
        standin: Standin,
        folder: Path,
        *,
        database: Path | str | None = None,
        shards: Shards | None = None,
    ) -> BotProcess:
        """Start the bot and return once it has identified on the stand-in's gateway: on the
        SQLite file or PostgreSQL URL `database`, running `shards` (default: all Discord
        recommends)."""
        command = FLOOR if name in ("floor", SIZED_FLOOR) else STORYBOT
        empty = folder / "no-library"  # so an empty database is not filled with data/
        empty.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "DISCORD_TOKEN": standin.world.token,
            "DISCORD_REST_URL": standin.rest_url,
            "DISCORD_GATEWAY_URL": standin.gateway_url,
            "DEV_GUILD_ID": str(standin.world.guild().id),
            "DATABASE_PATH": str(database if isinstance(database, Path) else folder / "unused.db"),
            "DATABASE_URL": database if isinstance(database, str) else "",
            "SHARD_COUNT": str(shards.count) if shards else "",
            "SHARD_IDS": ",".join(map(str, shards.ids)) if shards else "",
            "LIBRARY_DIR": str(empty),
            "FLOOR_REPLIES": "sized" if name == SIZED_FLOOR else "",
        }
        log = folder / f"{name.replace(' ', '-')}-{next(_starts)}.log"
        since = len(standin.handshakes)
        with log.open("wb") as output:
            spawned = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *command,
                cwd=folder,  # away from the repository's .env
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        bot = cls(name, process, spawned, log)
        exited = asyncio.create_task(process.wait())
        exited.add_done_callback(lambda _: standin.notify())

        def connected() -> bool:
            """Every shard it runs has identified (a bot in many guilds runs several, started
            a few seconds apart; a read before then may meet none)."""
            made = standin.handshakes[since:]
            if shards is None:
                return len(made) >= standin.world.recommended_shards
            named = {handshake.split(" ", 2)[-1] for handshake in made}  # "[1, 2]"
            return {f"[{n}, {shards.count}]" for n in shards.ids} <= named

        await standin.until(lambda: connected() or exited.done(), f"{name} to connect", 120)
        if exited.done():
            raise RuntimeError(f"{name} stopped before connecting; see {log}")
        bot.connected = time.perf_counter()
        return bot

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far, all its threads included."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def peak_rss(self) -> int:
        """The most memory the process has held so far (its RSS high-water mark), in bytes."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024

    async def stop(self) -> None:
        """Stop it as Ctrl+C does; kill it if it has not stopped after a while."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), _STOP_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@dataclass(frozen=True)
class Finished:
    """How a command run to its end went: wall time, memory and CPU."""

    seconds: float
    peak_rss: int
    """The most the process and its children (worker processes) held at once, sampled."""
    largest_rss: int
    """The kernel's high-water mark of the largest single process among them."""
    cpu_seconds: float
    returncode: int


def run_measured(name: str, arguments: list[str], folder: Path, env: dict[str, str]) -> Finished:
    """Run `python ARGUMENTS` to its end in `folder`, output to NAME.log there, and measure it."""
    with (folder / f"{name}.log").open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *arguments],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(REPO), **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        peak = _TreeMemory(process.pid)
        peak.start()
        # wait4, not wait: it also gives the peak RSS and CPU time of the child and its children
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        peak.done.set()
        peak.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Finished(
        seconds=seconds,
        peak_rss=max(peak.most, usage.ru_maxrss * 1024),
        largest_rss=usage.ru_maxrss * 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        returncode=process.returncode,
    )


class _TreeMemory(threading.Thread):
    """Samples the RSS of a process and all its descendants, added up, until `done` is set."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.most = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(_SAMPLE_SECONDS):
            self.most = max(self.most, _tree_rss(self.pid))


def tree_cpu_seconds(root: int) -> float:
    """CPU time a process and all its descendants have used so far, those that ended and were
    waited for included (in their parent's counts)."""
    total = 0
    for pid in _tree(root):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(count) for count in fields[11:15])  # utime stime cutime cstime
    return total / _CLOCK_TICKS


def _tree_rss(root: int) -> int:
    total = 0
    for pid in _tree(root):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    return total


def _tree(root: int) -> set[int]:
    """A process and all its descendants."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    tree, found = set(), {root}
    while found:
        tree |= found
        found = {pid for pid, parent in parents.items() if parent in found}
    return tree
