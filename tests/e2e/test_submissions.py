"""Members' own stories through the Discord stand-in: submitting, the review queue, decisions
and what their authors hear."""

from __future__ import annotations

import asyncio

from standin.driver import Person, Reply
from standin.server import Standin
from standin.world import Role
from tests.conftest import BotRunner, reader_page
from tests.samples import MARKDOWN, MORE_CHAPTERS

LIGHTHOUSE = "The Lighthouse Keeper"
SECOND = b"""---
title: The Glass Orchard
rating: Teen And Up Audiences
---

## One

The orchard had been glass for a hundred years, and it rang when the wind came through.
"""


def writers(standin: Standin, *names: str) -> None:
    """Story Club has a Writer role, and `names` have it."""
    club = standin.world.guild("Story Club")
    club.roles.append(Role("Writer", 0))
    for name in names:
        club.members[name] = ["Writer"]


async def submit(member: Person, standin: Standin, name: str, data: bytes, **options: str) -> Reply:
    """Send a file with /submit and confirm its preview."""
    preview = await member.slash("submit", file=standin.attachment(name, data), **options)
    return await preview.click("Confirm")


async def opened(moderator: Person, title: str) -> Reply:
    """The moderator's /review, with the submission called `title` opened."""
    queue = await moderator.slash("review")
    (label,) = [
        option["label"]
        for row in queue.components
        for item in row["components"]
        for option in item.get("options", [])
        if title in option["label"]
    ]
    return await queue.select(label)


async def test_a_writers_story_waits_for_review_then_is_published_as_theirs(
    storybot: BotRunner, standin: Standin
) -> None:
    writers(standin, "reader")
    moderator, writer, reader = (standin.user(name) for name in ("moderator", "reader", "reader2"))
    async with storybot():
        await moderator.slash("settings submissions", who="role", role="Writer")
        await moderator.slash("announce set", channel="announcements")
        refused = await reader.slash("submit", file=standin.attachment("mine.md", MARKDOWN))
        assert "Only members with" in refused.text and refused.ephemeral
        sent = await submit(writer, standin, "lighthouse.md", MARKDOWN)
        assert "Sent “The Lighthouse Keeper” to the moderators for review" in sent.text
        hidden = await reader.slash("read", story="The Lighthouse Keeper")
        assert "couldn't find a story called" in hidden.text  # nothing of it before approval
        review = await opened(moderator, "The Lighthouse Keeper")
        assert "The lamp had not gone out in forty years" in review.text
        assert "page 1 of" in review.text
        approved = await review.click("Approve")
        assert "Approved “The Lighthouse Keeper”" in approved.text
        announced = await standin.wait_for_message("announcements")
        assert "The Lighthouse Keeper" in announced.text
        page = await reader.slash("read", story="The Lighthouse Keeper")
        assert reader_page(page).title == "The Lighthouse Keeper"
        info = await reader.slash("story info", story="The Lighthouse Keeper")
        assert f"<@{writer.user.id}>" in info.text  # the member, as named now
        assert "by Reader" in info.text  # the name shown when it was submitted
        told = await standin.wait_for_message(standin.world.dm_channel(writer.user))
        assert "“The Lighthouse Keeper” was approved" in told.text

        # A new chapter waits for review as the story did, then is published.
        more = await submit(
            writer, standin, "more.txt", MORE_CHAPTERS, story="The Lighthouse Keeper"
        )
        assert "for review" in more.text
        early = await reader.slash("read", story="The Lighthouse Keeper", chapter=3)
        assert "Tobias" not in early.text
        await (await opened(moderator, "#2")).click("Approve")
        later = await reader.slash("read", story="The Lighthouse Keeper", chapter=4)
        assert "Tobias" in reader_page(later).text
        told = await standin.wait_for_message(
            standin.world.dm_channel(writer.user), check=lambda dm: "chapters 3–5" in dm.text
        )
        assert "were approved" in told.text
        nothing = await moderator.slash("review")
        assert "No submissions are waiting" in nothing.text


async def test_a_rejected_submission_is_never_shown_and_its_author_hears_why(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "orchard.md", SECOND)
        review = await opened(moderator, "The Glass Orchard")
        stale = await opened(moderator, "The Glass Orchard")  # opened twice: one goes stale
        form = await review.click("Reject…")
        done = await form.submit_modal({"Reason, for the author": "It reads as a draft."})
        assert "Rejected “The Glass Orchard”" in done.text
        told = await standin.wait_for_message(standin.world.dm_channel(writer.user))
        assert "was not accepted" in told.text and "> It reads as a draft." in told.text
        hidden = await standin.user("reader2").slash("read", story="The Glass Orchard")
        assert "couldn't find a story called" in hidden.text
        mine = await writer.slash("mywork")
        assert "“The Glass Orchard”: not accepted" in mine.text
        again = await stale.click("Approve")
        assert "was rejected by" in again.text


