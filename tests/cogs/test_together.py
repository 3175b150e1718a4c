"""The pure parts of readers together: a discussion thread's name and an author's digest."""

from __future__ import annotations

from bot.cogs.together import digest_text
from bot.store import Chapter, Digest
from bot.ui.together import thread_name


def _chapter(title: str, story: str = "Heart Broken", number: int = 3) -> Chapter:
    return Chapter(id=1, story_id=2, story_title=story, number=number, title=title, rating="")


def test_a_thread_is_named_after_its_story_and_chapter_within_discords_limit() -> None:
    assert thread_name(_chapter("The Rain")) == "Heart Broken — Chapter 3: The Rain"
    assert thread_name(_chapter("Chapter 3: The Rain")) == "Heart Broken — Chapter 3: The Rain"
    long = thread_name(_chapter("rain " * 60, story="Heart " * 60))
    assert 90 <= len(long) <= 100 and long.endswith("rain…")
    assert long.startswith("Heart Heart") and " — Chapter 3: rain rain" in long


def test_a_digest_names_each_storys_news_in_one_message() -> None:
    digest = Digest(7, 8, (("Ours", 3, 0), ("*Theirs*", 0, 1), ("Both", 1, 12)))
    text = digest_text(digest, "Story Club")
    assert text.splitlines() == [
        "Your stories on Story Club since yesterday:",
        "• “Ours”: 3 kudos",
        "• “\\*Theirs\\*”: 1 new message in its discussions",
        "• “Both”: 1 kudos, 12 new messages in its discussions",
    ]
