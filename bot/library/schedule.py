"""When the daily excerpt is due: local wall-clock times in IANA zones, daylight saving included."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

LATE_AFTER = timedelta(minutes=5)
RETRY_FIRST = timedelta(minutes=1)  # the scheduler runs every minute
RETRY_LONGEST = timedelta(minutes=30)
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)


def parse_time(text: str) -> time:
    """A time of day as people type it: "9", "09:30", "21:05", "9pm", "9:30 am"."""
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"“{text}” is not a time of day: write it like 09:30 or 9pm.")
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise ValueError(f"“{text}” is not a time of day: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if match[3].lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time of day: hours go to 23 and minutes to 59.")
    return time(hour, minute)


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def parse_zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA time zone by name, matched regardless of case."""
    wanted = name.strip().lower()
    for candidate in time_zones():
        if candidate.lower() == wanted:
            return zoneinfo.ZoneInfo(candidate)
    raise ValueError(f"“{name}” is not a time zone I know: pick one like Europe/London.")


def local_date(instant: datetime, zone: zoneinfo.ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def occurrence(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `zone`.

    A time that does not exist that day (skipped when clocks go forward) is read with the
    offset from before the change, so it lands just after the gap (02:30 becomes 03:30); a time
    that happens twice (clocks going back) is its first occurrence. Either way each day has
    exactly one.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def upcoming(now: datetime, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first occurrence of `at` after `now`: today's if it is still ahead, else tomorrow's."""
    today = local_date(now, zone)
    due = occurrence(today, at, zone)
    return due if due > now else occurrence(today + timedelta(days=1), at, zone)


def catch_up(due: datetime, now: datetime, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """For a post that was due at `due` and not made by `now`: the occurrence to post for.

    If it was due today, it is still due (it goes out late); a day that passed entirely while
    the bot was down is not posted for, and today's occurrence takes its place (due now if it
    has passed, else later today).
    """
    today = local_date(now, zone)
    return due if local_date(due, zone) >= today else occurrence(today, at, zone)


def following(posted_on: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """When the post after the one for `posted_on` is due."""
    return occurrence(posted_on + timedelta(days=1), at, zone)


def is_late(due: datetime, now: datetime) -> bool:
    return now - due > LATE_AFTER


def retry_at(
    trouble_since: datetime, now: datetime, posted_on: date, zone: zoneinfo.ZoneInfo
) -> datetime | None:
    """When to try again the post for `posted_on` that Discord has failed since `trouble_since`.

    The wait is as long again as the trouble has lasted, so the waits double from a minute up to
    half an hour without a count of tries to keep; the last try is a minute before the post's
    local day ends. None once the day has no minute left for another try.
    """
    wait = min(max(now - trouble_since, RETRY_FIRST), RETRY_LONGEST)
    last_try = occurrence(posted_on + timedelta(days=1), time(0), zone) - RETRY_FIRST
    at = min(now + wait, last_try)
    return at if at > now else None
