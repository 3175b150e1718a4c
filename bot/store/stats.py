"""What is read, as counts: the daily roll-ups written with each page turn, and the figures
moderators and authors are shown.

Nothing here says who read what. Per server and day (UTC) the store keeps pages read and the
stories started and finished (`story_day`, by story), pages by hour (`guild_hour`, shown in the
server's time zone), distinct readers, excerpts drawn and discussion messages (`guild_day`).
Distinct readers need to know whether a reader was already counted that day: `day_reader` holds
who was, only for today and yesterday, and `roll_up_readers` folds each day before into its
count and deletes them (a day is kept a day longer than it lasts, so that a page read just
before midnight and written in a batch just after it is counted in its day once). A story's
drop-off and finishes come from readers' own places (the furthest chapter each reached), which
a reader may forget with /progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.store.database import Queries

COUNTED_IN = "coalesce(CAST(:guild AS BIGINT), story.guild_id)"
"""The server a page is counted in: the one it was read in, or in DMs the story's own (none,
for the bundled library read in DMs: such a page is not counted)."""

COUNT_PAGE = (
    f"""
    INSERT INTO story_day (guild_id, day, story_id, pages, started, finished)
    SELECT {COUNTED_IN}, :day, story.id, 1,
        CASE WHEN place.user_id IS NULL THEN 1 ELSE 0 END,
        CASE WHEN :finishing AND ifnull(place.finished, 0) = 0 THEN 1 ELSE 0 END
    FROM story
    LEFT JOIN reading_progress AS place ON place.user_id = :user AND place.story_id = story.id
    WHERE story.id = :story AND {COUNTED_IN} IS NOT NULL
    ON CONFLICT (guild_id, day, story_id) DO UPDATE SET
        pages = story_day.pages + 1,
        started = story_day.started + excluded.started,
        finished = story_day.finished + excluded.finished
    """,
    f"""
    INSERT INTO guild_hour (guild_id, day, hour, pages)
    SELECT {COUNTED_IN}, :day, :hour, 1 FROM story
    WHERE story.id = :story AND {COUNTED_IN} IS NOT NULL
    ON CONFLICT (guild_id, day, hour) DO UPDATE SET pages = guild_hour.pages + 1
    """,
    f"""
    INSERT INTO day_reader (guild_id, day, user_id)
    SELECT {COUNTED_IN}, :day, :user FROM story
    WHERE story.id = :story AND {COUNTED_IN} IS NOT NULL
    ON CONFLICT (guild_id, day, user_id) DO NOTHING
    """,
)
"""What one page read adds to the roll-ups, written in the batch of the reader's place and
before it (a reader with no place yet starts the story; one whose place has not reached the end
finishes it). Its parameters are the place's, with `day`, `hour` and `finishing`."""

COUNT_DISCUSSION_MESSAGE = """
    INSERT INTO guild_day (guild_id, day, discussion_messages)
    SELECT guild_id, :day, 1 FROM discussion WHERE thread_id = :thread
    ON CONFLICT (guild_id, day) DO UPDATE SET
        discussion_messages = guild_day.discussion_messages + 1
"""
"""A message in a discussion thread, counted in its server's day (`:thread`, `:day`)."""


@dataclass(frozen=True)
class DayFigures:
    """One day of a server's reading."""

    day: date
    readers: int
    pages: int
    started: int
    finished: int
    excerpts: int
    daily_posts: int
    kudos: int
    discussion_messages: int


@dataclass(frozen=True)
class StoryFigures:
    """One story's reading in a server over a period."""

    story_id: int
    title: str
    readers: int
    """Readers whose place in it moved there in the period."""
    pages: int
    finished: int
    kudos: int


@dataclass(frozen=True)
class LibraryStats:
    """A server's reading over its last days."""

    days: tuple[DayFigures, ...]
    """Every day of the period, oldest first, with zeros where nothing happened."""
    hours: tuple[tuple[int, ...], ...]
    """Pages read by weekday (Monday first) and hour over the period, in `zone`."""
    top: tuple[StoryFigures, ...]
    """The most read stories of the period, most readers first."""
    readers: int
    """Distinct readers over the period: whose place in a story moved there in it."""
    zone: str = "UTC"
    """The time zone of `hours`: the server's daily post's, or UTC."""


