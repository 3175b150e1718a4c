"""How news too long for one message is split into several."""

from __future__ import annotations

import discord
import pytest

from bot.cogs.subscriptions import News, news_messages
from bot.library.model import Rating
from bot.store import Notice
from standin.limits import BUTTON, check_components, walk_components


def _news(number: int, length: int) -> News:
    """A story's line of news of `length` characters."""
    notice = Notice(number, 1, number, f"Story {number}", "Ada", 1, 1, True, 0, Rating.TEEN, "")
    return News(f"• {number:03} ".ljust(length, "x"), (number,), notice)


def _shown(view: discord.ui.LayoutView) -> tuple[str, int]:
    """A message's text and its buttons, once the stand-in found its layout within Discord's
    limits (40 components, 4,000 characters of text, five buttons to a row)."""
    components = view.to_components()
    assert check_components(components, layout=True) == []
    every = [component for _, component in walk_components(components, "")]
    text = "".join(component.get("content", "") for component in every)
    return text, sum(component["type"] == BUTTON for component in every)


@pytest.mark.parametrize(("fourth", "lines"), [(965, [4, 2]), (966, [3, 3])])
async def test_a_message_holds_the_lines_that_fit_its_text_with_its_heading(
    fourth: int, lines: list[int]
) -> None:
    lengths = [999, 999, 999, fourth, 999, 999]
    news = [_news(number, length) for number, length in enumerate(lengths, 1)]
    sent = news_messages("New in the library", news, ping="<@&7>")
    shown = [_shown(message.view) for message in sent]
    assert [text.count("\n• ") for text, _ in shown] == lines
    assert len(shown[0][0]) == (4000 if fourth == 965 else 3034)  # up to the last character
    assert [text.split("\n")[0] for text, _ in shown] == [
        "<@&7> New in the library (1 of 2):",
        "New in the library (2 of 2):",
    ]
    assert [message.nonce for message in sent] == [1, lines[0] + 1]
    assert [len(message.notice_ids) for message in sent] == lines


async def test_each_message_names_at_most_25_stories_each_with_its_button() -> None:
    sent = news_messages("New on Story Club", [_news(n, 40) for n in range(1, 41)])
    shown = [_shown(message.view) for message in sent]
    assert [(text.count("\n• "), buttons) for text, buttons in shown] == [(25, 25), (15, 15)]
    assert shown[0][0].startswith("New on Story Club (1 of 2):\n• 001 x")
