"""When a daily post is due: local times, late posts, days missed, and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.library.schedule import (
    catch_up,
    following,
    is_late,
    local_date,
    occurrence,
    parse_time,
    parse_zone,
    retry_at,
    upcoming,
)

LONDON = parse_zone("Europe/London")
NEW_YORK = parse_zone("america/new_york")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9", time(9)),
        ("09:30", time(9, 30)),
        ("21:05", time(21, 5)),
        ("9pm", time(21)),
        ("12am", time(0)),
        ("12 pm", time(12)),
        ("9:30 a.m.", time(9, 30)),
    ],
)
def test_times_as_people_type_them(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "9:75", "noon", "13pm", ""])
def test_nonsense_times_are_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValueError, match=r"is not a time of day"):
        parse_time(typed)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Europe/London"):
        parse_zone("Mars/Olympus")


def test_upcoming_is_today_if_ahead_else_tomorrow() -> None:
    morning = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 08:00 in London (BST)
    assert upcoming(morning, time(9), LONDON) == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    evening = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    assert upcoming(evening, time(9), LONDON) == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


def test_a_post_missed_earlier_today_is_still_due_and_late() -> None:
    due = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    back = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    assert catch_up(due, back, time(9), LONDON) == due
    assert is_late(due, back)
    assert not is_late(due, due + timedelta(minutes=1))


def test_a_day_missed_entirely_is_replaced_by_today() -> None:
    due = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    next_morning = datetime(2026, 6, 2, 6, 0, tzinfo=UTC)  # 07:00 London, before 09:00
    assert catch_up(due, next_morning, time(9), LONDON) == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


def test_daylight_saving_neither_skips_nor_doubles_a_day() -> None:
    start = date(2026, 3, 6)
    posts = []
    day = start
    for _ in range(5):  # across 8 March 2026, when New York skips 02:00-03:00
        instant = occurrence(day, time(2, 30), NEW_YORK)
        posts.append(local_date(instant, NEW_YORK))
        day = local_date(following(day, time(2, 30), NEW_YORK), NEW_YORK)
    assert posts == [start + timedelta(days=n) for n in range(5)]
    assert occurrence(date(2026, 3, 8), time(2, 30), NEW_YORK).astimezone(NEW_YORK).hour == 3
    # 01:30 happens twice on 1 November 2026: the first one is used, once
    assert occurrence(date(2026, 11, 1), time(1, 30), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_retries_back_off_from_a_minute_to_half_an_hour() -> None:
    trouble_since = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
    now, waits = trouble_since, []
    for _ in range(9):
        later = retry_at(trouble_since, now, date(2026, 6, 1), LONDON)
        assert later is not None
        waits.append(int((later - now).total_seconds() // 60))
        now = later
    assert waits == [1, 1, 2, 4, 8, 16, 30, 30, 30]


def test_the_last_retry_is_in_the_last_minute_of_the_local_day() -> None:
    day = date(2026, 6, 1)
    trouble_since = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    late_evening = datetime(2026, 6, 1, 22, 45, tzinfo=UTC)  # 23:45 in London
    last = datetime(2026, 6, 1, 22, 59, tzinfo=UTC)  # 23:59 in London
    assert retry_at(trouble_since, late_evening, day, LONDON) == last
    assert retry_at(trouble_since, last, day, LONDON) is None
    # the day ends at local midnight: in New York that is 04:00 UTC the next day
    evening = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    assert retry_at(evening, evening, day, NEW_YORK) == evening + timedelta(minutes=1)
