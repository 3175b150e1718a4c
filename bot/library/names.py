"""What a reader meant by a title or an author's name typed by hand: the closest names,
forgiving case and a small typo (rapidfuzz's weighted ratio, which also takes a name typed in
part)."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

CLOSE_ENOUGH = 85
"""A weighted ratio from 0 to 100 at which a name is taken to be the one typed."""
_CLEAR_LEAD = 8
"""How much closer the best name must be than the next to be taken alone."""


def closest(typed: str, names: Sequence[str]) -> list[int]:
    """The positions in `names` of those close enough to `typed`, closest first: one position
    when one name is clearly the closest, several when the reader could mean any of them."""
    found = process.extract(
        typed,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=CLOSE_ENOUGH,
        limit=5,
    )
    if len(found) > 1 and found[0][1] - found[1][1] >= _CLEAR_LEAD:
        return [found[0][2]]
    return [position for _, _, position in found]
