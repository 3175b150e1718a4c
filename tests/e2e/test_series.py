"""Series through the Discord stand-in: a card says which part a story is and leads to the
next part the reader may see there, after a restart too; /stories lists a series in order."""

from __future__ import annotations

from standin.driver import Reply
from standin.limits import walk_components
from standin.server import Standin
from tests.conftest import BotRunner, embed_field
from tests.e2e.test_uploads import upload


def _part(title: str, part: int, rating: str = "General Audiences") -> bytes:
    return (
        f"---\ntitle: {title}\nauthor: Ada Quill\nrating: {rating}\nseries: Keepers\n"
        f"series_part: {part}\n---\n\nThe lamp burned on in part {part}.\n"
    ).encode()


def _buttons(reply: Reply) -> list[str]:
    return [c["label"] for _, c in walk_components(reply.components, "") if c.get("label")]


async def test_a_card_leads_to_the_next_part_the_reader_may_see_and_stories_lists_the_series(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        for title, part, rating in (
            ("The Lamp", 1, "General Audiences"),
            ("The Storm", 2, "Mature"),
            ("The Morning", 3, "General Audiences"),
        ):
            preview = await upload(moderator, standin, f"{part}.md", _part(title, part, rating))
            await preview.click("Confirm")
        card = await reader.slash("story info", story="The Lamp", where="nsfw-reading")
        here = await reader.slash("story info", story="The Lamp")
        listed = await reader.slash("stories", series="keepers", sort="length")
        suggested = await reader.autocomplete("stories", "series", "kee")
    assert embed_field(card.embeds[0], "Series") == "Part 1 of Keepers"
    assert "Next: Part 2 · The Storm" in _buttons(card)
    # the Mature part is not offered in a normal channel: the next one it may see is
    assert _buttons(here) == [
        "Start reading",
        "♥ Kudos",
        "Bookmark",
        "Mark for later",
        "Next: Part 3 · The Morning",
    ]
    description = listed.embeds[0]["description"]
    assert description.index("The Lamp") < description.index("The Morning")
    assert "The Storm" not in description
    assert [choice["value"] for choice in suggested] == ["Keepers"]
    async with storybot():  # the button still works after a restart
        following = await here.click("Next: Part 3 · The Morning")
    assert following.embeds[0]["title"] == "The Morning"
    assert embed_field(following.embeds[0], "Series") == "Part 3 of Keepers"
