"""The one access rule's own words: what a viewer is told about a story they may not see."""

from __future__ import annotations

import pytest

from bot.access import Hidden, StoryHidden, refusal
from bot.library.model import Rating


@pytest.mark.parametrize(
    ("why", "rating", "in_dms", "told"),
    [
        (
            Hidden.CHAPTER_GONE,
            None,
            False,
            "That chapter is not in the story any more: open the story again with /read.",
        ),
        (Hidden.GONE, None, False, "That story is not in the library here any more."),
        (Hidden.GONE, Rating.MATURE, False, "That story is not in the library here any more."),
        (Hidden.AGE_RESTRICTED, None, False, "That story is not in the library here any more."),
        (
            Hidden.AGE_RESTRICTED,
            Rating.EXPLICIT,
            True,
            "That story is rated Explicit. To read it in DMs, confirm you are an adult with "
            "`/mature-content allow:True`.",
        ),
        (
            Hidden.AGE_RESTRICTED,
            Rating.NOT_RATED,
            False,
            "That story is rated Not Rated, so it can only be read in an age-restricted channel "
            "of this server.",
        ),
    ],
)
def test_a_refusal_names_only_what_may_be_said(
    why: Hidden, rating: Rating | None, in_dms: bool, told: str
) -> None:
    # built here, not in the parameters, so that the refusal is made by the code under test
    assert refusal(StoryHidden(why, rating, in_dms=in_dms)) == told


def test_a_removed_story_is_named_with_what_to_do_instead() -> None:
    hidden = StoryHidden(Hidden.REMOVED, title="Heart Broken")
    assert refusal(hidden) == (
        "“Heart Broken”, the story you were reading last here, was removed from the "
        "library. /progress lists the others you started."
    )


def test_a_refusal_is_for_a_server_unless_said_to_be_for_dms() -> None:
    assert not StoryHidden(Hidden.AGE_RESTRICTED, Rating.EXPLICIT).in_dms