async def test_a_trusted_writers_chapters_skip_the_queue_but_their_stories_do_not(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings submissions", who="everyone")
        await moderator.slash("settings trusted-writer", member="reader")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        await (await opened(moderator, "The Lighthouse Keeper")).click("Approve")
        more = await submit(
            writer, standin, "more.txt", MORE_CHAPTERS, story="The Lighthouse Keeper"
        )
        assert "Published chapters 3–5" in more.text
        page = await standin.user("reader2").slash("read", story="The Lighthouse Keeper", chapter=4)
        assert "Tobias" in reader_page(page).text
        nothing = await moderator.slash("review")
        assert "No submissions are waiting" in nothing.text


async def test_two_moderators_approving_at_once_publish_once(
    storybot: BotRunner, standin: Standin
) -> None:
    club = standin.world.guild("Story Club")
    club.members["reader2"] = ["Moderator"]
    moderator, second, writer = (standin.user(name) for name in ("moderator", "reader2", "reader"))
    async with storybot() as bot:
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        first_view = await opened(moderator, "The Lighthouse Keeper")
        second_view = await opened(second, "The Lighthouse Keeper")
        answers = await asyncio.gather(first_view.click("Approve"), second_view.click("Approve"))
        texts = sorted(answer.text for answer in answers)
        assert texts[0].startswith("Approved “The Lighthouse Keeper”")
        assert "was approved by" in texts[1] and "already" in texts[1]
        stories = await bot.store.authors_stories(club.id, writer.user.id)
        assert [story.title for story, _ in stories] == ["The Lighthouse Keeper"]


async def test_a_restart_between_submitting_and_approving_loses_nothing(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings submissions", who="everyone")
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        review = await opened(moderator, "The Lighthouse Keeper")
    async with storybot():
        turned = await review.click("Next ▶")  # the review message from before the restart
        assert "page 2 of" in turned.text or "The storm came" in turned.text
        await turned.click("Approve")
        page = await standin.user("reader2").slash("read", story="The Lighthouse Keeper")
        assert reader_page(page).title == "The Lighthouse Keeper"


async def test_submissions_are_off_until_a_moderator_opens_them(
    storybot: BotRunner, standin: Standin
) -> None:
    async with storybot():
        reply = await standin.user("reader").slash(
            "submit", file=standin.attachment("lighthouse.md", MARKDOWN)
        )
        assert "does not take members' stories" in reply.text
        assert "/settings submissions" in reply.text and reply.ephemeral


async def test_an_author_manages_their_own_stories_and_only_those(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings submissions", who="everyone")
        upload = await moderator.slash("upload", file=standin.attachment("orchard.md", SECOND))
        await upload.click("Confirm")  # a moderator's upload: not the writer's
        await submit(writer, standin, "lighthouse.md", MARKDOWN)
        await (await opened(moderator, LIGHTHOUSE)).click("Approve")
        mine = await writer.slash("mywork")
        assert f"“{LIGHTHOUSE}”: published, 2 chapters, 0 readers, ♥ 0" in mine.text
        suggested = await writer.autocomplete("library edit", "story", "")
        assert [choice["name"] for choice in suggested] == [f"{LIGHTHOUSE} — Reader"]
        form = await writer.slash("library edit", story=LIGHTHOUSE)
        await form.submit_modal({"Title": "The Lamp Keeper"})
        card = await standin.user("reader2").slash("story info", story="The Lamp Keeper")
        assert card.embeds[0]["title"] == "The Lamp Keeper"
        refused = await writer.slash("library remove", story="The Glass Orchard")
        assert "only the stories you wrote" in refused.text
        confirm = await writer.slash("library remove", story="The Lamp Keeper")
        removed = await confirm.click("Remove it")
        assert "Removed" in removed.text
        history = await writer.slash("library history", story="The Lamp Keeper")
        assert "remove" in history.text and "edit" in history.text


async def test_an_author_with_closed_dms_is_told_in_the_announcements_channel(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    standin.world.user("reader").dms_open = False
    async with storybot():
        await moderator.slash("settings submissions", who="everyone")
        await moderator.slash("announce set", channel="announcements")
        await submit(writer, standin, "orchard.md", SECOND)
        form = await (await opened(moderator, "The Glass Orchard")).click("Ask for changes…")
        await form.submit_modal({"The changes to make, for the author": "A summary, please."})
        told = await standin.wait_for_message(
            "announcements", check=lambda message: "asked for changes" in message.text
        )
        assert told.content.startswith(f"<@{writer.user.id}>")
        assert "> A summary, please." in told.text
        assert standin.dms(writer) == []
        mine = await writer.slash("mywork")
        assert "“The Glass Orchard”: changes asked" in mine.text


async def test_a_servers_limits_on_submissions_are_kept(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, writer = standin.user("moderator"), standin.user("reader")
    async with storybot():
        settings = await moderator.slash(
            "settings submissions", who="everyone", max_size_kb=1, per_day=1
        )
        assert "Every member may submit stories for review: files up to 1 KB" in settings.text
        big = standin.attachment("big.txt", b"Chapter 1\n\n" + b"The glass rang. " * 200)
        too_big = await writer.slash("submit", file=big)
        assert "uploads can be at most 1 KB" in too_big.text
        await submit(writer, standin, "orchard.md", SECOND)
        again = await writer.slash("submit", file=standin.attachment("lighthouse.md", MARKDOWN))
        assert "as many as this server takes" in again.text
        queue = await moderator.slash("review")
        assert "1 submission waiting" in queue.text
        broken = await standin.user("reader2").slash(
            "submit", file=standin.attachment("notes.pdf", b"%PDF")
        )
        assert "I can't read “notes.pdf”" in broken.text  # refused as /upload refuses it
