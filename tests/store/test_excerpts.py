"""Excerpts in the store: stored with their chapters, slots without gaps, fair random draws."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from bot.access import Changer, Viewer
from bot.library.model import ChapterDraft, Rating, StoryDraft, TagKind
from bot.store import Store
from tests.conftest import ANYONE
from tests.samples import database


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


async def _slots(store: Store) -> list[int]:
    rows = await database(store).fetch_all("SELECT slot FROM excerpt ORDER BY slot")
    return [row[0] for row in rows]


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
    slots = await _slots(store)
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
    by_bea = {(await store.draw_excerpt(Viewer(0, None, False), author="bea ")) for _ in range(20)}
    assert {excerpt.story_title for excerpt in by_bea if excerpt} == {"Beta"}
    assert await store.draw_excerpt(Viewer(0, None, False), author="nobody") is None
    assert await store.draw_excerpt(Viewer(0, None, False), story_id=ours) is None
    assert await store.draw_excerpt(Viewer(0, 7, False), tag="nothing") is None
    titles = {(await store.draw_excerpt(Viewer(0, 5, False))).story_title for _ in range(60)}  # type: ignore[union-attr]
    assert titles == {"Alpha", "Beta", "Ours"}


async def test_an_empty_library_draws_nothing(store: Store) -> None:
    assert await store.draw_excerpt(Viewer(0, None, True)) is None


async def _excerpt_ids(store: Store, story_id: int) -> list[int]:
    """The ids of a story's excerpts, in order."""
    query = "SELECT id FROM excerpt WHERE story_id = ? ORDER BY id"
    return [row[0] for row in await database(store).fetch_all(query, (story_id,))]


async def test_an_excerpt_is_shown_only_where_its_story_may_be(
    store: Store, tmp_path: Path
) -> None:
    general = await _add(store, _story("Alpha", 2))
    dark = await _add(store, _story("Dark", 2, Rating.EXPLICIT))
    ours = await _add(store, _story("Ours", 2), guild_id=5)
    everywhere = Viewer(0, 5, True)
    alpha, explicit, own = [(await _excerpt_ids(store, s))[0] for s in (general, dark, ours)]
    assert (await store.excerpt(Viewer(0, None, False), alpha)).story_title == "Alpha"  # type: ignore[union-attr]
    assert await store.excerpt(Viewer(0, None, False), explicit) is None
    assert (await store.excerpt(Viewer(0, None, True), explicit)).text.startswith("Dark")  # type: ignore[union-attr]
    assert await store.excerpt(Viewer(0, None, True), own) is None
    assert (await store.excerpt(everywhere, own)).story_id == ours  # type: ignore[union-attr]
    await store.remove_story(ours, Changer(5, 1, True))
    assert await store.excerpt(everywhere, own) is None


async def _post(store: Store, guild_id: int, excerpt_id: int, day: str) -> None:
    await store.claim_daily_post(
        guild_id, date.fromisoformat(day), excerpt_id=excerpt_id, channel_id=1, late=False
    )


async def _drawn(store: Store, viewer: Viewer, since: str, **filters: object) -> set[int]:
    """Every excerpt a good many draws give."""
    drawn = [
        await store.draw_excerpt(viewer, not_posted_since=since, **filters)  # type: ignore[arg-type]
        for _ in range(60)
    ]
    return {excerpt.id for excerpt in drawn if excerpt}


async def test_a_draw_leaves_out_the_guilds_daily_posts_since_a_day(
    store: Store, tmp_path: Path
) -> None:
    story_id = await _add(store, _story("Alpha", 3))
    first, second, third = await _excerpt_ids(store, story_id)
    await _post(store, 5, first, "2026-06-01")
    await _post(store, 5, second, "2026-06-03")
    guild = Viewer(0, 5, False)
    assert await _drawn(store, guild, "2026-06-01") == {third}
    assert await _drawn(store, guild, "2026-06-01", story_id=story_id) == {third}
    assert await _drawn(store, guild, "2026-06-02") == {first, third}
    assert await _drawn(store, guild, "2026-06-03") == {first, third}
    assert await _drawn(store, guild, "2026-06-04") == {first, second, third}
    assert await _drawn(store, Viewer(0, 7, False), "2026-06-01") == {first, second, third}
    await _post(store, 5, third, "2026-06-02")
    assert await store.draw_excerpt(guild, not_posted_since="2026-06-01") is None


async def test_when_every_excerpt_was_posted_the_least_recent_comes_again(
    store: Store, tmp_path: Path
) -> None:
    tagged = await _add(store, _story("Alpha", 3, tags={TagKind.FREEFORM: ("Fluff",)}))
    other = await _add(store, _story("Beta", 2))
    first, second, third = await _excerpt_ids(store, tagged)
    fourth, fifth = await _excerpt_ids(store, other)
    guild = Viewer(0, 5, False)
    for excerpt_id, day in [
        (second, "2026-06-01"),
        (first, "2026-06-02"),
        (third, "2026-06-03"),
        (fourth, "2026-06-04"),
        (fifth, "2026-05-01"),
        (second, "2026-06-05"),  # posted again since
    ]:
        await _post(store, 5, excerpt_id, day)
    await _post(store, 7, first, "2026-01-01")  # another guild's post changes nothing here
    assert (await store.least_recent_daily_excerpt(guild)).id == fifth  # type: ignore[union-attr]
    assert (await store.least_recent_daily_excerpt(guild, tag="fluff ")).id == first  # type: ignore[union-attr]
    never = await _add(store, _story("Gamma", 1))
    (new,) = await _excerpt_ids(store, never)
    assert (await store.least_recent_daily_excerpt(guild)).id == new  # type: ignore[union-attr]
    assert await store.least_recent_daily_excerpt(guild, tag="nothing") is None
