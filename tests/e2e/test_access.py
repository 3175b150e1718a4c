"""Who may see and change a story, on every path: old buttons and menus after a removal or a
rating change, a second server, and forged interactions a hostile client could send."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from bot.access import Viewer
from bot.app import StoryBot
from bot.library.model import ChapterDraft, Rating, StoryDraft
from standin.driver import Person, Reply
from standin.server import Standin
from standin.world import MODERATOR_PERMISSIONS, Role
from tests.conftest import BotRunner, reader_page, unescaped

GONE = "That story is not in the library here any more."
RESTRICTED = "rated Explicit, so it can only be read in an age-restricted channel"
OUT_OF_DATE = "That button is out of date"

LIGHTHOUSE = StoryDraft(
    title="The Lighthouse Keeper",
    author="Ada Quill",
    rating=Rating.GENERAL,
    chapters=tuple(
        ChapterDraft(
            f"Lamp {n}",
            "\n\n".join(
                f"Lamp {n} paragraph {p}: the lighthouse keeper climbed the stairs. " * 6
                for p in range(12)
            ),
        )
        for n in range(1, 4)
    ),
)


async def _upload(bot: StoryBot, standin: Standin, draft: StoryDraft = LIGHTHOUSE) -> int:
    """A story uploaded to Story Club by its moderator."""
    return await bot.store.add_upload(
        standin.world.guild("Story Club").id,
        draft,
        content_hash=draft.title,
        user_id=standin.world.user("moderator").id,
        page_size=bot.settings.page_size,
    )


async def _remove(moderator: Person, title: str) -> None:
    asked = await moderator.slash("library remove", story=title)
    assert "Removed" in (await asked.click("Remove it")).text


async def _places_saved(bot: StoryBot, standin: Standin, name: str, count: int) -> None:
    """Wait for a reader's places to be written: a page is answered while its place is saved."""
    reader = Viewer(standin.world.user(name).id, standin.world.guild("Story Club").id, True)
    for _ in range(500):
        if len(await bot.store.bookmarks(reader)) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name}'s places were not saved")


def _refused(reply: Reply, sentence: str) -> None:
    """The reader got a private sentence, and no page, card or excerpt."""
    assert reply.ephemeral
    assert sentence in reply.text, reply.text
    assert "Lamp 1 paragraph" not in reply.text