@dataclass(frozen=True)
class ChapterReach:
    number: int
    title: str
    readers: int
    """Readers who reached it: whose furthest chapter is this one or a later one."""


@dataclass(frozen=True)
class StoryStats:
    """A story's readers, everywhere it is read."""

    title: str
    chapters: tuple[ChapterReach, ...]
    finished: int
    kudos: int
    bookmarks: int
    subscribers: int


class StatsQueries(Queries):
    async def count_excerpt(self, guild_id: int) -> None:
        """One more excerpt drawn in a server today."""
        await self._db.write_in_batch(
            """
            INSERT INTO guild_day (guild_id, day, excerpts) VALUES (:guild, :day, 1)
            ON CONFLICT (guild_id, day) DO UPDATE SET excerpts = guild_day.excerpts + 1
            """,
            {"guild": guild_id, "day": self.now()[:10]},
        )

    async def roll_up_readers(self) -> int:
        """Fold the readers counted on each day before yesterday into its number of readers,
        and forget who they were; how many readers were forgotten."""
        yesterday = self.clock().astimezone(UTC).date() - timedelta(days=1)
        kept = {"kept": yesterday.isoformat()}
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO guild_day (guild_id, day, readers)
                SELECT guild_id, day, count(*) FROM day_reader WHERE day < :kept
                GROUP BY guild_id, day
                ON CONFLICT (guild_id, day) DO UPDATE SET
                    readers = guild_day.readers + excluded.readers
                """,
                kept,
            )
            return await tx.execute("DELETE FROM day_reader WHERE day < :kept", kept)

    async def reading_servers(self, days: int) -> list[int]:
        """The servers where something was read in the last `days` days."""
        first = self.clock().astimezone(UTC).date() - timedelta(days=days - 1)
        rows = await self._db.fetch_all(
            "SELECT DISTINCT guild_id FROM guild_hour WHERE day >= :first ORDER BY guild_id",
            {"first": first.isoformat()},
        )
        return [row["guild_id"] for row in rows]

    async def library_stats(self, guild_id: int, days: int, *, top: int = 5) -> LibraryStats:
        """A server's reading over its last `days` days (today included)."""
        await self.roll_up_readers()
        last = self.clock().astimezone(UTC).date()
        first = last - timedelta(days=days - 1)
        params = {"guild": guild_id, "first": first.isoformat(), "top": top}
        by_day = {
            row["day"]: row
            for row in await self._db.fetch_all(
                """
                SELECT day, sum(readers) AS readers, sum(pages) AS pages,
                    sum(started) AS started, sum(finished) AS finished,
                    sum(excerpts) AS excerpts, sum(daily_posts) AS daily_posts,
                    sum(kudos) AS kudos, sum(discussion_messages) AS discussion_messages
                FROM (
                    SELECT day, readers, 0 AS pages, 0 AS started, 0 AS finished, excerpts,
                        0 AS daily_posts, 0 AS kudos, discussion_messages
                    FROM guild_day WHERE guild_id = :guild AND day >= :first
                    UNION ALL
                    SELECT day, count(*), 0, 0, 0, 0, 0, 0, 0
                    FROM day_reader WHERE guild_id = :guild AND day >= :first GROUP BY day
                    UNION ALL
                    SELECT day, 0, sum(pages), sum(started), sum(finished), 0, 0, 0, 0
                    FROM story_day WHERE guild_id = :guild AND day >= :first GROUP BY day
                    UNION ALL
                    SELECT posted_on, 0, 0, 0, 0, 0, count(*), 0, 0
                    FROM daily_post
                    WHERE guild_id = :guild AND posted_on >= :first AND message_id IS NOT NULL
                    GROUP BY posted_on
                    UNION ALL
                    SELECT substr(kudos.given_at, 1, 10), 0, 0, 0, 0, 0, 0, count(*), 0
                    FROM kudos WHERE kudos.guild_id = :guild AND kudos.given_at >= :first
                    GROUP BY substr(kudos.given_at, 1, 10)
                ) AS figures
                GROUP BY day
                """,
                params,
            )
        }
        figures = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            row = by_day.get(day.isoformat())
            counts = [int(row[name] or 0) if row else 0 for name in _DAY_COUNTS]
            figures.append(DayFigures(day, *counts))
        schedule = await self._db.fetch_one(
            "SELECT timezone FROM daily_schedule WHERE guild_id = :guild", params
        )
        zone = ZoneInfo(schedule["timezone"]) if schedule else UTC
        hours = [[0] * 24 for _ in range(7)]
        for row in await self._db.fetch_all(
            "SELECT day, hour, pages FROM guild_hour WHERE guild_id = :guild AND day >= :first",
            params,
        ):
            utc = datetime.combine(date.fromisoformat(row["day"]), time(row["hour"]), UTC)
            local = utc.astimezone(zone)
            hours[local.weekday()][local.hour] += row["pages"]
        stories = await self._db.fetch_all(
            """
            WITH period AS (
                SELECT story_id, sum(pages) AS pages, sum(finished) AS finished
                FROM story_day WHERE guild_id = :guild AND day >= :first
                GROUP BY story_id
            )
            SELECT story.id, story.title, period.pages, period.finished,
                (SELECT count(*) FROM reading_progress AS place
                    WHERE place.story_id = story.id AND place.guild_id = :guild
                    AND place.updated_at >= :first) AS readers,
                (SELECT count(*) FROM kudos
                    WHERE kudos.story_id = story.id AND kudos.guild_id = :guild
                    AND kudos.given_at >= :first) AS kudos
            FROM period JOIN story ON story.id = period.story_id
            WHERE story.removed_at IS NULL
            ORDER BY readers DESC, period.pages DESC, story.id
            LIMIT :top
            """,
            params,
        )
        readers = await self._db.fetch_one(
            """
            SELECT count(DISTINCT user_id) AS readers FROM reading_progress
            WHERE guild_id = :guild AND updated_at >= :first
            """,
            params,
        )
        return LibraryStats(
            days=tuple(figures),
            hours=tuple(tuple(hour) for hour in hours),
            zone=str(zone),
            top=tuple(
                StoryFigures(
                    row["id"],
                    row["title"],
                    int(row["readers"]),
                    int(row["pages"]),
                    int(row["finished"]),
                    int(row["kudos"]),
                )
                for row in stories
            ),
            readers=int(readers["readers"]) if readers else 0,
        )

    async def story_stats(self, story_id: int) -> StoryStats:
        """A story's readers per chapter reached, finishes, kudos, bookmarks and subscribers."""
        params = {"story": story_id, "target": str(story_id)}
        story = await self._db.fetch_one(
            """
            SELECT title, kudos_count,
                (SELECT count(*) FROM shelf
                    WHERE shelf.story_id = story.id AND shelf.kind = 'bookmark') AS bookmarks,
                (SELECT count(*) FROM subscription
                    WHERE subscription.kind = 'story' AND subscription.target = :target)
                    AS subscribers
            FROM story WHERE id = :story
            """,
            params,
        )
        assert story is not None
        furthest = await self._db.fetch_all(
            """
            SELECT furthest_chapter, count(*) AS readers, sum(finished) AS finished
            FROM reading_progress WHERE story_id = :story
            GROUP BY furthest_chapter
            """,
            params,
        )
        titles = await self._db.fetch_all(
            "SELECT number, title FROM chapter WHERE story_id = :story ORDER BY number", params
        )
        chapters = tuple(
            ChapterReach(
                row["number"],
                row["title"],
                sum(int(f["readers"]) for f in furthest if f["furthest_chapter"] >= row["number"]),
            )
            for row in titles
        )
        return StoryStats(
            title=story["title"],
            chapters=chapters,
            finished=sum(int(row["finished"]) for row in furthest),
            kudos=int(story["kudos_count"]),
            bookmarks=int(story["bookmarks"]),
            subscribers=int(story["subscribers"]),
        )


_DAY_COUNTS = (
    "readers",
    "pages",
    "started",
    "finished",
    "excerpts",
    "daily_posts",
    "kudos",
    "discussion_messages",
)
