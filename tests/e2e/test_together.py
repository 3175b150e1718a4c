"""Readers together through the Discord stand-in: kudos, the shelf, and authors' digests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.store import Store
from standin.server import Standin
from tests.conftest import BotRunner, Clock, embed_field, reader_page, story_of_buttons
from tests.e2e.test_submissions import opened, submit
from tests.samples import MARKDOWN


async def test_kudos_are_counted_once_a_reader_and_shown_where_stories_are_listed(
    storybot: BotRunner, standin: Standin
) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with storybot():
        card = await reader.slash("story info", story="Heart Broken")
        assert embed_field(card.embeds[0], "Kudos") == "♥ 0"
        given = await card.click("♥ Kudos")
        assert "You left kudos on “Heart Broken”" in given.text
        again = await card.click("♥ Kudos")
        assert "already" in again.text
        last = await other.slash("read", story="Heart Broken", page=10)
        assert reader_page(last).footer.startswith("page 10 of 10")
        await last.click("♥ Kudos")  # from the story's last page
        await (await reader.slash("story info", story="We Keep Dancing")).click("♥ Kudos")
        card = await reader.slash("story info", story="Heart Broken")
        assert embed_field(card.embeds[0], "Kudos") == "♥ 2"
        listed = await reader.slash("stories", sort="kudos")
        lines = [line for line in listed.text.splitlines() if "♥" in line]
        assert lines[0].endswith("♥ 2") and lines[1].endswith("♥ 1")
        assert "Heart Broken" in listed.text.split("♥ 2")[0]


async def test_a_reader_bookmarks_with_a_note_marks_another_for_later_and_opens_both(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot() as bot:
        card = await reader.slash("story info", story="Heart Broken")
        form = await card.click("Bookmark")
        saved = await form.submit_modal(
            {"A note (optional)": "Read it for the *ending* @everyone", "Who sees it": ["public"]}
        )
        assert "Bookmarked “Heart Broken” (shown on its card in this server)" in saved.text
        later = await (await reader.slash("story info", story="We Keep Dancing")).click(
            "Mark for later"
        )
        assert "Marked “We Keep Dancing” for later" in later.text
        await reader.slash("read", story="Heart Broken", page=3)
        await bot.store.flush()  # their place is written just after the page is shown
        shelf = await reader.slash("shelf")
        assert "Heart Broken** by" in shelf.text and "chapter 1, page 3" in shelf.text
        assert "Read it for the \\*ending\\* \\@everyone" in shelf.text  # escaped, pings no one
        assert "We Keep Dancing** by" in shelf.text and "for later · not started" in shelf.text
        opened = await shelf.select("Heart Broken")
        assert reader_page(opened).footer.startswith("page 3 of")  # where they were
        started = await shelf.select("We Keep Dancing")
        assert reader_page(started).footer.startswith("page 1 of")
        seen = await standin.user("reader2").slash("story info", story="Heart Broken")
        shown = embed_field(seen.embeds[0], "Bookmarked here by")
        assert f"<@{reader.user.id}>" in shown and "for the \\*ending\\*" in shown


async def test_a_private_bookmark_is_not_shown_to_others_and_a_bookmark_is_kept_once(
    storybot: BotRunner, standin: Standin
) -> None:
    reader = standin.user("reader")
    async with storybot():
        first = await reader.slash("bookmark", story="Heart Broken", note="mine")
        assert "(only for you)" in first.text
        second = await reader.slash("bookmark", story="Heart Broken", note="still mine")
        assert "Updated your bookmark" in second.text
        shelf = await reader.slash("shelf")
        assert shelf.text.count("Heart Broken") == 1 and "still mine" in shelf.text
        seen = await standin.user("reader2").slash("story info", story="Heart Broken")
        assert "Bookmarked here by" not in seen.text


async def test_a_story_hidden_here_stays_off_the_shelf_and_cannot_get_kudos(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        mature = MARKDOWN.replace(b"rating: General Audiences", b"rating: Mature")
        upload = await moderator.slash("upload", file=standin.attachment("m.md", mature))
        await upload.click("Confirm")
        card = await reader.slash("story info", story="The Lighthouse Keeper", where="nsfw-reading")
        await card.click("Mark for later")
        shelf = await reader.slash("shelf")  # in a channel that is not age-restricted
        assert "Lighthouse" not in shelf.text and "can be shown here" in shelf.text
        refused = await reader.forge(f"kudos:{story_of_buttons(card, 'kudos:')}")
        assert "rated Mature" in refused.text


async def test_an_author_hears_of_kudos_once_a_day_in_one_digest(
    storybot: BotRunner, standin: Standin, clock: Clock
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    dm = standin.world.dm_channel(writer.user)

    def digests() -> list[str]:
        return [m.text for m in standin.messages(dm) if "since yesterday" in m.text]

    async def kudos_from(name: str) -> None:
        card = await standin.user(name).slash("story info", story="The Lighthouse Keeper")
        await card.click("♥ Kudos")

    async with storybot() as bot:
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        await (await opened(moderator, "The Lighthouse Keeper")).click("Approve")
        together = bot.get_cog("Together")
        await together.send_digests()
        assert digests() == []  # nothing to tell yet
        await kudos_from("reader2")
        await kudos_from("moderator")
        await moderator.slash("settings discussion-channel", channel="general")
        await standin.user("reader2").slash("discuss", story="The Lighthouse Keeper")
        (thread,) = standin.threads("general")
        for text in ("That ending!", "The lamp, though."):
            await standin.user("reader2").say(text, where=thread)
        await standin.user("moderator").say("Elsewhere, not counted.")
        await _counted(bot.store, clock, 2)
        await together.send_digests()
        await standin.until(digests, "the digest")
        assert "“The Lighthouse Keeper”: 2 kudos, 2 new messages in its discussions" in digests()[0]
        clock.now += timedelta(hours=2)
        await kudos_from("reader")
        await together.send_digests()  # within the day: it waits for tomorrow
        assert len(digests()) == 1
        clock.now += timedelta(days=1)
        await together.send_digests()
        await standin.until(lambda: len(digests()) == 2, "the next day's digest")
        assert "“The Lighthouse Keeper”: 1 kudos" in digests()[1]


async def _counted(store: Store, clock: Clock, messages: int) -> None:
    """Wait until the bot has counted `messages` in discussions (it hears of them through its
    gateway, with no reply to wait for)."""
    before = (clock.now + timedelta(days=1)).isoformat()
    for _ in range(100):
        await store.flush()
        digests = await store.due_digests(before)
        if digests and sum(line[2] for line in digests[0].lines) >= messages:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the bot did not count {messages} messages")
