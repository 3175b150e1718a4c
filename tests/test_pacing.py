"""The bot's own pacing of what it sends (daily posts, notices) under Discord's global limit."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.pacing import outgoing_pacing


@pytest.mark.parametrize(
    ("shards", "burst", "per_second"),
    [
        ({}, 4, 46),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, 2, 23),
        ({"SHARD_COUNT": "11", "SHARD_IDS": "0-5"}, 4 * 6 / 11, 46 * 6 / 11),
        ({"SHARD_COUNT": "11", "SHARD_IDS": "3"}, 1, 46 / 11),  # at least one send at once
    ],
)
def test_processes_sharing_the_shards_share_the_burst_as_the_rate(
    shards: dict[str, str], burst: float, per_second: float
) -> None:
    pacing = outgoing_pacing(load_settings(shards))
    assert pacing.max_rate == pytest.approx(burst)
    assert pacing.max_rate / pacing.time_period == pytest.approx(per_second)
