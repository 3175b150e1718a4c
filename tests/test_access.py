"""The one access rule's own words: what a viewer is told about a story they may not see."""

from __future__ import annotations

import pytest

from bot.access import Hidden, StoryHidden, refusal
from bot.library.model import Rating


@pytest.mark.parametrize(
    ("hidden", "told"),
    [
        (
            StoryHidden(Hidden.CHAPTER_GONE),
            "That chapter is not in the story any more: open the story again with /read.",
        ),
        (StoryHidden(Hidden.GONE), "That story is not in the library here any more."),
        (
            StoryHidden(Hidden.GONE, Rating.MATURE),
            "That story is not in the library here any more.",
        ),
        (StoryHidden(Hidden.AGE_RESTRICTED), "That story is not in the library here any more."),
        (
            StoryHidden(Hidden.AGE_RESTRICTED, Rating.EXPLICIT, in_dms=True),
            "That story is rated Explicit. To read it in DMs, confirm you are an adult with "
            "`/mature-content allow:True`.",
        ),
        (
            StoryHidden(Hidden.AGE_RESTRICTED, Rating.NOT_RATED),
            "That story is rated Not Rated, so it can only be read in an age-restricted channel "
            "of this server.",
        ),
    ],
)
def test_a_refusal_names_only_what_may_be_said(hidden: StoryHidden, told: str) -> None:
    assert refusal(hidden) == told