async def test_every_old_button_of_a_removed_story_says_it_is_gone(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader, other = (standin.user(name) for name in ("moderator", "reader", "reader2"))
    async with storybot() as bot:
        await _upload(bot, standin)
        along = await reader.slash("read", story="The Lighthouse Keeper", public=True)
        offered = await along.click("Next ▶", as_user=other)  # someone else's read-along
        assert "belongs to" in offered.text
        own = await reader.slash("read", story="The Lighthouse Keeper")
        card = await reader.slash("story info", story="The Lighthouse Keeper")
        hits = await reader.slash("search", query="lighthouse keeper climbed")
        excerpt = await reader.slash("excerpt", story="The Lighthouse Keeper")
        listing = await reader.slash("stories")
        await _remove(moderator, "The Lighthouse Keeper")

        shown_before = reader_page(own)
        _refused(await own.click("Next ▶"), GONE)
        assert reader_page(own) == shown_before  # the old page stays as it was
        _refused(await own.click("Chapter »"), GONE)
        _refused(await own.select("2. Lamp 2"), GONE)
        _refused(await along.click("Next ▶"), GONE)
        _refused(await offered.click("Open my copy", as_user=other), GONE)
        _refused(await card.click("Start reading"), GONE)
        _refused(await hits.click("Read #1"), GONE)
        _refused(await excerpt.click("Read from here"), GONE)
        _refused(await listing.select("The Lighthouse Keeper"), GONE)
        pages = int(re.search(r"page 1 of (\d+)", reader_page(own).footer)[1])
        jump = await own.click("Page…")
        _refused(await jump.submit_modal({f"Page (1–{pages})": "2"}), GONE)
        _refused(
            await reader.slash("continue"), "the story you were reading last here, was removed"
        )


async def test_old_buttons_follow_a_rating_change(storybot: BotRunner, standin: Standin) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        story_id = await _upload(bot, standin)
        own = await reader.slash("read", story="The Lighthouse Keeper")
        card = await reader.slash("story info", story="The Lighthouse Keeper")
        hits = await reader.slash("search", query="lighthouse keeper climbed")
        excerpt = await reader.slash("excerpt", story="The Lighthouse Keeper")
        await reader.slash("subscribe story", story="The Lighthouse Keeper")
        form = await standin.user("moderator").slash("library edit", story="The Lighthouse Keeper")
        await form.submit_modal({"Rating": ["Explicit"]})
        _refused(await own.click("Next ▶"), RESTRICTED)
        _refused(await own.select("3. Lamp 3"), RESTRICTED)
        _refused(await own.click("Chapter »"), RESTRICTED)
        _refused(await card.click("Start reading"), RESTRICTED)
        _refused(await hits.click("Read #1"), RESTRICTED)
        _refused(await excerpt.click("Read from here"), RESTRICTED)
        assert "Lighthouse" not in (await excerpt.click("Another")).text
        assert "Lighthouse" not in (await reader.slash("progress")).text
        followed = await reader.slash("subscriptions")
        assert "Story: a story not shown here" in unescaped(followed.text)
        assert "Lighthouse" not in followed.text + str(followed.components)
        suggested = await reader.autocomplete("read", "story", "Lighthouse")
        assert suggested == []
        allowed = await reader.slash("read", story=str(story_id), where="nsfw-reading")
        assert "Lamp 1 paragraph 0" in reader_page(allowed).text


@pytest.fixture
def two_moderated_servers(standin: Standin) -> Person:
    """reader2 moderates Other Club (and is an ordinary member of Story Club)."""
    other = standin.world.guild("Other Club")
    other.roles.append(Role("Moderator", MODERATOR_PERMISSIONS))
    other.members["reader2"] = ["Moderator"]
    return standin.user("reader2", guild="Other Club")


async def test_a_moderator_of_another_server_cannot_remove_or_restore_a_story(
    storybot: BotRunner, standin: Standin, two_moderated_servers: Person
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    elsewhere = two_moderated_servers
    async with storybot() as bot:
        story_id = await _upload(bot, standin)
        refused = await elsewhere.forge(f"story:remove:{story_id}")
        assert refused.ephemeral
        assert "not one you may change here" in refused.text
        assert "Lamp 1" in (await reader.slash("read", story="The Lighthouse Keeper")).text
        await _remove(moderator, "The Lighthouse Keeper")
        refused = await elsewhere.forge(f"story:undo:{story_id}")
        assert refused.ephemeral and "not one you may change here" in refused.text
        gone = await reader.slash("read", story="The Lighthouse Keeper")
        assert "couldn't find a story called" in gone.text
        history = await moderator.slash("library history", story="The Lighthouse Keeper")
        assert "restore" not in history.text


async def test_the_chapter_menu_shows_no_titles_of_a_story_not_visible_here(
    storybot: BotRunner, standin: Standin
) -> None:
    elsewhere = standin.user("reader2", guild="Other Club")
    long_story = replace(
        LIGHTHOUSE,
        chapters=tuple(ChapterDraft(f"Secret {n}", "The lamp was lit.") for n in range(1, 41)),
    )
    async with storybot() as bot:
        story_id = await _upload(bot, standin, long_story)
        owner = standin.world.user("reader2").id
        for window in ("w1", "w30"):
            refused = await elsewhere.forge(f"rdch:{owner}:{story_id}:1:1", window)
            assert refused.ephemeral
            assert GONE in refused.text
            assert "Secret" not in str(refused.components) + refused.text


@pytest.mark.parametrize(
    ("custom_id", "values"),
    [
        ("rd:next:{owner}:99999999999999999999999:1:1", ()),
        ("rd:next:{owner}:-1:1:1", ()),
        ("rd:next:{owner}:1:abc:1", ()),
        ("rdopen:1:1:18446744073709551616", ()),
        ("br:{owner}:1:-8", ()),
        ("exmore:x:0", ()),
        ("brinfo", ("not-a-number",)),
        ("brinfo", ("99999999999999999999999",)),
        ("rdch:{owner}:1:1:1", ("w-3",)),
        ("rdch:{owner}:1:1:1", ("12345678901234567890123",)),
        ("progress:continue:{owner}", ("x",)),
        ("progress:forget:{owner}", ("-1",)),
    ],
)
async def test_forged_numbers_get_a_polite_reply(
    storybot: BotRunner, standin: Standin, custom_id: str, values: tuple[str, ...]
) -> None:
    reader = standin.user("reader")
    async with storybot():
        forged = custom_id.format(owner=standin.world.user("reader").id)
        reply = await reader.forge(forged, *values)
        assert reply.ephemeral
        assert OUT_OF_DATE in reply.text, reply.text


async def test_another_servers_listing_id_shows_nothing_typed_there(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    elsewhere = standin.user("reader2", guild="Other Club")
    async with storybot():
        listing = await reader.slash("stories", tag="my secret crush")
        button = next(
            c["custom_id"]
            for row in listing.components
            for c in row["components"]
            if c.get("custom_id", "").startswith("br:")
        )
        query_id = button.split(":")[2]
        owner = standin.world.user("reader2").id
        forged = await elsewhere.forge(f"br:{owner}:{query_id}:0")
        assert forged.ephemeral
        assert "my secret crush" not in forged.text
        assert "too old" in forged.text


async def test_forget_every_story_forgets_only_what_the_list_showed(
    storybot: BotRunner, standin: Standin
) -> None:
    here = standin.user("reader2")
    elsewhere = standin.user("reader2", guild="Other Club")
    async with storybot() as bot:
        await _upload(bot, standin)
        await here.slash("read", story="The Lighthouse Keeper")
        await elsewhere.slash("read", story="Heart Broken")
        await _places_saved(bot, standin, "reader2", 2)
        progress = await elsewhere.slash("progress")
        assert "Lighthouse" not in progress.text
        asked = await progress.select("all")
        assert "Forget your place in every story listed here?" in asked.text
        forgot = await asked.click("Forget them")
        assert "Forgot your place in 1 story" in forgot.text
        kept = await here.slash("progress")
        assert "The Lighthouse Keeper" in kept.text
        assert "Heart Broken" not in kept.text


async def test_a_moderator_role_withdrawn_before_confirm_saves_nothing(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    text = b"Chapter 1: The Lamp\n\nThe lamp had not gone out in forty years.\n"
    async with storybot():
        preview = await moderator.slash("upload", file=standin.attachment("lamp.txt", text))
        standin.world.guild("Story Club").members["moderator"] = []
        done = await preview.click("Confirm")
        assert "no longer a moderator" in done.text
        refused = await reader.slash("read", story="Lamp")
        assert "couldn't find a story called" in refused.text


async def test_a_nul_in_autocomplete_is_answered(storybot: BotRunner, standin: Standin) -> None:
    reader = standin.user("reader")
    async with storybot():
        choices = await reader.autocomplete("read", "story", "Hea\x00rt")
        assert isinstance(choices, list)
        choices = await reader.autocomplete("read", "story", "\x00")
        assert isinstance(choices, list)


async def test_news_of_an_explicit_story_names_it_only_where_it_may_be_shown(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader, adult = (standin.user(name) for name in ("moderator", "reader", "reader2"))
    explicit = replace(LIGHTHOUSE, title="After Dark", rating=Rating.EXPLICIT)
    async with storybot() as bot:
        await reader.slash("subscribe all")
        await adult.slash("subscribe all")
        await adult.slash("mature-content", allow=True, where="dm")
        await moderator.slash("announce set", channel="announcements")
        await _upload(bot, standin, explicit)
        await bot.get_cog("Subscriptions").deliver_pending()
        told, announced = standin.dms(reader)[0], standin.messages("announcements")[0]
        for message in (told, announced):
            assert "After Dark" not in message.text
            assert "1 more story, rated Mature, Explicit or Not Rated" in message.text
        assert "/mature-content" in told.text
        assert "“After Dark” by Ada Quill" in standin.dms(adult)[0].text
        assert await bot.store.outbox_counts() == {"sent": 3}


async def test_a_moderator_role_withdrawn_before_saving_an_edit_saves_nothing(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot() as bot:
        await _upload(bot, standin)
        form = await moderator.slash("library edit", story="The Lighthouse Keeper")
        standin.world.guild("Story Club").members["moderator"] = []
        refused = await form.submit_modal({"Title": "Renamed"})
        assert "no longer one you may change" in refused.text
        card = await reader.slash("story info", story="The Lighthouse Keeper")
        assert card.embeds[0]["title"] == "The Lighthouse Keeper"


@pytest.mark.parametrize(
    ("custom_id", "values"),
    [
        ("br:{owner}:{query}:0", ()),
        ("progress:forget:{owner}", ("all",)),
        ("progress:continue:{owner}", ("{story}",)),
        ("subs:remove:{owner}", ("all:",)),
        ("subs:delivery:{owner}", ("mention",)),
    ],
)
async def test_someone_elses_menu_is_refused_and_changes_nothing(
    storybot: BotRunner, standin: Standin, custom_id: str, values: tuple[str, ...]
) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with storybot() as bot:
        opened = await reader.slash("read", story="Heart Broken", where="nsfw-reading")
        await reader.slash("subscribe all")
        listing = await reader.slash("stories", tag="angst")
        query = next(
            c["custom_id"].split(":")[2]
            for row in listing.components
            for c in row["components"]
            if c.get("custom_id", "").startswith("br:")
        )
        owner = standin.world.user("reader").id
        story = re.search(r"rd:next:\d+:(\d+):", str(opened.components))[1]
        fill = {"owner": owner, "query": query, "story": story}
        await _places_saved(bot, standin, "reader", 1)
        refused = await other.forge(
            custom_id.format(**fill), *(value.format(**fill) for value in values)
        )
        assert refused.ephemeral
        assert "someone else's" in refused.text
        assert "Heart Broken" not in refused.text
        assert "Heart Broken" in (await reader.slash("progress", where="nsfw-reading")).text
        followed = await reader.slash("subscriptions")
        assert "Everything new on this server" in unescaped(followed.text)
        assert "told by DMs" in followed.text
