"""Readers using the bot through the stand-in, each interaction timed.

An interaction's latency is the time from the driver sending INTERACTION_CREATE on the
stand-in's gateway to the stand-in holding the bot's answer (the callback, or the edit that
settles a deferred one), measured in this process; the driver's own few microseconds on each
side are the same for storybot and the floor.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.floor import ANSWER
from bench.harness import CLUB_CHANNEL
from bench.library import Library
from standin.driver import Person, Reply
from standin.limits import BUTTON, COMPONENTS_V2, walk_components
from standin.server import Standin

COMMANDS = ("/read", "page turn", "/continue", "/excerpt", "/search", "autocomplete")
_NEXT = "Next ▶"
_FAILURE_EXAMPLES = 3


@dataclass(frozen=True)
class Latency:
    """Percentiles in seconds (infinite for interactions not answered), and how many were not."""

    count: int
    failed: int
    p50: float
    p99: float
    failures: tuple[str, ...] = ()


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def latency(self) -> Latency:
        # An interaction not answered as asked took forever, as far as its reader can tell.
        waited = self.times + [math.inf] * len(self.failures)
        return Latency(
            count=len(self.times),
            failed=len(self.failures),
            p50=percentile(waited, 0.50),
            p99=percentile(waited, 0.99),
            failures=tuple(self.failures[:_FAILURE_EXAMPLES]),
        )


class _Unanswered(Exception):
    """The bot answered, but with an error instead of what was asked for."""


@dataclass
class _Reader:
    person: Person
    rng: random.Random
    page: Reply | None = None
    """The reader's open copy of a story, for turning its pages."""


class Readers:
    """The benchmark's readers (the stand-in world's `bench-reader-N`), reading `library`.

    Every reader draws stories, chapters and queries from its own seeded generator, so storybot
    and the floor get the same interactions in the same order.
    """

    def __init__(self, standin: Standin, library: Library, count: int, seed: int = 1) -> None:
        self.library = library
        self.readers = [
            _Reader(standin.user(f"bench-reader-{n}"), random.Random(seed * 1000 + n))
            for n in range(count)
        ]
        self._actions: dict[str, Callable[[_Reader], Awaitable[float]]] = {
            "/read": self._read,
            "page turn": self._turn_page,
            "/continue": self._timed(lambda r: r.person.slash("continue", where=CLUB_CHANNEL)),
            "/excerpt": self._timed(lambda r: r.person.slash("excerpt", where=CLUB_CHANNEL)),
            "/search": self._timed(
                lambda r: r.person.slash(
                    "search", where=CLUB_CHANNEL, query=r.rng.choice(self.library.queries)
                ),
                nothing_found_ok=True,
            ),
            "autocomplete": self._autocomplete,
        }

    async def run(
        self,
        command: str,
        *,
        count: int | None = None,
        stop: asyncio.Event | None = None,
        concurrency: int,
        pause: float = 0.0,
    ) -> Samples:
        """`count` interactions (or as many as fit until `stop` is set), `concurrency` at a
        time, each reader waiting `pause` seconds after each of its own."""
        samples = Samples()
        left = count if count is not None else math.inf
        action = self._actions[command]

        async def keep_reading(reader: _Reader) -> None:
            nonlocal left
            while left > 0 and not (stop and stop.is_set()):
                left -= 1
                try:
                    samples.times.append(await action(reader))
                except (AssertionError, _Unanswered) as error:
                    samples.failures.append(f"{command}: {error}".splitlines()[0][:300])
                    reader.page = None
                if pause:
                    await asyncio.sleep(pause)

        await asyncio.gather(*(keep_reading(reader) for reader in self.readers[:concurrency]))
        return samples

    def _timed(
        self, act: Callable[[_Reader], Awaitable[Reply]], *, nothing_found_ok: bool = False
    ) -> Callable[[_Reader], Awaitable[float]]:
        async def timed(reader: _Reader) -> float:
            started = time.perf_counter()
            reply = await act(reader)
            elapsed = time.perf_counter() - started
            _check(reply, nothing_found_ok=nothing_found_ok)
            return elapsed

        return timed

    def _open(self, reader: _Reader) -> Awaitable[Reply]:
        story = reader.rng.choice(self.library.stories)
        return reader.person.slash(
            "read",
            where=CLUB_CHANNEL,
            story=story.title,
            chapter=reader.rng.randint(1, story.chapters),
        )

    async def _read(self, reader: _Reader) -> float:
        return await self._timed(self._open)(reader)

    async def _turn_page(self, reader: _Reader) -> float:
        """Turn a page of the reader's copy; a copy at its chapter's end is replaced, untimed."""
        page = reader.page
        while page is None or not _can_turn(page):
            page = reader.page = await self._open(reader)
            _check(page)
        return await self._timed(lambda _: page.click(_NEXT))(reader)

    async def _autocomplete(self, reader: _Reader) -> float:
        """Typing the start of a word of a title into /read's story option."""
        word = reader.rng.choice(reader.rng.choice(self.library.stories).title.split())
        typed = word[: reader.rng.randint(2, 5)].lower()
        started = time.perf_counter()
        await reader.person.autocomplete("read", "story", typed, where=CLUB_CHANNEL)
        return time.perf_counter() - started


def _check(reply: Reply, *, nothing_found_ok: bool = False) -> None:
    """storybot answers with a layout (a page, an excerpt) or an embed (search hits), the floor
    with its constant; anything else is an error message, which would make the latency
    meaningless."""
    if _is_layout(reply) or reply.embeds or reply.content == ANSWER:
        return
    if nothing_found_ok and reply.content.startswith("Nothing here matches"):
        return
    raise _Unanswered(reply.text[:200] or "an empty answer")


def _can_turn(reply: Reply) -> bool:
    return any(
        component["type"] == BUTTON
        and component.get("label") == _NEXT
        and not component.get("disabled")
        for _, component in walk_components(reply.components, "")
    )


def _is_layout(reply: Reply) -> bool:
    return bool(reply.message and reply.message.data["flags"] & COMPONENTS_V2)
