"""Who may see and change a story: one rule, written once, applied in SQL by every lookup.

A story may be seen by a viewer when it is not removed, belongs to the bundled library or to
the viewer's server, and its rating is allowed where the viewer is (an age-restricted channel,
or DMs for a reader who opted in). A story may be changed by a moderator of the server it was
uploaded to, and by the member who wrote it, and by nobody else: the bundled library is
read-only from Discord.

The store applies `VISIBLE` to every list and `IN_REACH` + `RATING_ALLOWED` to every lookup of
one story, raising `StoryHidden` when the viewer may not see it; the error handler turns that
into the sentence `refusal` gives. No other code decides who sees what.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Protocol

from bot.library.model import Rating
from bot.library.render import render_prose


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the library, and where."""

    user_id: int
    guild_id: int | None
    """The server they are in; None in DMs."""
    age_restricted_ok: bool
    """Whether Mature, Explicit and Not Rated stories may be shown where they are."""
    member_of: tuple[int, ...] = ()
    """In DMs, the servers Discord says they are a member of: those servers' stories are theirs
    to read there too, besides the bundled library."""

    @property
    def params(self) -> dict[str, object]:
        """The parameters of `IN_REACH`, `RATING_ALLOWED` and `VISIBLE`."""
        return {
            "viewer_guild": self.guild_id,
            "viewer_servers": json.dumps(self.member_of),
            "viewer_age_ok": self.age_restricted_ok,
        }


OF_THIS_SERVER = (
    "(story.guild_id IS NULL OR story.guild_id = :viewer_guild "
    "OR story.guild_id IN (SELECT value FROM json_each(:viewer_servers)))"
)
"""A story of the viewer's server (or, in DMs, of a server they are a member of), or of the
bundled library, removed or not: alone, only for what the viewer read themselves (their place in
a story since removed is explained, not hidden)."""
IN_REACH = f"(story.removed_at IS NULL AND {OF_THIS_SERVER})"
"""A story that exists for the viewer's server: bundled or its own, and not removed."""
_FOR_EVERYONE = ", ".join(f"'{rating.value}'" for rating in Rating if not rating.age_restricted)
RATING_ALLOWED = f"(:viewer_age_ok OR story.rating IN ({_FOR_EVERYONE}))"
"""A story whose rating may be shown where the viewer is: any where age-restricted ratings may
be, else only those for everyone."""
VISIBLE = f"({IN_REACH} AND {RATING_ALLOWED})"
"""A story the viewer may see: the whole rule, for every query that lists stories."""
CHANGEABLE = (
    "(story.guild_id = :changer_guild AND (:changer_moderates OR story.author_id = :changer))"
)
"""A story the changer may change (removed ones too: to restore them): any of the server's for
its moderators, a member's own for its author."""


@dataclass(frozen=True)
class Changer:
    """Who is changing a server's stories, and whether they moderate it."""

    guild_id: int
    user_id: int
    moderator: bool

    @property
    def params(self) -> dict[str, object]:
        """The parameters of `CHANGEABLE`."""
        return {
            "changer_guild": self.guild_id,
            "changer": self.user_id,
            "changer_moderates": self.moderator,
        }


class Hidden(enum.Enum):
    GONE = "gone"
    """Removed, never there, or another server's."""
    AGE_RESTRICTED = "age restricted"
    """There, but its rating is not allowed where the viewer is."""
    CHAPTER_GONE = "chapter gone"
    """The story is there but no longer has that chapter (it was replaced or shortened)."""
    REMOVED = "removed"
    """The story the viewer was reading here was removed; they may hear its title."""


class StoryHidden(Exception):
    """A viewer asked for a story (or a part of it) they may not see where they are."""

    def __init__(
        self,
        why: Hidden,
        rating: Rating | None = None,
        *,
        in_dms: bool = False,
        title: str = "",
    ):
        super().__init__(why, rating, in_dms, title)
        self.why, self.rating, self.in_dms, self.title = why, rating, in_dms, title


def refusal(hidden: StoryHidden) -> str:
    """What to tell the viewer, without naming what they may not see."""
    if hidden.why is Hidden.REMOVED:
        return (
            f"“{render_prose(hidden.title)}”, the story you were reading last here, was removed "
            "from the library. /progress lists the others you started."
        )
    if hidden.why is Hidden.CHAPTER_GONE:
        return "That chapter is not in the story any more: open the story again with /read."
    if hidden.why is Hidden.GONE or hidden.rating is None:
        return "That story is not in the library here any more."
    if hidden.in_dms:
        return (
            f"That story is rated {hidden.rating.value}. To read it in DMs, confirm you are an "
            "adult with `/mature-content allow:True`."
        )
    return (
        f"That story is rated {hidden.rating.value}, so it can only be read in an "
        "age-restricted channel of this server."
    )


class _Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


def check_visible(viewer: Viewer, row: _Row | None) -> None:
    """Raise StoryHidden unless `row` (a story looked up `IN_REACH`, with `RATING_ALLOWED` as
    its `rating_allowed` column and its `rating`) may be shown to `viewer`; None is a story
    out of reach."""
    if row is None:
        raise StoryHidden(Hidden.GONE)
    if not row["rating_allowed"]:
        rating = Rating(row["rating"])
        raise StoryHidden(Hidden.AGE_RESTRICTED, rating, in_dms=viewer.guild_id is None)
