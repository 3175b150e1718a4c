"""Excerpts in the store: stored with their chapters, slots without gaps, fair random draws."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from bot.access import Viewer
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind
from bot.store import Store
from tests.conftest import ANYONE


def _story(
    title: str, paragraphs: int, rating: Rating = Rating.GENERAL, **kw: object
) -> StoryDraft:
    text = "\n\n".join(
        f"{title} paragraph {n}. " + "Words of the tale go on. " * 14 for n in range(paragraphs)
    )
    return StoryDraft(title=title, chapters=(ChapterDraft("One", text),), rating=rating, **kw)  # type: ignore[arg-type]


async def _add(
    store: Store, draft: StoryDraft, content: str = "v1", guild_id: int | None = None
) -> int:
    _, story_id = await store.save_story(
        draft, source_key=draft.title, content_hash=content, guild_id=guild_id, page_size=1800
    )
    return story_id


def _slots(path: Path) -> list[int]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT slot FROM excerpt ORDER BY slot")]


async def test_excerpt_text_is_whole_paragraphs_of_the_chapter(store: Store) -> None:
    story_id = await _add(store, _story("Alpha", 12))
    excerpt = await store.draw_excerpt(Viewer(0, None, False))
    assert excerpt is not None
    assert excerpt.story_id == story_id
    assert excerpt.text.startswith("Alpha paragraph ")
    assert excerpt.text in (await store.chapter_texts(story_id))[0]
    assert 300 <= len(excerpt.text) <= 1200


async def test_slots_stay_without_gaps_when_stories_change(store: Store, tmp_path: Path) -> None:
    await _add(store, _story("Alpha", 12))
    await _add(store, _story("Beta", 20))
    await _add(store, _story("Gamma", 8))
    await _add(store, _story("Alpha", 4), content="v2")  # fewer excerpts than before
    slots = _slots(tmp_path / "library.db")
    assert slots == list(range(1, len(slots) + 1))
    assert await store.excerpt_count() == len(slots)


async def test_draws_are_uniform_over_what_is_allowed(store: Store) -> None:
    await _add(store, _story("Alpha", 6))
    await _add(store, _story("Beta", 6))
    await _add(store, _story("Dark", 30, Rating.EXPLICIT))
    allowed = await store.excerpt_count() - 30  # every paragraph here is an excerpt
    seen = Counter()
    for _ in range(1200):
        excerpt = await store.draw_excerpt(Viewer(0, None, False))
        assert excerpt is not None
        seen[excerpt.id] += 1
    assert {e.split()[0] for e in [(await store.excerpt(ANYONE, i)).story_title for i in seen]} == {
        "Alpha",
        "Beta",
    }  # type: ignore[union-attr]
    assert len(seen) == allowed == 12
    assert min(seen.values()) > 1200 / allowed * 0.5


async def test_draw_filters_by_story_tag_author_and_guild(store: Store) -> None:
    alpha = await _add(store, _story("Alpha", 6, tags={TagKind.FREEFORM: ("Fluff",)}))
    await _add(store, _story("Beta", 6, author="Bea"))
    ours = await _add(store, _story("Ours", 6), guild_id=5)
    assert (await store.draw_excerpt(Viewer(0, None, False), story_id=alpha)).story_id == alpha  # type: ignore[union-attr]
    assert (await store.draw_excerpt(Viewer(0, None, False), tag="fluff")).story_id == alpha  # type: ignore[union-attr]
    assert (await store.draw_excerpt(Viewer(0, None, False), author="bea")).story_title == "Beta"  # type: ignore[union-attr]
    assert await store.draw_excerpt(Viewer(0, None, False), story_id=ours) is None
    assert await store.draw_excerpt(Viewer(0, 7, False), tag="nothing") is None
    titles = {(await store.draw_excerpt(Viewer(0, 5, False))).story_title for _ in range(60)}  # type: ignore[union-attr]
    assert titles == {"Alpha", "Beta", "Ours"}


async def test_an_empty_library_draws_nothing(store: Store) -> None:
    assert await store.draw_excerpt(Viewer(0, None, True)) is None
